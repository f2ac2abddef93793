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

/** Expected time to first token at a candidate, from its facts. */
export function expectedTtftMs(f: CandidateFacts): number {
  const uncached = Math.max(0, f.promptTokens - f.cachedTokens)
  return f.queueMs + uncached * f.prefillMsPerToken + f.overheadMs + f.coldMs
}

export function cacheAware(candidates: readonly Candidate[], ctx: StrategyContext): Candidate[] {
  const facts = ctx.facts ? candidates.map((c) => ctx.facts!(c)) : []
  if (facts.length === 0 || facts.some((f) => f === undefined)) {
    return backupsLast(rankBy(candidates, (c) => [ctx.inFlight(c.providerId), -c.weight]))
  }
  const costs = facts.map((f) => expectedTtftMs(f!))
  let best = Infinity
  candidates.forEach((c, i) => {
    if (c.weight > 0 && costs[i]! < best) best = costs[i]!
  })
  const ordered = rankBy(candidates, (c, i) => {
    const f = facts[i]!
    // The last backend of this conversation wins while it is nearly as good as the best.
    const sticky = f.home && c.weight > 0 && costs[i]! <= best * (1 + STICKY_RATIO) + STICKY_MS
    return [sticky ? best - 1 : costs[i]!, -f.cachedTokens, ctx.inFlight(c.providerId), -c.weight]
  })
  return backupsLast(ordered)
}

/** `auto`: local targets cache-aware, then cloud targets in config order (backups after both). */
export function autoOrder(candidates: readonly Candidate[], ctx: StrategyContext): Candidate[] {
  const local = candidates.filter((c) => !c.cloud)
  if (local.length === 0) return [...candidates]
  const cloud = candidates.filter((c) => c.cloud)
  return backupsLast([...cacheAware(local, ctx), ...cloud])
}
