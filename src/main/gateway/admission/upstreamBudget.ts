// What the upstream last told us about its own limits, and what we have sent since. A learned
// budget is the upstream's "remaining" count at the time of a response; every request admitted
// after that spends from it until its reset time, when the budget is forgotten (the next
// response teaches a fresh one). A Retry-After puts the provider in cooldown until then.
import type { TokenEstimate } from './tokenEstimate'
import type { BudgetKind, LearnedLimits } from './upstreamHeaders'
import { WINDOW_MS } from './slidingWindow'

// A "remaining" without a reset time is trusted for one window: long enough to stop a burst,
// short enough that a missing header cannot block a provider for good.
const DEFAULT_RESET_MS = WINDOW_MS
// Bounds a bogus or far-future Retry-After / reset (daily quotas, skewed clocks): after this
// the provider is tried again, and a real limit simply teaches the cooldown once more.
export const MAX_UPSTREAM_WAIT_MS = 10 * 60_000

interface Budget {
  remaining: number
  resetAt: number
  spent: number
}

export interface UpstreamBudgetView {
  requestsRemaining?: number
  tokensRemaining?: number
  inputTokensRemaining?: number
  outputTokensRemaining?: number
  /** Earliest reset among the budgets shown. */
  resetAt?: number
  cooldownUntil?: number
}

export type UpstreamBlock = { reason: 'cooldown' | 'upstream-budget'; waitMs: number }

export class UpstreamBudget {
  private budgets = new Map<BudgetKind, Budget>()
  private cooldownUntil = 0

  learn(learned: LearnedLimits, now: number): void {
    for (const [kind, b] of Object.entries(learned.budgets) as [BudgetKind, { remaining: number; resetAt?: number }][]) {
      const resetAt = Math.min(b.resetAt ?? now + DEFAULT_RESET_MS, now + MAX_UPSTREAM_WAIT_MS)
      if (resetAt <= now) this.budgets.delete(kind) // already restored
      else this.budgets.set(kind, { remaining: b.remaining, resetAt, spent: 0 })
    }
    if (learned.retryAt !== undefined) {
      // Responses can arrive out of order; keep the longest cooldown anyone asked for.
      this.cooldownUntil = Math.max(this.cooldownUntil, Math.min(learned.retryAt, now + MAX_UPSTREAM_WAIT_MS))
    }
  }

  /**
   * Takes over the state another instance shared (team mode): the budgets and cooldown as the
   * shared store holds them, in times relative to `now`.
   */
  replace(view: { cooldownMs?: number; budgets: Partial<Record<BudgetKind, { remaining: number; resetMs: number; spent: number }>> }, now: number): void {
    this.budgets = new Map()
    for (const [kind, b] of Object.entries(view.budgets) as [BudgetKind, { remaining: number; resetMs: number; spent: number }][]) {
      if (b.resetMs > 0) this.budgets.set(kind, { remaining: b.remaining, resetAt: now + Math.min(b.resetMs, MAX_UPSTREAM_WAIT_MS), spent: b.spent })
    }
    this.cooldownUntil = view.cooldownMs !== undefined && view.cooldownMs > 0 ? now + Math.min(view.cooldownMs, MAX_UPSTREAM_WAIT_MS) : 0
  }

  /** Whether anything learned still applies (then a team shares this limiter's decisions). */
  active(now: number): boolean {
    this.expire(now)
    return this.budgets.size > 0 || this.cooldownUntil > now
  }

  /** Why the upstream would refuse this request now, and for how long; undefined if it would not. */
  check(estimate: TokenEstimate, now: number): UpstreamBlock | undefined {
    this.expire(now)
    if (this.cooldownUntil > now) return { reason: 'cooldown', waitMs: this.cooldownUntil - now }
    let waitMs = 0
    for (const [kind, budget] of this.budgets) {
      if (budget.spent + cost(kind, estimate) > budget.remaining) waitMs = Math.max(waitMs, budget.resetAt - now)
    }
    return waitMs > 0 ? { reason: 'upstream-budget', waitMs } : undefined
  }

  /** Whether a learned budget counts tokens (then requests need a token estimate). */
  countsTokens(): boolean {
    for (const kind of this.budgets.keys()) if (kind !== 'requests') return true
    return false
  }

  spend(estimate: TokenEstimate): void {
    for (const [kind, budget] of this.budgets) budget.spent += cost(kind, estimate)
  }

  /** A request that never reached the upstream gives back what it spent. */
  refund(estimate: TokenEstimate): void {
    for (const [kind, budget] of this.budgets) budget.spent = Math.max(0, budget.spent - cost(kind, estimate))
  }

  view(now: number): UpstreamBudgetView | undefined {
    this.expire(now)
    if (this.budgets.size === 0 && this.cooldownUntil <= now) return undefined
    const left = (kind: BudgetKind) => {
      const b = this.budgets.get(kind)
      return b === undefined ? undefined : Math.max(0, b.remaining - b.spent)
    }
    const resets = [...this.budgets.values()].map((b) => b.resetAt)
    return {
      requestsRemaining: left('requests'),
      tokensRemaining: left('tokens'),
      inputTokensRemaining: left('inputTokens'),
      outputTokensRemaining: left('outputTokens'),
      resetAt: resets.length > 0 ? Math.min(...resets) : undefined,
      cooldownUntil: this.cooldownUntil > now ? this.cooldownUntil : undefined,
    }
  }

  private expire(now: number): void {
    for (const [kind, budget] of this.budgets) if (budget.resetAt <= now) this.budgets.delete(kind)
  }
}

function cost(kind: BudgetKind, estimate: TokenEstimate): number {
  switch (kind) {
    case 'requests':
      return 1
    case 'tokens':
      return estimate.input + estimate.output
    case 'inputTokens':
      return estimate.input
    case 'outputTokens':
      return estimate.output
  }
}
