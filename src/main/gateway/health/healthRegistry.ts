// Health of every provider: one circuit breaker each, fed by request outcomes (passive outlier
// detection) and probes (active). The routing side asks two things: which candidates are usable
// now (never none, while there are candidates at all), and may I send to this one (the half-open
// single-trial gate). The app API reads `snapshot()`.
import { healthSignal, type AttemptOutcome } from '../common/attemptOutcome'
import { CircuitBreaker, DEFAULT_BREAKER_OPTIONS, type BreakerOptions, type BreakerSnapshot } from './circuitBreaker'

export interface ProviderHealth extends BreakerSnapshot {
  providerId: string
}

export interface Availability<T> {
  /** Usable candidates in the given order; when none is usable, the single least-bad one. */
  candidates: T[]
  /** True when every candidate was unusable and the least-bad one was kept. */
  degraded: boolean
  /** When degraded: when the kept candidate is expected to recover (for Retry-After). */
  recoversAt?: number
}

export interface OutcomeReport {
  providerId: string
  outcome: AttemptOutcome
  status?: number
  /** Cooldown the provider asked for (retryDelayMs of its response headers). */
  retryAfterMs?: number
  message?: string
  errorCode?: string
}

export interface ProbeReport {
  ok: boolean
  latencyMs: number
  status?: number
  error?: string
  /** Answered, but busy (429/503): neither up nor down. */
  busy?: boolean
}

export interface HealthRegistryOptions {
  clock?: () => number
  breaker?: Partial<BreakerOptions>
}

/** A breaker change worth telling the other instances of a team (state/: SharedHealth). */
export type BreakerTransition =
  | { providerId: string; kind: 'open'; forMs: number }
  | { providerId: string; kind: 'closed' }
  | { providerId: string; kind: 'cooldown'; forMs: number }

export class HealthRegistry {
  private readonly breakers = new Map<string, CircuitBreaker>()
  private readonly clock: () => number
  private readonly options: BreakerOptions
  private readonly transitions = new Set<(t: BreakerTransition) => void>()

  constructor(opts: HealthRegistryOptions = {}) {
    this.clock = opts.clock ?? Date.now
    this.options = { ...DEFAULT_BREAKER_OPTIONS, ...opts.breaker }
  }

  isAvailable(providerId: string, now = this.clock()): boolean {
    return this.breakers.get(providerId)?.isAvailable(now) ?? true
  }

  /** Keeps the usable candidates; when none is, keeps the one expected to recover first. */
  filterAvailable<T extends { providerId: string }>(candidates: readonly T[], now = this.clock()): Availability<T> {
    const usable = candidates.filter((c) => this.isAvailable(c.providerId, now))
    if (usable.length > 0 || candidates.length === 0) return { candidates: usable, degraded: false }
    let best: T | undefined
    let bestAt = Infinity
    let bestDead = true
    for (const c of candidates) {
      const b = this.breaker(c.providerId)
      const at = b.recoversAt(now)
      const dead = b.isEjected(now)
      // Earliest recovery wins; at equal times a busy (alive) provider beats an ejected one.
      if (at < bestAt || (at === bestAt && bestDead && !dead)) {
        best = c
        bestAt = at
        bestDead = dead
      }
    }
    return { candidates: [best!], degraded: true, recoversAt: bestAt }
  }

  /**
   * Claims a slot right before dispatching to a provider: false when it became unusable since the
   * candidates were filtered (e.g. another request took the half-open trial). Pass `force` for the
   * candidate a degraded Availability kept.
   */
  acquire(providerId: string, force = false, now = this.clock()): boolean {
    return this.breaker(providerId).tryAcquire(now, force)
  }

  /** Called when a breaker opens, closes or cools down (not on every success). */
  onTransition(listener: (t: BreakerTransition) => void): () => void {
    this.transitions.add(listener)
    return () => this.transitions.delete(listener)
  }

  /** What another instance saw: applied without being told on (no echo). */
  applyShared(t: BreakerTransition, now = this.clock()): void {
    const b = this.breaker(t.providerId)
    if (t.kind === 'open') b.applyRemoteOpen(now, now + t.forMs)
    else if (t.kind === 'closed') b.applyRemoteClose(now)
    else b.applyRemoteCooldown(now + t.forMs)
  }

  /** Feeds one attempt's outcome to the provider's breaker. */
  record(report: OutcomeReport, now = this.clock()): void {
    if (this.transitions.size === 0) return this.apply(report, now)
    const b = this.breaker(report.providerId)
    const before = b.shareable()
    this.apply(report, now)
    this.told(report.providerId, before, b.shareable(), now)
  }

  private told(providerId: string, before: ReturnType<CircuitBreaker['shareable']>, after: ReturnType<CircuitBreaker['shareable']>, now: number): void {
    let t: BreakerTransition | undefined
    if (after.open && (!before.open || after.ejectedUntil > before.ejectedUntil)) t = { providerId, kind: 'open', forMs: after.ejectedUntil - now }
    else if (before.open && !after.open) t = { providerId, kind: 'closed' }
    else if (after.cooldownUntil > before.cooldownUntil && after.cooldownUntil > now) t = { providerId, kind: 'cooldown', forMs: after.cooldownUntil - now }
    if (t) for (const l of this.transitions) l(t)
  }

  private apply(report: OutcomeReport, now: number): void {
    const b = this.breaker(report.providerId)
    const error = { message: report.message ?? describe(report), code: report.errorCode ?? report.outcome }
    switch (healthSignal(report.outcome, report.status)) {
      case 'success':
        b.onSuccess(now)
        return
      case 'busy':
        b.onBusy(now, report.retryAfterMs, error)
        return
      case 'failure':
        b.onFailure(now, error)
        return
      case 'neutral':
        b.onNeutral()
        return
    }
  }

  recordProbe(providerId: string, probe: ProbeReport, now = this.clock()): void {
    const b = this.breaker(providerId)
    const before = b.shareable()
    b.onProbe(now, probe)
    if (this.transitions.size > 0) this.told(providerId, before, b.shareable(), now)
  }

  /** Health of the given providers (default: all known), for the app API. */
  snapshot(providerIds?: Iterable<string>, now = this.clock()): ProviderHealth[] {
    const ids = providerIds ? [...providerIds] : [...this.breakers.keys()]
    return ids.map((id) => ({ providerId: id, ...this.breaker(id).snapshot(now) }))
  }

  /** Forgets providers removed from the config. */
  retain(providerIds: Iterable<string>): void {
    const keep = new Set(providerIds)
    for (const id of this.breakers.keys()) if (!keep.has(id)) this.breakers.delete(id)
  }

  private breaker(providerId: string): CircuitBreaker {
    let b = this.breakers.get(providerId)
    if (!b) {
      b = new CircuitBreaker(this.options)
      this.breakers.set(providerId, b)
    }
    return b
  }
}

function describe(r: OutcomeReport): string {
  switch (r.outcome) {
    case 'connect_error':
      return 'could not connect'
    case 'reset':
      return 'connection closed before a response'
    case 'timeout':
      return 'no first byte in time'
    case 'busy':
      return `busy (${r.status ?? 'overloaded'})`
    case 'http_error':
      return `answered ${r.status ?? 'an error'}`
    case 'stream_error':
      return 'stream began with an error event'
    case 'bad_response':
      return 'answered with something that is not the expected protocol'
    default:
      return r.outcome
  }
}
