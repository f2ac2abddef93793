// One provider's circuit breaker. Pure state machine: every method takes `now`; no timers.
//
//   closed --(N consecutive dead signals)--> open --(ejection elapsed)--> half-open
//   half-open --(trial succeeds)--> closed      half-open --(trial fails)--> open (longer)
//
// - "Dead" signals: connect errors, resets, 5xx, first-byte timeouts, failed probes.
// - "Busy" (429/503/529) is a live backend asking for room: it sets a cooldown (Retry-After
//   when given) and never opens the circuit.
// - Ejection grows 5 s, 10 s, 20 s … up to a cap, and the growth is forgotten after a long
//   healthy period.
// - Half-open admits exactly one trial request; everyone else sees the circuit as open.
// - A success seen while open (a straggler, a probe) closes the circuit "on probation": the next
//   dead signal reopens it at once instead of after N more.

export type BreakerState = 'closed' | 'open' | 'half-open'

export interface BreakerOptions {
  failureThreshold: number
  baseEjectionMs: number
  maxEjectionMs: number
  /** Once closed this long, the ejection growth starts over. */
  ejectionResetMs: number
  /** Cooldown of a busy answer without Retry-After; doubles while busy answers repeat. */
  busyCooldownMs: number
  maxBusyCooldownMs: number
  /** Upper bound for any cooldown, including a server's Retry-After. */
  maxCooldownMs: number
  /** A half-open trial whose outcome never came is forgotten after this long. */
  trialLeaseMs: number
}

export const DEFAULT_BREAKER_OPTIONS: BreakerOptions = {
  failureThreshold: 3,
  baseEjectionMs: 5_000,
  maxEjectionMs: 5 * 60_000,
  ejectionResetMs: 10 * 60_000,
  busyCooldownMs: 1_000,
  maxBusyCooldownMs: 30_000,
  maxCooldownMs: 10 * 60_000,
  trialLeaseMs: 120_000,
}

export interface ErrorInfo {
  message: string
  code?: string
  at: number
}

export interface ProbeInfo {
  ok: boolean
  at: number
  latencyMs: number
  status?: number
  error?: string
}

export interface BreakerSnapshot {
  state: BreakerState
  available: boolean
  consecutiveFailures: number
  /** Times the circuit opened since the growth was last reset. */
  ejections: number
  probation: boolean
  ejectedUntil?: number
  cooldownUntil?: number
  lastError?: ErrorInfo
  lastProbe?: ProbeInfo
}

export class CircuitBreaker {
  private mode: 'closed' | 'open' = 'closed'
  private consecutiveFailures = 0
  private consecutiveBusy = 0
  private ejections = 0
  private ejectedUntil = 0
  private cooldownUntil = 0
  private closedSince = 0
  private trialStartedAt?: number
  private probation = false
  private lastError?: ErrorInfo
  private lastProbe?: ProbeInfo

  constructor(private readonly opts: BreakerOptions = DEFAULT_BREAKER_OPTIONS) {}

  state(now: number): BreakerState {
    if (this.mode === 'closed') return 'closed'
    return now >= this.ejectedUntil ? 'half-open' : 'open'
  }

  /** Whether a new request may be sent now (a half-open circuit only while its trial is free). */
  isAvailable(now: number): boolean {
    if (now < this.cooldownUntil) return false
    const state = this.state(now)
    if (state === 'closed') return true
    return state === 'half-open' && !this.trialBusy(now)
  }

  /**
   * Claims the right to send a request now; call right before dispatching. In half-open this
   * takes the single trial slot. `force` (the least-bad target when every one is unusable) always
   * succeeds and does not take the trial slot.
   */
  tryAcquire(now: number, force = false): boolean {
    if (force) return true
    if (!this.isAvailable(now)) return false
    if (this.state(now) === 'half-open') this.trialStartedAt = now
    return true
  }

  onSuccess(now: number): void {
    const wasOpen = this.mode === 'open'
    const state = this.state(now)
    this.trialStartedAt = undefined
    this.consecutiveFailures = 0
    this.consecutiveBusy = 0
    if (wasOpen) this.close(now, state === 'open') // a success while still ejected: on probation
    else this.probation = false
  }

  onFailure(now: number, error: { message: string; code?: string }): void {
    this.lastError = { message: error.message, code: error.code, at: now }
    this.consecutiveBusy = 0
    const state = this.state(now)
    if (state === 'open') return // already ejected: stragglers do not extend it
    this.trialStartedAt = undefined
    this.consecutiveFailures++
    if (state === 'half-open' || this.probation || this.consecutiveFailures >= this.opts.failureThreshold) this.open(now)
  }

