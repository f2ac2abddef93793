// Per-provider admission counters for the stats snapshot, /metrics and the dashboard. Plain
// integer fields updated on the request path; the snapshot is assembled on demand.
import type { KeySnapshot } from './keyRing'
import type { LimiterSnapshot, ProviderLimiter } from './providerLimiter'
import type { TeamLimiterView } from './sharedLimits'
import { WaitStats, type WaitSummary } from './waitStats'

export interface ProviderAdmissionSnapshot extends LimiterSnapshot {
  queued: number
  queueMaxSize: number
  admitted: number
  /** Turned away: queue full (incl. dropped by drop-oldest) plus timed out. */
  rejected: number
  queueFull: number
  timedOut: number
  /** Clients that disconnected while queued. */
  cancelled: number
  /**
   * Wait between arrival and admission over the last admitted requests, immediate ones
   * included as 0, so p95 = 0 means "95 % went straight through".
   */
  queueWaitMs: WaitSummary
  /** A key pool's keys (rotation state, limits, cooldowns). */
  keys?: KeySnapshot[]
  /** Team mode: who decides this provider's limits now, and the team's use of them. */
  shared?: { decidedBy: 'team' | 'instance'; team?: TeamLimiterView }
}

type CounterName = 'queueFull' | 'timedOut' | 'cancelled'

interface Counters {
  admitted: number
  queueFull: number
  timedOut: number
  cancelled: number
  waits: WaitStats
}

export class AdmissionStats {
  private readonly providers = new Map<string, Counters>()

  admitted(providerId: string, waitedMs: number): void {
    const c = this.counters(providerId)
    c.admitted++
    c.waits.record(waitedMs)
  }

  count(providerId: string, name: CounterName): void {
    this.counters(providerId)[name]++
  }

  forget(providerId: string): void {
    this.providers.delete(providerId)
  }

  snapshot(providerId: string, limiter: ProviderLimiter, queued: number, queueMaxSize: number, now: number): ProviderAdmissionSnapshot {
    const c = this.counters(providerId)
    return {
      ...limiter.snapshot(now),
      queued,
      queueMaxSize,
      admitted: c.admitted,
      rejected: c.queueFull + c.timedOut,
      queueFull: c.queueFull,
      timedOut: c.timedOut,
      cancelled: c.cancelled,
      queueWaitMs: c.waits.summary(),
    }
  }

  private counters(providerId: string): Counters {
    let c = this.providers.get(providerId)
    if (!c) {
      c = { admitted: 0, queueFull: 0, timedOut: 0, cancelled: 0, waits: new WaitStats() }
      this.providers.set(providerId, c)
    }
    return c
  }
}
