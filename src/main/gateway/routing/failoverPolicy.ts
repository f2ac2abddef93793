// Whether a failed attempt moves on to the next candidate. Only before the first byte reached
// the client (DESIGN.md §2); never for client errors; at most `maxAttempts` per request; never
// past the request's deadline; and only while the gateway-wide retry budget lasts, so that a
// meltdown of every backend does not double the load we put on them.
import { isClientError, type AttemptOutcome } from '../common/attemptOutcome'

export interface FailoverOptions {
  /** Attempts per request, the first one included; default 3. */
  maxAttempts: number
  /** Backoff before attempt k+1 is uniform in [0, min(max, base × 2^(k-1))] ("full jitter"). */
  baseBackoffMs: number
  maxBackoffMs: number
  /** A retry needs at least this much time left before the deadline; default 250 ms. */
  minAttemptMs: number
}

export const DEFAULT_FAILOVER_OPTIONS: FailoverOptions = { maxAttempts: 3, baseBackoffMs: 25, maxBackoffMs: 1_000, minAttemptMs: 250 }

export interface FailoverInput {
  outcome: AttemptOutcome
  status?: number
  /** Attempts made so far, including the one that just failed (>= 1). */
  attempts: number
  /** Candidates not tried yet. */
  remaining: number
  /** Any byte already reached the client: the answer is committed. */
  firstByteSent: boolean
  now: number
  /** Epoch ms by which the request must be answered; none = no limit. */
  deadline?: number
  random(): number
}

export type FailoverReason =
  | 'retryable'
  | 'success'
  | 'client_aborted'
  | 'client_error'
  | 'committed'
  | 'max_attempts'
  | 'no_candidates'
  | 'deadline'
  | 'budget_exhausted'

export interface FailoverDecision {
  retry: boolean
  reason: FailoverReason
  /** Wait this long before the next attempt (0 when not retrying). */
  delayMs: number
}

/** Whether the outcome is worth another candidate at all, ignoring limits. */
export function isRetryableOutcome(outcome: AttemptOutcome, status?: number): boolean {
  switch (outcome) {
    case 'success':
    case 'client_aborted':
    case 'internal_error':
      return false
    case 'http_error':
    case 'stream_error':
      return !isClientError(status)
    default:
      return true
  }
}

export function backoffMs(attempts: number, random: () => number, opts: FailoverOptions = DEFAULT_FAILOVER_OPTIONS): number {
  const cap = Math.min(opts.maxBackoffMs, opts.baseBackoffMs * 2 ** Math.max(0, attempts - 1))
  return Math.floor(random() * cap)
}

/** The pure decision, without the retry budget. */
export function failoverDecision(input: FailoverInput, opts: FailoverOptions = DEFAULT_FAILOVER_OPTIONS): FailoverDecision {
  const stop = (reason: FailoverReason): FailoverDecision => ({ retry: false, reason, delayMs: 0 })
  if (input.outcome === 'success') return stop('success')
  if (input.outcome === 'client_aborted') return stop('client_aborted')
  if (input.firstByteSent) return stop('committed')
  if (!isRetryableOutcome(input.outcome, input.status)) return stop('client_error')
  if (input.attempts >= opts.maxAttempts) return stop('max_attempts')
  if (input.remaining <= 0) return stop('no_candidates')
  const delayMs = backoffMs(input.attempts, input.random, opts)
  if (input.deadline !== undefined && input.now + delayMs + opts.minAttemptMs > input.deadline) return stop('deadline')
  return { retry: true, reason: 'retryable', delayMs }
}

export interface RetryBudgetOptions {
  /** Each request earns this fraction of a retry; default 0.2 (retries add at most ~20 % load). */
  ratio: number
  /** Retries always allowed per second regardless of traffic (low-traffic floor); default 5. */
  minPerSecond: number
  /** Most retries that can be saved up; default 20. */
  capacity: number
}

export const DEFAULT_RETRY_BUDGET: RetryBudgetOptions = { ratio: 0.2, minPerSecond: 5, capacity: 20 }

/** Token bucket of retries: requests and time deposit, retries withdraw one token each. */
export class RetryBudget {
  private tokens: number
  private refilledAt: number | undefined

  constructor(private readonly opts: RetryBudgetOptions = DEFAULT_RETRY_BUDGET) {
    this.tokens = opts.capacity
  }

  /** Call once per incoming request. */
  onRequest(now: number): void {
    this.refill(now)
    this.tokens = Math.min(this.opts.capacity, this.tokens + this.opts.ratio)
  }

  tryWithdraw(now: number): boolean {
    this.refill(now)
    if (this.tokens < 1) return false
    this.tokens -= 1
    return true
  }

  available(now: number): number {
    this.refill(now)
    return this.tokens
  }

  private refill(now: number): void {
    if (this.refilledAt !== undefined && now > this.refilledAt) {
      this.tokens = Math.min(this.opts.capacity, this.tokens + ((now - this.refilledAt) / 1000) * this.opts.minPerSecond)
    }
    if (this.refilledAt === undefined || now > this.refilledAt) this.refilledAt = now
  }
}

/** The decision plus the budget: what the attempt loop calls after each failed attempt. */
export class FailoverPolicy {
  readonly options: FailoverOptions
  readonly budget: RetryBudget

  constructor(opts: Partial<FailoverOptions> = {}, budget = new RetryBudget()) {
    this.options = { ...DEFAULT_FAILOVER_OPTIONS, ...opts }
    this.budget = budget
  }

  /** Call once per incoming request (feeds the retry budget). */
  onRequest(now: number): void {
    this.budget.onRequest(now)
  }

  decide(input: FailoverInput): FailoverDecision {
    const decision = failoverDecision(input, this.options)
    if (!decision.retry) return decision
    if (!this.budget.tryWithdraw(input.now)) return { retry: false, reason: 'budget_exhausted', delayMs: 0 }
    return decision
  }
}
