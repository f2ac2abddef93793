// `cache-aware`: the target where this request's first token is expected soonest, counting what
// each backend would have to do for it:
//
//   queue (our prefills ahead there, or the wait for a batch slot when its load report shows the
//          batch full, corrected for what we sent and saw finish since)
//   + prefill of the part of the prompt it does not hold in its prefix cache × its measured speed
//   + the fixed part of a time to first token there
//   + loading the model, when it is not resident there
//
// So a conversation stays where its prefix is cached until that backend's queue costs more than
// re-prefilling elsewhere, a new conversation goes where it waits least (or where its system
// prompt is cached), and a backend with the model loaded beats one that would have to load it.
// The conversation's last backend keeps it while it is within STICKY_RATIO / STICKY_MS of the best,
// so estimation noise does not bounce it (and its cache) back and forth.
//
// `auto` (a route without strategy) is this over the local targets, the cloud ones after them in
// config order. Without estimates (no prompt in the request) both fall back to least-connections.
import type { Candidate, CandidateFacts, StrategyContext } from './candidates'
import { backupsLast, rankBy } from './ranking'

export const STICKY_RATIO = 0.15
export const STICKY_MS = 150
/** Costs this close to the best one are a tie (then: more cached, fewer in flight). */
export const TIE_RATIO = 0.05
export const TIE_MS = 50

export interface CacheAwareOptions {
  /** Weight of the long-run load of the conversations living on a backend (sessionLoadMs); default 0.05. */
  sessionLoadWeight?: number
  /**
   * Weight of the re-prefill a backend's cache overflow causes (cacheOverflowTokens × prefill
   * speed); default 6: an LRU cache that a cyclic working set overflows misses far more than the
   * overflow itself.
   */
  cachePressureWeight?: number
}

export const DEFAULT_SESSION_LOAD_WEIGHT = 0.05
export const DEFAULT_CACHE_PRESSURE_WEIGHT = 6

/** Expected time to first token at a candidate, from its facts. */
export function expectedTtftMs(f: CandidateFacts): number {
  const uncached = Math.max(0, f.promptTokens - f.cachedTokens)
  return f.queueMs + uncached * f.prefillMsPerToken + f.overheadMs + f.coldMs
}

/** What the strategy ranks: the expected time to first token plus the long-run load and cache pressure there. */
export function placementCost(f: CandidateFacts, opts: CacheAwareOptions = {}): number {
  const sessions = opts.sessionLoadWeight ?? DEFAULT_SESSION_LOAD_WEIGHT
  const pressure = opts.cachePressureWeight ?? DEFAULT_CACHE_PRESSURE_WEIGHT
  return expectedTtftMs(f) + sessions * f.sessionLoadMs + pressure * f.cacheOverflowTokens * f.prefillMsPerToken
}

export function cacheAware(candidates: readonly Candidate[], ctx: StrategyContext, opts: CacheAwareOptions = {}): Candidate[] {
  const facts = ctx.facts ? candidates.map((c) => ctx.facts!(c)) : []
  if (facts.length === 0 || facts.some((f) => f === undefined)) {
    return backupsLast(rankBy(candidates, (c) => [ctx.inFlight(c.providerId), -c.weight]))
  }
  const costs = facts.map((f) => placementCost(f!, opts))
  let best = Infinity
  candidates.forEach((c, i) => {
    if (c.weight > 0 && costs[i]! < best) best = costs[i]!
  })
  const tie = Math.max(TIE_MS, best * TIE_RATIO)
  const ordered = rankBy(candidates, (c, i) => {
    const f = facts[i]!
    // The last backend of this conversation wins while it is nearly as good as the best.
    const sticky = f.home && c.weight > 0 && costs[i]! <= best * (1 + STICKY_RATIO) + STICKY_MS
    const band = sticky ? -1 : Math.floor((costs[i]! - best) / tie)
    return [band, -f.cachedTokens, ctx.inFlight(c.providerId), costs[i]!, -c.weight]
  })
  return backupsLast(ordered)
}

/** `auto`: local targets cache-aware, then cloud targets in config order (backups after both). */
export function autoOrder(candidates: readonly Candidate[], ctx: StrategyContext, opts: CacheAwareOptions = {}): Candidate[] {
  const local = candidates.filter((c) => !c.cloud)
  if (local.length === 0) return [...candidates]
  const cloud = candidates.filter((c) => c.cloud)
  return backupsLast([...cacheAware(local, ctx, opts), ...cloud])
}
