// One point of the live charts per 1 Hz stats tick. The gateway keeps the last minutes of them
// (so a reloaded dashboard does not start empty) and the dashboard appends live ticks.
import type { StatsSnapshot } from './api'

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

/** Five minutes at one point a second. */
export const HISTORY_POINTS = 300

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
