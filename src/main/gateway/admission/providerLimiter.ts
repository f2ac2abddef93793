// The limits of one backend (or of one calling app): RPM and TPM over exact 60 s sliding
// windows, a concurrency cap, and the budget and cooldown learned from upstream headers.
// Pure policy: every decision takes `now`; it owns no timer. It tells listeners when capacity
// may have grown (a release, new limits, new upstream facts) so a queue can look again.
//
// Oversized requests: an estimate larger than the whole TPM limit could never fit under the
// limit, and waiting for it would be a hang. It is admitted when it is alone: the TPM window
// holds nothing else (so it may wait for the window to drain, a bounded time), and it is
// then charged in full, which keeps the following minute quiet. The alternative, rejecting it,
// would make a request impossible to serve at all because of a local protection setting; a
// cloud upstream whose real limit it exceeds will say so itself with its own message.
import { RateCounter } from './rateCounter'
import { SlidingWindow, WINDOW_MS, type WindowEntry } from './slidingWindow'
import { UpstreamBudget, type UpstreamBudgetView } from './upstreamBudget'
import { parseRateLimitHeaders, type HeaderSource, type LearnedLimits } from './upstreamHeaders'
import { toEstimate, totalTokens, type EstimateInput, type TokenEstimate } from './tokenEstimate'
import { systemClock, type Clock } from './clock'

export interface Limits {
  rpm?: number
  tpm?: number
  maxConcurrent?: number
}

export type BlockReason = 'rpm' | 'tpm' | 'concurrency' | 'cooldown' | 'upstream-budget'

export type CheckResult =
  | { ok: true }
  | {
      ok: false
      /** The constraint that clears last ('concurrency' whenever no slot is free). */
      reason: BlockReason
      /**
       * Milliseconds until every time-based constraint (windows, cooldown, learned budget) would
       * let the request through. 0 when only concurrency blocks: that clears on a release.
       */
      retryAfterMs: number
    }

export interface Lease {
  readonly estimate: TokenEstimate
  /** A key pool's key this request was admitted on (its label); undefined without a pool. */
  readonly key?: string
  /** True once settled or cancelled. */
  readonly done: boolean
  /**
   * The request finished: charge `actualTokens` (prompt + completion) instead of the estimate,
   * keeping the reservation's timestamp, and free the concurrency slot. Without a count (usage
   * unknown) the estimate stays charged. Only the first settle/cancel has any effect. Needs no
   * `now`: the reservation is adjusted in place and keeps its original timestamp.
   */
  settle(actualTokens?: number): void
  /** The request never reached the upstream (e.g. connect failed): refund it entirely. */
  cancel(): void
}

export interface LimiterSnapshot {
  inFlight: number
  maxConcurrent?: number
  rpm: { used: number; limit?: number }
  tpm: { used: number; limit?: number }
  upstream?: UpstreamBudgetView
}

export class ProviderLimiter {
  private limits: Limits
  private readonly requests: SlidingWindow
  private readonly tokens: SlidingWindow
  private readonly upstream = new UpstreamBudget()
  /** What the UI shows when no limit needs the exact windows (which cost an object per request for 60 s). */
  private readonly rate = new RateCounter()
  private inFlight = 0
  private readonly listeners = new Set<() => void>()
  private learnListener?: (learned: LearnedLimits, now: number) => void

  constructor(
    limits: Limits = {},
    private readonly clock: Clock = systemClock,
    /** The RPM/TPM window length; 60 s except in tests that cannot wait a minute. */
    windowMs: number = WINDOW_MS,
    /**
     * Team mode: how many instances share the limits when this one must decide alone (Redis
     * unreachable); the limits checked here are then that share of the configured ones.
     */
    private readonly share?: () => number,
  ) {
    this.limits = normalizeLimits(limits)
    this.requests = new SlidingWindow(windowMs)
    this.tokens = new SlidingWindow(windowMs)
  }

  /** New limits apply from now on; windows and in-flight leases carry over untouched. */
  setLimits(limits: Limits): void {
    this.limits = normalizeLimits(limits)
    this.changed()
  }

  getLimits(): Readonly<Limits> {
    return this.limits
  }

  check(estimate: EstimateInput, now: number = this.clock()): CheckResult {
    const est = toEstimate(estimate)
    const { rpm, tpm, maxConcurrent } = this.share ? shareOf(this.limits, this.share()) : this.limits
    let reason: BlockReason | undefined
    let waitMs = 0
    const consider = (r: BlockReason, ms: number) => {
      if (ms <= 0) return
      if (reason === undefined || ms > waitMs) {
        reason = r
        waitMs = ms
      }
    }
    const upstream = this.upstream.check(est, now)
    if (upstream) consider(upstream.reason, upstream.waitMs)
    if (rpm !== undefined) consider('rpm', this.requests.waitFor(1, rpm, now))
    if (tpm !== undefined) {
      // Oversized: fits only an empty window (see the header comment).
      consider('tpm', this.tokens.waitFor(Math.min(totalTokens(est), tpm), tpm, now))
    }
    const noSlot = maxConcurrent !== undefined && this.inFlight >= maxConcurrent
    if (noSlot) return { ok: false, reason: 'concurrency', retryAfterMs: waitMs }
    return reason === undefined ? { ok: true } : { ok: false, reason, retryAfterMs: waitMs }
  }