  /** 429/503/529: alive but full. Cools the provider down; never counts toward ejection. */
  onBusy(now: number, retryAfterMs?: number, error?: { message: string; code?: string }): void {
    this.lastError = { message: error?.message ?? 'busy', code: error?.code ?? 'busy', at: now }
    this.consecutiveBusy++
    const fallback = Math.min(this.opts.busyCooldownMs * 2 ** (this.consecutiveBusy - 1), this.opts.maxBusyCooldownMs)
    const wait = Math.min(retryAfterMs !== undefined && retryAfterMs >= 0 ? retryAfterMs : fallback, this.opts.maxCooldownMs)
    this.cooldownUntil = Math.max(this.cooldownUntil, now + wait)
    this.consecutiveFailures = 0
    this.trialStartedAt = undefined
    if (this.mode === 'open' && this.state(now) === 'half-open') this.close(now, false) // it answered: alive
  }

  /** No verdict (client error, client gone): frees a half-open trial slot. */
  onNeutral(): void {
    this.trialStartedAt = undefined
  }

  onProbe(now: number, probe: Omit<ProbeInfo, 'at'> & { busy?: boolean }): void {
    this.lastProbe = { ok: probe.ok, at: now, latencyMs: probe.latencyMs, status: probe.status, error: probe.error }
    if (probe.busy) return
    if (probe.ok) {
      if (this.mode === 'open') this.close(now, true)
      return
    }
    if (this.mode === 'closed') this.onFailure(now, { message: `probe failed: ${probe.error ?? `status ${probe.status}`}`, code: 'probe' })
  }

  /** When this provider can take a request again (now, if it can). */
  recoversAt(now: number): number {
    if (this.isAvailable(now)) return now
    let at = Math.max(now, this.cooldownUntil)
    if (this.mode === 'open') at = Math.max(at, this.ejectedUntil)
    if (this.trialStartedAt !== undefined) at = Math.max(at, this.trialStartedAt + this.opts.trialLeaseMs)
    return at
  }

  /** What other instances of a team need to know: is it ejected, until when, and any cooldown. */
  shareable(): { open: boolean; ejectedUntil: number; cooldownUntil: number } {
    return { open: this.mode === 'open', ejectedUntil: this.ejectedUntil, cooldownUntil: this.cooldownUntil }
  }

  /** Another instance ejected this backend until `until`: stay away as well (its own trial then). */
  applyRemoteOpen(now: number, until: number): void {
    if (until <= now) return
    if (this.mode === 'open' && this.ejectedUntil >= until) return
    this.mode = 'open'
    this.ejectedUntil = Math.max(this.ejectedUntil, until)
    this.trialStartedAt = undefined
    this.probation = false
    this.lastError ??= { message: 'ejected by another instance of the team', code: 'team', at: now }
  }

  /** Another instance's trial succeeded: the backend is back. */
  applyRemoteClose(now: number): void {
    if (this.mode === 'open') this.close(now, false)
  }

  /** Another instance was told to wait (429/503 with Retry-After): so is this one. */
  applyRemoteCooldown(until: number): void {
    this.cooldownUntil = Math.max(this.cooldownUntil, until)
  }

  /** Dead (open or waiting on its trial) rather than merely busy. */
  isEjected(now: number): boolean {
    return this.state(now) !== 'closed'
  }

  snapshot(now: number): BreakerSnapshot {
    return {
      state: this.state(now),
      available: this.isAvailable(now),
      consecutiveFailures: this.consecutiveFailures,
      ejections: this.ejections,
      probation: this.probation,
      ejectedUntil: this.mode === 'open' && this.ejectedUntil > now ? this.ejectedUntil : undefined,
      cooldownUntil: this.cooldownUntil > now ? this.cooldownUntil : undefined,
      lastError: this.lastError,
      lastProbe: this.lastProbe,
    }
  }

  private trialBusy(now: number): boolean {
    return this.trialStartedAt !== undefined && now - this.trialStartedAt < this.opts.trialLeaseMs
  }

  private open(now: number): void {
    if (this.mode === 'closed' && now - this.closedSince >= this.opts.ejectionResetMs && this.ejections > 0 && !this.probation) {
      this.ejections = 0
    }
    this.ejections++
    const ms = Math.min(this.opts.baseEjectionMs * 2 ** (this.ejections - 1), this.opts.maxEjectionMs)
    this.mode = 'open'
    this.ejectedUntil = now + ms
    this.trialStartedAt = undefined
    this.probation = false
  }

  private close(now: number, probation: boolean): void {
    this.mode = 'closed'
    this.closedSince = now
    this.consecutiveFailures = 0
    this.trialStartedAt = undefined
    this.probation = probation
  }
}
