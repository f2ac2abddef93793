// The last few minutes of 1 Hz stats ticks, for the overview's small live charts.
import type { StatsSnapshot } from '../../../shared/api'

import { HISTORY_POINTS, pointOf, type HistoryPoint } from '../../../shared/statsHistory'

export { HISTORY_POINTS, pointOf, type HistoryPoint }

/** A new array with the snapshot appended (a repeated or older tick replaces nothing), capped at max. */
export function appendPoint(history: readonly HistoryPoint[], snapshot: StatsSnapshot, max = HISTORY_POINTS): HistoryPoint[] {
  const last = history.at(-1)
  if (last && snapshot.at <= last.at) return history as HistoryPoint[]
  const next = [...history, pointOf(snapshot)]
  return next.length > max ? next.slice(next.length - max) : next
}

/** Server-kept points older than the first live one, then the live ones, capped at max. */
export function mergeHistory(server: readonly HistoryPoint[], live: readonly HistoryPoint[], max = HISTORY_POINTS): HistoryPoint[] {
  const first = live[0]?.at ?? Infinity
  const merged = [...server.filter((p) => p.at < first), ...live]
  return merged.length > max ? merged.slice(merged.length - max) : merged
}
