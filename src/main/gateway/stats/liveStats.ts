// Live counters for the UI and tray. Updated on the request path, so plain integer fields only;
// snapshots are assembled when someone asks (at most a few times a second).
import type { ProviderStats, StatsSnapshot } from '../../../shared/api'

export class LiveStats {
  private readonly startedAt = Date.now()
  private requestsTotal = 0
  private errorsTotal = 0
  private inFlight = 0
  private readonly providers = new Map<string, ProviderStats>()

  /** A model request entered the pipeline. */
  requestStarted(): void {
    this.requestsTotal++
    this.inFlight++
  }

  requestEnded(failed: boolean): void {
    this.inFlight--
    if (failed) this.errorsTotal++
  }

  /** One upstream attempt (a failed-over request makes several, on different providers). */
  attemptStarted(providerId: string): void {
    const p = this.provider(providerId)
    p.requests++
    p.inFlight++
  }

  attemptEnded(providerId: string, failed: boolean): void {
    const p = this.provider(providerId)
    p.inFlight--
    if (failed) p.errors++
  }

  inFlightFor(providerId: string): number {
    return this.providers.get(providerId)?.inFlight ?? 0
  }

  snapshot(now = Date.now()): StatsSnapshot {
    const providers: Record<string, ProviderStats> = {}
    for (const [id, p] of this.providers) providers[id] = { ...p }
    return {
      at: now,
      uptimeMs: now - this.startedAt,
      requestsTotal: this.requestsTotal,
      errorsTotal: this.errorsTotal,
      inFlight: this.inFlight,
      providers,
    }
  }

  private provider(id: string): ProviderStats {
    let p = this.providers.get(id)
    if (!p) {
      p = { requests: 0, inFlight: 0, errors: 0 }
      this.providers.set(id, p)
    }
    return p
  }
}
