// Live counters for the dashboard and tray. Updated on the request path, so integers and typed
// rings only; percentiles and rates are worked out when a snapshot is asked for (about 1 Hz).
import type { HealthState, ProviderStats, StatsSnapshot } from '../../../shared/api'
import type { ProviderAdmissionSnapshot } from '../admission/admissionStats'
import { RateCounter } from '../admission/rateCounter'

/** Recent values in a fixed ring (the last `size`), for percentiles. */
class Recent {
  private readonly ring: Float64Array
  private next = 0
  private count = 0

  constructor(size: number) {
    this.ring = new Float64Array(size)
  }

  add(value: number): void {
    this.ring[this.next] = value
    this.next = (this.next + 1) % this.ring.length
    if (this.count < this.ring.length) this.count++
  }

  percentiles(): { p50: number; p95: number } {
    if (this.count === 0) return { p50: 0, p95: 0 }
    const sorted = Array.from(this.ring.subarray(0, this.count)).sort((a, b) => a - b)
    const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!
    return { p50: round(at(0.5)), p95: round(at(0.95)) }
  }
}

interface ProviderCounters {
  requests: number
  errors: number
  latency: Recent
}

export interface SnapshotSources {
  admission?: Record<string, ProviderAdmissionSnapshot>
  health?: ReadonlyMap<string, HealthState>
  /** Providers whose active probe fails (see ProviderStats.probeFailing). */
  probeFailing?: ReadonlySet<string>
  /** Providers in config order (so the UI lists every one, used or not). */
  providerIds?: readonly string[]
}

export interface LiveStatsOptions {
  /**
   * Attempts in flight on a provider. Admission owns that count (its leases); live stats only read
   * it, so that routing, the dashboard and the limits can never disagree about it.
   */
  inFlightOf?: (providerId: string) => number
}

export class LiveStats {
  constructor(private readonly opts: LiveStatsOptions = {}) {}

  private readonly startedAt = Date.now()
  private requestsTotal = 0
  private errorsTotal = 0
  private inFlight = 0
  private readonly latency = new Recent(512)
  private readonly rate = new RateCounter()
  private readonly errors = new RateCounter()
  private readonly providers = new Map<string, ProviderCounters>()

  /** A model request entered the pipeline. */
  requestStarted(): void {
    this.requestsTotal++
    this.inFlight++
  }

  requestEnded(failed: boolean, latencyMs: number, tokens: number, now = Date.now()): void {
    this.inFlight--
    this.rate.add(now, 1, tokens)
    if (failed) {
      this.errorsTotal++
      this.errors.add(now, 1, 0)
    } else {
      this.latency.add(latencyMs)
    }
  }

  /** One upstream attempt (a failed-over request makes several, on different providers). */
  attemptStarted(providerId: string): void {
    this.provider(providerId).requests++
  }

  attemptEnded(providerId: string, failed: boolean, latencyMs?: number): void {
    const p = this.provider(providerId)
    if (failed) p.errors++
    else if (latencyMs !== undefined) p.latency.add(latencyMs)
  }

  inFlightFor(providerId: string): number {
    return this.opts.inFlightOf?.(providerId) ?? 0
  }

  snapshot(sources: SnapshotSources = {}, now = Date.now()): StatsSnapshot {
    const ids = new Set([...(sources.providerIds ?? []), ...this.providers.keys()])
    const providers: Record<string, ProviderStats> = {}
    for (const id of ids) {
      const p = this.providers.get(id)
      const a = sources.admission?.[id]
      providers[id] = {
        requests: p?.requests ?? 0,
        inFlight: a?.inFlight ?? this.inFlightFor(id),
        errors: p?.errors ?? 0,
        queued: a?.queued ?? 0,
        rpm: { used: a?.rpm.used ?? 0, limit: a?.rpm.limit },
        tpm: { used: a?.tpm.used ?? 0, limit: a?.tpm.limit },
        maxConcurrent: a?.maxConcurrent,
        latencyMs: p?.latency.percentiles() ?? { p50: 0, p95: 0 },
        queueWaitMs: a ? { p50: a.queueWaitMs.p50, p95: a.queueWaitMs.p95 } : { p50: 0, p95: 0 },
        admitted: a?.admitted ?? 0,
        rejected: a?.rejected ?? 0,
        health: sources.health?.get(id),
        probeFailing: sources.probeFailing?.has(id) || undefined,
      }
    }
    const minute = this.rate.used(now)
    const failed = this.errors.used(now).requests
    return {
      at: now,
      uptimeMs: now - this.startedAt,
      requestsTotal: this.requestsTotal,
      errorsTotal: this.errorsTotal,
      inFlight: this.inFlight,
      requestsPerSec: round(this.rate.usedSince(now, 10_000).requests / 10),
      tokensPerMin: minute.tokens,
      errorRate: minute.requests > 0 ? round(failed / minute.requests) : 0,
      latencyMs: this.latency.percentiles(),
      providers,
    }
  }

  private provider(id: string): ProviderCounters {
    let p = this.providers.get(id)
    if (!p) {
      p = { requests: 0, errors: 0, latency: new Recent(256) }
      this.providers.set(id, p)
    }
    return p
  }
}

function round(n: number): number {
  return Math.round(n * 100) / 100
}
