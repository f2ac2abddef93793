// Balancing strategies (DESIGN.md §3). Each one turns the usable candidates of a request into an
// ORDERED list: the first is the pick, the rest is the failover order. They are pure: time,
// randomness, in-flight counts, latencies, load and prices all come in through the context, and
// the little state some keep (cursors) lives in objects the caller owns per route.
//
// Weight 0 means "backup": such a target is never ordered before a target with weight > 0
// (except by `failover`, where the configured order is the priority).
import type { Strategy } from '../../../shared/config'
import { autoOrder, cacheAware, type CacheAwareOptions } from './cacheAware'
import type { Candidate, StrategyContext } from './candidates'
import { leastLoad } from './leastLoad'
import { awayFromHome, backupsLast, rankBy } from './ranking'

/** `failover`: the configured order. */
export function failoverOrder(candidates: readonly Candidate[]): Candidate[] {
  return [...candidates]
}

/** `round-robin`: the list rotated by a per-route cursor (the caller increments it per request). */
export function roundRobin(candidates: readonly Candidate[], cursor: number): Candidate[] {
  const primary = candidates.filter((c) => c.weight > 0)
  const pool = primary.length > 0 ? primary : [...candidates]
  const n = pool.length
  if (n === 0) return []
  const start = ((cursor % n) + n) % n
  const rotated = [...pool.slice(start), ...pool.slice(0, start)]
  return primary.length > 0 ? [...rotated, ...candidates.filter((c) => c.weight <= 0)] : rotated
}

/**
 * `weighted`: smooth weighted round-robin (nginx's algorithm). Every pick adds each target's
 * weight to its running score, picks the highest and takes the total off it: over any window of
 * sum(weights) picks each target is chosen exactly `weight` times, interleaved, with no
 * randomness. The failover order is the remaining targets by running score.
 */
export class SmoothWeighted {
  private readonly current = new Map<string, number>()

  order(candidates: readonly Candidate[]): Candidate[] {
    const primary = candidates.filter((c) => c.weight > 0)
    if (primary.length === 0) return [...candidates]
    let total = 0
    let best: Candidate | undefined
    let bestScore = -Infinity
    for (const c of primary) {
      const score = (this.current.get(c.key) ?? 0) + c.weight
      this.current.set(c.key, score)
      total += c.weight
      if (score > bestScore) {
        bestScore = score
        best = c
      }
    }
    this.current.set(best!.key, bestScore - total)
    const rest = rankBy(
      primary.filter((c) => c !== best),
      (c) => [-(this.current.get(c.key) ?? 0)],
    )
    return [best!, ...rest, ...candidates.filter((c) => c.weight <= 0)]
  }
}

/**
 * `least-connections`: fewest requests in flight; ties go to the conversation's last backend, then
 * the higher weight, then config order.
 */
export function leastConnections(candidates: readonly Candidate[], ctx: StrategyContext): Candidate[] {
  return backupsLast(rankBy(candidates, (c) => [ctx.inFlight(c.providerId), awayFromHome(c, ctx), -c.weight]))
}

export interface LeastLatencyOptions {
  /** Probability of trying a random non-best target first (exploration); default 0.02. */
  epsilon?: number
  /**
   * The conversation's last backend goes first while its score is within this factor of the
   * best (its prefix cache makes its next first token faster than its average says); default 2.
   */
  homeBand?: number
}

/**
 * `least-latency`: lowest smoothed time to first byte, scaled by (in-flight + 1) so a fast target
 * that is already busy does not take every request ("peak EWMA"). Exploration, so a target that
 * was slow or broken gets another chance once it recovers:
 * - a never-measured target is tried first while it has nothing in flight;
 * - the latency source decays stale estimates toward zero (LatencyTracker), so an old bad
 *   measurement eventually loses to fresh ones and the target is measured again;
 * - with probability `epsilon` a random other target is tried first.
 * A conversation stays on its last backend while that one scores within `homeBand` of the best.
 */
export function leastLatency(candidates: readonly Candidate[], ctx: StrategyContext, opts: LeastLatencyOptions = {}): Candidate[] {
  const estimates = candidates.map((c) => ctx.ttftEwma(c.providerId))
  let minKnown = Infinity
  for (const e of estimates) if (e !== undefined && e < minKnown) minKnown = e
  const optimistic = Number.isFinite(minKnown) ? minKnown : 1
  const scores = candidates.map((c, i) => {
    const inFlight = ctx.inFlight(c.providerId)
    const est = estimates[i]
    if (est === undefined && inFlight === 0) return -1
    return (est ?? optimistic) * (inFlight + 1)
  })
  let best = Infinity
  candidates.forEach((c, i) => {
    if (c.weight > 0 && scores[i]! < best) best = scores[i]!
  })
  const band = opts.homeBand ?? 2
  const ordered = backupsLast(
    rankBy(candidates, (c, i) => {
      const inFlight = ctx.inFlight(c.providerId)
      const sticky = best >= 0 && c.weight > 0 && ctx.home?.(c) === true && scores[i]! <= best * band
      return [sticky ? best - 1 : scores[i]!, inFlight, -c.weight]
    }),
  )
  const epsilon = opts.epsilon ?? 0.02
  const explorable = ordered.filter((c) => c.weight > 0).length
  if (explorable > 1 && ctx.random() < epsilon) {
    const j = 1 + Math.floor(ctx.random() * (explorable - 1))
    const [explored] = ordered.splice(j, 1)
    ordered.unshift(explored!)
  }
  return ordered
}

/**
 * `lowest-cost`: cheapest blended price first; unknown prices after every known one (health
 * filtering has already put unusable targets out of the list). Equal prices spread by in-flight,
 * ties to the conversation's last backend.
 */
export function lowestCost(candidates: readonly Candidate[], ctx: StrategyContext): Candidate[] {
  return backupsLast(
    rankBy(candidates, (c) => {
      const price = ctx.price(c.providerId, c.upstreamModel)
      return [price === undefined ? 1 : 0, price ?? 0, ctx.inFlight(c.providerId), awayFromHome(c, ctx), -c.weight]
    }),
  )
}

/** Per-route state of the stateful strategies. */
export class RouteBalanceState {
  private cursor = 0
  readonly weighted = new SmoothWeighted()

  nextCursor(): number {
    const c = this.cursor
    this.cursor = (this.cursor + 1) % Number.MAX_SAFE_INTEGER
    return c
  }
}

export type OrderOptions = LeastLatencyOptions & CacheAwareOptions

/** Orders candidates with the named strategy. */
export function orderByStrategy(
  strategy: Strategy,
  candidates: readonly Candidate[],
  ctx: StrategyContext,
  state: RouteBalanceState,
  opts: OrderOptions = {},
): Candidate[] {
  if (candidates.length <= 1) return [...candidates]
  switch (strategy) {
    case 'round-robin':
      return roundRobin(candidates, state.nextCursor())
    case 'weighted':
      return state.weighted.order(candidates)
    case 'least-connections':
      return leastConnections(candidates, ctx)
    case 'least-latency':
      return leastLatency(candidates, ctx, opts)
    case 'lowest-cost':
      return lowestCost(candidates, ctx)
    case 'least-load':
      return leastLoad(candidates, ctx)
    case 'failover':
      return failoverOrder(candidates)
    case 'cache-aware':
      return cacheAware(candidates, ctx, opts)
    case 'auto':
      return autoOrder(candidates, ctx, opts)
  }
}
