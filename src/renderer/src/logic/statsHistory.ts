// The last few minutes of 1 Hz stats ticks, for the overview's small live charts.
import type { StatsSnapshot } from '../../../shared/api'

export interface HistoryPoint {
  at: number
  requestsPerSec: number
  tokensPerMin: number
  p50: number
  p95: number
  errorRate: number
  inFlight: number
  queued: number
}

export const HISTORY_POINTS = 120

export function pointOf(s: StatsSnapshot): HistoryPoint {
  let queued = 0
  for (const p of Object.values(s.providers)) queued += p.queued
  return {
    at: s.at,
    requestsPerSec: s.requestsPerSec,
    tokensPerMin: s.tokensPerMin,
    p50: s.latencyMs.p50,
    p95: s.latencyMs.p95,
    errorRate: s.errorRate,
    inFlight: s.inFlight,
    queued,
  }
}

/** A new array with the snapshot appended (a repeated or older tick replaces nothing), capped at max. */
export function appendPoint(history: readonly HistoryPoint[], snapshot: StatsSnapshot, max = HISTORY_POINTS): HistoryPoint[] {
  const last = history.at(-1)
  if (last && snapshot.at <= last.at) return history as HistoryPoint[]
  const next = [...history, pointOf(snapshot)]
  return next.length > max ? next.slice(next.length - max) : next
}
