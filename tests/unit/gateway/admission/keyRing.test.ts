// A key pool's rotation and rests, on a hand-driven clock.
import { describe, expect, it } from 'vitest'
import { KeyRing } from '../../../../src/main/gateway/admission/keyRing'
import { ProviderLimiter } from '../../../../src/main/gateway/admission/providerLimiter'

const E = { input: 1, output: 1 }

function ring(now: { t: number }) {
  return new KeyRing('p', (limits) => new ProviderLimiter(limits, () => now.t), () => undefined, () => now.t)
}

describe('KeyRing', () => {
  it('spreads by weight, evenly (smooth weighted round-robin: a, b, b never b, b, b, a)', () => {
    const now = { t: 1_000_000 }
    const r = ring(now)
    r.configure([
      { label: 'a', weight: 1 },
      { label: 'b', weight: 3 },
    ])
    const picks = Array.from({ length: 8 }, () => r.admit(E, now.t)!.key.label)
    expect(picks.filter((p) => p === 'a')).toHaveLength(2)
    expect(picks.filter((p) => p === 'b')).toHaveLength(6)
    expect(picks.join('')).not.toMatch(/bbbb/)
  })

  it('a 401 rests the key for minutes, a 429 without Retry-After for a growing pause; a success clears the trouble', () => {
    const now = { t: 1_000_000 }
    const r = ring(now)
    r.configure([{ label: 'a' }, { label: 'b' }])
    r.report('a', { status: 401 }, now.t)
    expect(Array.from({ length: 4 }, () => r.admit(E, now.t)!.key.label)).toEqual(['b', 'b', 'b', 'b'])
    expect(r.snapshot(now.t).find((k) => k.label === 'a')).toMatchObject({ available: false, trouble: 'auth', troubleStatus: 401 })
    r.report('b', { status: 429 }, now.t)
    expect(r.check(E, now.t)).toMatchObject({ ok: false, reason: 'cooldown', retryAfterMs: 1_000 })
    now.t += 1_000
    expect(r.admit(E, now.t)!.key.label).toBe('b')
    r.report('b', { status: 429 }, now.t)
    r.report('b', { status: 429 }, now.t)
    expect(r.check(E, now.t)).toMatchObject({ ok: false, retryAfterMs: 2_000 }) // 1 s, then 2 s: the cooldown keeps the longest
    now.t += 2_000
    r.report('b', { status: 200 }, now.t)
    expect(r.snapshot(now.t).find((k) => k.label === 'b')).toMatchObject({ available: true, trouble: undefined })
  })

  it('a 429 with Retry-After rests the key exactly that long', () => {
    const now = { t: 1_000_000 }
    const r = ring(now)
    r.configure([{ label: 'a' }])
    r.report('a', { status: 429, headers: { 'retry-after': '7' } }, now.t)
    expect(r.check(E, now.t)).toMatchObject({ ok: false, reason: 'cooldown', retryAfterMs: 7_000 })
  })

  it('a new config keeps the state of unchanged keys and starts over for a changed key', () => {
    const now = { t: 1_000_000 }
    const r = ring(now)
    r.configure([
      { label: 'a', fingerprint: 'x', limits: { rpm: 1 } },
      { label: 'b', fingerprint: 'y', limits: { rpm: 1 } },
    ])
    r.admit(E, now.t)
    r.admit(E, now.t)
    expect(r.check(E, now.t).ok).toBe(false)
    r.configure([
      { label: 'a', fingerprint: 'x', limits: { rpm: 1 } },
      { label: 'b', fingerprint: 'changed', limits: { rpm: 1 } },
    ])
    expect(r.admit(E, now.t)!.key.label).toBe('b')
    expect(r.check(E, now.t).ok).toBe(false)
  })
})