  /**
   * Records the request as sent and returns its lease. Does not check: callers check first
   * (the admission queue does), so that the decision and the charge happen at the same `now`.
   */
  admit(estimate: EstimateInput, now: number = this.clock()): Lease {
    const est = toEstimate(estimate)
    const tokens = totalTokens(est)
    // Exact windows only where a limit reads them; a limit set later counts from then on.
    const request = this.limits.rpm !== undefined ? this.requests.add(1, now) : undefined
    const reservation = this.limits.tpm !== undefined ? this.tokens.add(tokens, now) : undefined
    this.rate.add(now, 1, tokens)
    this.upstream.spend(est)
    this.inFlight++
    return this.lease(est, now, request, reservation)
  }

  /** Learns the upstream's remaining budget and cooldown from a response's headers. */
  learn(headers: HeaderSource, now: number = this.clock()): void {
    const learned = parseRateLimitHeaders(headers, now)
    if (Object.keys(learned.budgets).length === 0 && learned.retryAt === undefined) return
    this.learnFacts(learned, now)
  }

  /** Nothing may go to this upstream before `until` (an error that says so without headers). */
  coolDown(until: number, now: number = this.clock()): void {
    if (until > now) this.learnFacts({ budgets: {}, retryAt: until }, now)
  }

  private learnFacts(learned: LearnedLimits, now: number): void {
    this.upstream.learn(learned, now)
    this.learnListener?.(learned, now)
    this.changed()
  }

  /** Team mode: where what this limiter learns is shared (one listener). */
  onLearn(listener: ((learned: LearnedLimits, now: number) => void) | undefined): void {
    this.learnListener = listener
  }

  /** Team mode: the learned upstream state as the team knows it replaces this copy. */
  mirrorUpstream(view: Parameters<UpstreamBudget['replace']>[0], now: number = this.clock()): void {
    this.upstream.replace(view, now)
    this.changed()
  }

  /** Any configured limit (a provider without one costs a team nothing). */
  hasLimits(): boolean {
    return this.limits.rpm !== undefined || this.limits.tpm !== undefined || this.limits.maxConcurrent !== undefined
  }

  /** Whether something learned from the upstream still applies now (a budget or a cooldown). */
  hasUpstreamState(now: number = this.clock()): boolean {
    return this.upstream.active(now)
  }

  /** Whether admission here depends on a request's token estimate (a TPM limit or a learned token budget). */
  needsTokenEstimate(): boolean {
    return this.limits.tpm !== undefined || this.upstream.countsTokens()
  }

  inFlightCount(): number {
    return this.inFlight
  }

  snapshot(now: number = this.clock()): LimiterSnapshot {
    return {
      inFlight: this.inFlight,
      maxConcurrent: this.limits.maxConcurrent,
      rpm: { used: this.limits.rpm !== undefined ? this.requests.used(now) : this.rate.used(now).requests, limit: this.limits.rpm },
      tpm: { used: this.limits.tpm !== undefined ? this.tokens.used(now) : this.rate.used(now).tokens, limit: this.limits.tpm },
      upstream: this.upstream.view(now),
    }
  }

  /** Called whenever capacity may have grown; returns an unsubscribe function. */
  onChange(listener: () => void): () => void {
    this.listeners.add(listener)
    return () => this.listeners.delete(listener)
  }

  private lease(estimate: TokenEstimate, at: number, request: WindowEntry | undefined, reservation: WindowEntry | undefined): Lease {
    return new LimiterLease(this, estimate, at, request, reservation)
  }

  /** A lease's end (LimiterLease calls it once): settled with the tokens used, or cancelled. */
  ended(lease: LimiterLease, actualTokens: number | undefined, cancelled: boolean): void {
    this.inFlight--
    if (cancelled) {
      if (lease.request) this.requests.adjust(lease.request, 0)
      if (lease.reservation) this.tokens.adjust(lease.reservation, 0)
      this.rate.adjust(lease.at, -1, -lease.reserved, this.clock())
      this.upstream.refund(lease.estimate)
    } else if (actualTokens !== undefined && Number.isFinite(actualTokens)) {
      if (lease.reservation) this.tokens.adjust(lease.reservation, actualTokens)
      this.rate.adjust(lease.at, 0, actualTokens - lease.reserved, this.clock())
    }
    this.changed()
  }

  private changed(): void {
    for (const listener of this.listeners) listener()
  }
}

/** A share of each limit (at least 1: an instance alone must still be able to serve). */
function shareOf(limits: Limits, divisor: number): Limits {
  if (!(divisor > 1)) return limits
  const part = (n: number | undefined) => (n === undefined ? undefined : Math.max(1, Math.floor(n / divisor)))
  return { rpm: part(limits.rpm), tpm: part(limits.tpm), maxConcurrent: part(limits.maxConcurrent) }
}

// Config validation already rejects non-positive limits; this guards direct callers (per-app
// limits may come from elsewhere) so that a 0 or NaN never means "block everything forever".
function normalizeLimits(limits: Limits): Limits {
  const positive = (n: number | undefined) => (n !== undefined && Number.isFinite(n) && n > 0 ? n : undefined)
  return { rpm: positive(limits.rpm), tpm: positive(limits.tpm), maxConcurrent: positive(limits.maxConcurrent) }
}

/**
 * One admitted request's hold on a limiter. A class, not an object literal: a literal with a
 * getter and three closures cost about 800 bytes per request.
 */
class LimiterLease implements Lease {
  done = false
  readonly reserved: number

  constructor(
    private readonly limiter: ProviderLimiter,
    readonly estimate: TokenEstimate,
    readonly at: number,
    readonly request: WindowEntry | undefined,
    readonly reservation: WindowEntry | undefined,
  ) {
    this.reserved = totalTokens(estimate)
  }

  settle(actualTokens?: number): void {
    if (this.done) return
    this.done = true
    this.limiter.ended(this, actualTokens, false)
  }

  cancel(): void {
    if (this.done) return
    this.done = true
    this.limiter.ended(this, undefined, true)
  }
}
