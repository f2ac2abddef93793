import { describe, expect, it, vi } from 'vitest'
import { ProviderLimiter } from '../../../../src/main/gateway/admission/providerLimiter'
import { WINDOW_MS } from '../../../../src/main/gateway/admission/slidingWindow'
import { MAX_UPSTREAM_WAIT_MS } from '../../../../src/main/gateway/admission/upstreamBudget'

const T0 = Date.parse('2025-06-01T12:00:00Z')

describe('ProviderLimiter', () => {
  it('admits anything without limits', () => {
    const l = new ProviderLimiter()
    for (let i = 0; i < 1000; i++) l.admit(1_000_000, T0)
    expect(l.check(1_000_000, T0)).toEqual({ ok: true })
  })

  it('enforces rpm with the exact time until the oldest request leaves', () => {
    const l = new ProviderLimiter({ rpm: 2 })
    l.admit(0, T0)
    l.admit(0, T0 + 500)
    expect(l.check(0, T0 + 1000)).toEqual({ ok: false, reason: 'rpm', retryAfterMs: WINDOW_MS - 1000 })
    expect(l.check(0, T0 + WINDOW_MS).ok).toBe(true)
  })

  it('takes a shorter window length (loopback tests) for both rpm and tpm', () => {
    const l = new ProviderLimiter({ rpm: 1, tpm: 100 }, () => T0, 1_000)
    l.admit(100, T0)
    expect(l.check(1, T0 + 400)).toMatchObject({ ok: false, retryAfterMs: 600 })
    expect(l.check(1, T0 + 1_000).ok).toBe(true)
    expect(l.snapshot(T0 + 1_000)).toMatchObject({ rpm: { used: 0, limit: 1 }, tpm: { used: 0, limit: 100 } })
  })

  it('enforces tpm on the estimate (input + output)', () => {
    const l = new ProviderLimiter({ tpm: 1000 })
    l.admit({ input: 300, output: 300 }, T0)
    expect(l.check({ input: 200, output: 200 }, T0).ok).toBe(true)
    expect(l.check({ input: 200, output: 201 }, T0 + 10)).toEqual({ ok: false, reason: 'tpm', retryAfterMs: WINDOW_MS - 10 })
  })

  it('enforces maxConcurrent and frees the slot exactly once per lease', () => {
    const l = new ProviderLimiter({ maxConcurrent: 1 })
    const lease = l.admit(10, T0)
    expect(l.check(10, T0)).toEqual({ ok: false, reason: 'concurrency', retryAfterMs: 0 })
    lease.settle(5)
    lease.settle(5)
    lease.cancel()
    expect(lease.done).toBe(true)
    expect(l.inFlightCount()).toBe(0)
    const a = l.admit(1, T0)
    expect(l.inFlightCount()).toBe(1)
    a.settle()
    expect(l.inFlightCount()).toBe(0)
  })

  it('names the constraint that clears last and waits for all time-based ones', () => {
    const l = new ProviderLimiter({ rpm: 1, tpm: 100, maxConcurrent: 1 })
    l.admit(100, T0)
    l.admit(0, T0 + 20_000) // (a caller that skipped check) rpm now clears at T0 + 80 000
    expect(l.check(1, T0 + 30_000)).toEqual({ ok: false, reason: 'concurrency', retryAfterMs: 50_000 })
  })

  describe('reservation and reconciliation', () => {
    it('releases the unused part of the estimate, keeping the original timestamp', () => {
      const l = new ProviderLimiter({ tpm: 10_000 })
      const lease = l.admit({ input: 1000, output: 4000 }, T0)
      expect(l.snapshot(T0).tpm.used).toBe(5000)
      lease.settle(1800)
      expect(l.snapshot(T0 + 40_000).tpm.used).toBe(1800)
      expect(l.snapshot(T0 + WINDOW_MS - 1).tpm.used).toBe(1800)
      expect(l.snapshot(T0 + WINDOW_MS).tpm.used).toBe(0) // left at its original time
    })

    it('charges an overrun', () => {
      const l = new ProviderLimiter({ tpm: 10_000 })
      const lease = l.admit(1000, T0)
      l.admit(500, T0 + 1)
      lease.settle(9000)
      expect(l.snapshot(T0 + 2).tpm.used).toBe(9500)
      expect(l.check(600, T0 + 2)).toEqual({ ok: false, reason: 'tpm', retryAfterMs: WINDOW_MS - 2 })
    })

    it('keeps the estimate charged when usage is unknown, refunds everything on cancel', () => {
      const l = new ProviderLimiter({ rpm: 10, tpm: 10_000 })
      l.admit(700, T0).settle(undefined)
      const never = l.admit(300, T0)
      never.cancel()
      expect(l.snapshot(T0)).toMatchObject({ rpm: { used: 1 }, tpm: { used: 700 }, inFlight: 0 })
    })
  })

  describe('an estimate larger than the whole TPM limit', () => {
    it('is admitted only into an empty window, then charged in full', () => {
      const l = new ProviderLimiter({ tpm: 1000 })
      expect(l.check(5000, T0).ok).toBe(true)
      l.admit(10, T0)
      // Waits for the window to drain — a finite time, never forever.
      expect(l.check(5000, T0 + 1000)).toEqual({ ok: false, reason: 'tpm', retryAfterMs: WINDOW_MS - 1000 })
      expect(l.check(5000, T0 + WINDOW_MS).ok).toBe(true)
      l.admit(5000, T0 + WINDOW_MS)
      expect(l.check(1, T0 + WINDOW_MS + 1)).toEqual({ ok: false, reason: 'tpm', retryAfterMs: WINDOW_MS - 1 })
    })
  })

  describe('live limit changes', () => {
    it('keeps the window and in-flight leases', () => {
      const l = new ProviderLimiter({ rpm: 10, maxConcurrent: 2 })
      const a = l.admit(0, T0)
      l.admit(0, T0)
      l.setLimits({ rpm: 2, maxConcurrent: 5 })
      expect(l.check(0, T0 + 1)).toMatchObject({ ok: false, reason: 'rpm' })
      l.setLimits({ rpm: 3, maxConcurrent: 2 })
      expect(l.check(0, T0 + 1)).toMatchObject({ ok: false, reason: 'concurrency' })
      a.settle(0)
      expect(l.check(0, T0 + 1).ok).toBe(true)
      expect(l.snapshot(T0 + 1)).toMatchObject({ inFlight: 1, rpm: { used: 2, limit: 3 } })
    })

    it('tells listeners when capacity may have grown', () => {
      const l = new ProviderLimiter({ maxConcurrent: 1 })
      const listener = vi.fn()
      const off = l.onChange(listener)
      const lease = l.admit(0, T0)
      expect(listener).not.toHaveBeenCalled()
      lease.settle(0)
      l.setLimits({ maxConcurrent: 2 })
      l.learn({ 'retry-after': '1' }, T0)
      l.learn({ unrelated: 'x' }, T0)
      expect(listener).toHaveBeenCalledTimes(3)
      off()
      l.setLimits({})
      expect(listener).toHaveBeenCalledTimes(3)
    })

    it('ignores non-positive limits rather than blocking forever', () => {
      const l = new ProviderLimiter({ rpm: 0, tpm: Number.NaN, maxConcurrent: -1 })
      expect(l.getLimits()).toEqual({ rpm: undefined, tpm: undefined, maxConcurrent: undefined })
      expect(l.check(10, T0).ok).toBe(true)
    })
  })

  describe('learning from upstream headers', () => {
    it('stops before the OpenAI request budget runs out, until its reset', () => {
      const l = new ProviderLimiter()
      l.learn({ 'x-ratelimit-remaining-requests': '2', 'x-ratelimit-reset-requests': '6m0s' }, T0)
      l.admit(0, T0)
      l.admit(0, T0)
      expect(l.check(0, T0 + 1000)).toEqual({ ok: false, reason: 'upstream-budget', retryAfterMs: 359_000 })
      expect(l.check(0, T0 + 360_000).ok).toBe(true)
      expect(l.snapshot(T0 + 360_000).upstream).toBeUndefined()
    })

    it('spends the OpenAI token budget with the estimate', () => {
      const l = new ProviderLimiter()
      l.learn({ 'x-ratelimit-remaining-tokens': '1000', 'x-ratelimit-reset-tokens': '20ms' }, T0)
      l.admit({ input: 600, output: 300 }, T0)
      expect(l.check(100, T0).ok).toBe(true)
      expect(l.check(101, T0)).toEqual({ ok: false, reason: 'upstream-budget', retryAfterMs: 20 })
      expect(l.snapshot(T0).upstream).toMatchObject({ tokensRemaining: 100, resetAt: T0 + 20 })
    })

    it('checks Anthropic input and output budgets separately', () => {
      const l = new ProviderLimiter()
      l.learn(
        {
          'anthropic-ratelimit-input-tokens-remaining': '5000',
          'anthropic-ratelimit-input-tokens-reset': '2025-06-01T12:00:10Z',
          'anthropic-ratelimit-output-tokens-remaining': '1000',
          'anthropic-ratelimit-output-tokens-reset': '2025-06-01T12:00:04Z',
        },
        T0,
      )
      expect(l.check({ input: 4000, output: 1000 }, T0).ok).toBe(true)
      expect(l.check({ input: 100, output: 1001 }, T0)).toEqual({ ok: false, reason: 'upstream-budget', retryAfterMs: 4000 })
      expect(l.check({ input: 5001, output: 10 }, T0)).toEqual({ ok: false, reason: 'upstream-budget', retryAfterMs: 10_000 })
    })

    it('cools down after Retry-After in seconds or as an HTTP date', () => {
      const a = new ProviderLimiter()
      a.learn({ 'retry-after': '20' }, T0)
      expect(a.check(0, T0 + 5000)).toEqual({ ok: false, reason: 'cooldown', retryAfterMs: 15_000 })
      expect(a.check(0, T0 + 20_000).ok).toBe(true)

      const b = new ProviderLimiter()
      b.learn(new Headers({ 'Retry-After': new Date(T0 + 30_000).toUTCString() }), T0)
      expect(b.check(0, T0)).toEqual({ ok: false, reason: 'cooldown', retryAfterMs: 30_000 })
    })

    it('keeps the longest cooldown and caps absurd ones', () => {
      const l = new ProviderLimiter()
      l.learn({ 'retry-after': '30' }, T0)
      l.learn({ 'retry-after': '1' }, T0)
      expect(l.check(0, T0)).toMatchObject({ retryAfterMs: 30_000 })
      l.learn({ 'retry-after': String(7 * 24 * 3600) }, T0)
      expect(l.check(0, T0)).toMatchObject({ reason: 'cooldown', retryAfterMs: MAX_UPSTREAM_WAIT_MS })
    })

    it('trusts a remaining count without reset for one window, and a cancel gives the budget back', () => {
      const l = new ProviderLimiter()
      l.learn({ 'x-ratelimit-remaining-requests': '1' }, T0)
      const lease = l.admit(0, T0)
      expect(l.check(0, T0)).toEqual({ ok: false, reason: 'upstream-budget', retryAfterMs: WINDOW_MS })
      lease.cancel()
      expect(l.check(0, T0).ok).toBe(true)
    })

    it('a fresh response replaces what was spent from the old budget', () => {
      const l = new ProviderLimiter()
      l.learn({ 'x-ratelimit-remaining-requests': '1', 'x-ratelimit-reset-requests': '30s' }, T0)
      l.admit(0, T0)
      expect(l.check(0, T0).ok).toBe(false)
      l.learn({ 'x-ratelimit-remaining-requests': '5', 'x-ratelimit-reset-requests': '30s' }, T0 + 100)
      expect(l.check(0, T0 + 100).ok).toBe(true)
    })
  })
})
