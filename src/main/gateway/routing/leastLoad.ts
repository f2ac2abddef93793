// `least-load`: balance on what the backends themselves report (LoadMonitor), which sees load
// from every client of a shared vLLM or Ollama, not just ours.
//
// - vLLM: requests running + requests waiting, as last reported plus what we sent there and saw
//   finish since the report was read (Router.load), never less than what we ourselves have in
//   flight there. Without that correction a report that caught a queue kept a backend "busy" for
//   seconds after it drained, and one that caught it idle sent it a whole burst (the herding
//   that made least-load worse than least-connections). A waiting request counts like a running
//   one: both are ahead of the next. KV-cache usage above 80 % scales the score up to ×2 at
//   100 % (vLLM preempts when the cache is full).
// - Ties go to the conversation's last backend (its prefix is cached there), then to the one
//   answering faster (smoothed time to first byte), then to the emptier KV cache.
// - Ollama: an instance that already has the requested model in memory wins; a cold load costs
//   seconds, so it counts as COLD_LOAD_PENALTY requests in flight.
// - A backend that reports nothing (or whose data went stale) is scored by our in-flight count:
//   with no data anywhere this is least-connections.
import type { Candidate, StrategyContext } from './candidates'
import { awayFromHome, backupsLast, rankBy } from './ranking'

export const WAITING_WEIGHT = 1
export const KV_SOFT_LIMIT = 0.8
export const COLD_LOAD_PENALTY = 8

export function leastLoad(candidates: readonly Candidate[], ctx: StrategyContext): Candidate[] {
  return backupsLast(
    rankBy(candidates, (c) => {
      const inFlight = ctx.inFlight(c.providerId)
      const load = ctx.load(c.providerId, c.upstreamModel)
      const kv = load?.kvCacheUsage
      return [loadScore(load, inFlight), awayFromHome(c, ctx), ctx.ttftEwma(c.providerId) ?? Infinity, kv ?? 0, inFlight, -c.weight]
    }),
  )
}

export function loadScore(load: ReturnType<StrategyContext['load']>, inFlight: number): number {
  let base = inFlight
  if (load && (load.running !== undefined || load.waiting !== undefined)) {
    const reported = (load.running ?? 0) + WAITING_WEIGHT * (load.waiting ?? 0)
    base = Math.max(reported, inFlight)
  }
  if (load?.modelLoaded === false) base += COLD_LOAD_PENALTY
  const kv = load?.kvCacheUsage ?? 0
  const pressure = kv > KV_SOFT_LIMIT ? 1 + (Math.min(kv, 1) - KV_SOFT_LIMIT) / (1 - KV_SOFT_LIMIT) : 1
  return (base + 1) * pressure
}
