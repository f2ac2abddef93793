// Stats snapshots for the main-process tests (tray icon, notifications).
import type { ProviderStats, StatsSnapshot } from '../../../src/shared/api'

export function providerStats(over: Partial<ProviderStats> = {}): ProviderStats {
  return {
    requests: 0,
    inFlight: 0,
    errors: 0,
    queued: 0,
    rpm: { used: 0 },
    tpm: { used: 0 },
    latencyMs: { p50: 0, p95: 0 },
    queueWaitMs: { p50: 0, p95: 0 },
    admitted: 0,
    rejected: 0,
    ...over,
  }
}

export function snapshot(over: Partial<StatsSnapshot> = {}): StatsSnapshot {
  return { at: 1000, uptimeMs: 5000, requestsTotal: 0, errorsTotal: 0, inFlight: 0, requestsPerSec: 0, tokensPerMin: 0, errorRate: 0, latencyMs: { p50: 0, p95: 0 }, providers: {}, ...over }
}
