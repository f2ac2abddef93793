import { describe, expect, it } from 'vitest'
import { CircuitBreaker, DEFAULT_BREAKER_OPTIONS } from '../../../../src/main/gateway/health/circuitBreaker'
import { HealthRegistry } from '../../../../src/main/gateway/health/healthRegistry'
import { cand } from './fixtures'

const dead = { message: 'connect ECONNREFUSED' }

function clocked() {
  let now = 1_000_000
  const health = new HealthRegistry({ clock: () => now })
  return {
    health,
    get now() {
      return now
    },
    advance(ms: number) {
      now += ms
    },
  }
}

describe('circuit breaker', () => {
  it('opens after 3 consecutive dead signals, not before; a success in between resets the count', () => {
    const b = new CircuitBreaker()
    b.onFailure(0, dead)
    b.onFailure(1, dead)
    b.onSuccess(2)
    b.onFailure(3, dead)
    b.onFailure(4, dead)
    expect(b.state(5)).toBe('closed')
    b.onFailure(5, dead)
    expect(b.state(6)).toBe('open')
    expect(b.isAvailable(6)).toBe(false)
    expect(b.snapshot(6)).toMatchObject({ state: 'open', consecutiveFailures: 3, ejections: 1, ejectedUntil: 5 + 5_000, lastError: { message: 'connect ECONNREFUSED', at: 5 } })
  })

  it('grows the ejection time on repeat: 5 s, 10 s, 20 s … capped', () => {
    const b = new CircuitBreaker()
    let t = 0
    const durations: number[] = []
    for (let round = 0; round < 9; round++) {
      for (let i = 0; i < 3 && b.state(t) === 'closed'; i++) b.onFailure(t, dead)
      if (b.state(t) === 'half-open') {
        expect(b.tryAcquire(t)).toBe(true)
        b.onFailure(t, dead) // the trial fails: reopen, longer
      }
      const until = b.snapshot(t).ejectedUntil!
      durations.push(until - t)
      t = until
    }
    expect(durations).toEqual([5_000, 10_000, 20_000, 40_000, 80_000, 160_000, 300_000, 300_000, 300_000])
  })

  it('half-open lets exactly one trial through; others see it as open; success closes', () => {
    const b = new CircuitBreaker()
    for (let i = 0; i < 3; i++) b.onFailure(0, dead)
    expect(b.tryAcquire(4_999)).toBe(false)
    expect(b.state(5_000)).toBe('half-open')
    expect(b.isAvailable(5_000)).toBe(true)
    expect(b.tryAcquire(5_000)).toBe(true)
    expect(b.isAvailable(5_001)).toBe(false)
    expect(b.tryAcquire(5_001)).toBe(false)
    expect(b.tryAcquire(5_002)).toBe(false)
    b.onSuccess(5_100)
    expect(b.state(5_100)).toBe('closed')
    expect(b.tryAcquire(5_101)).toBe(true)
    expect(b.tryAcquire(5_101)).toBe(true)
  })

  it('a lost trial is forgotten after its lease; a neutral outcome frees it at once', () => {
    const b = new CircuitBreaker()
    for (let i = 0; i < 3; i++) b.onFailure(0, dead)
    expect(b.tryAcquire(5_000)).toBe(true)
    expect(b.tryAcquire(5_000 + DEFAULT_BREAKER_OPTIONS.trialLeaseMs - 1)).toBe(false)
    expect(b.tryAcquire(5_000 + DEFAULT_BREAKER_OPTIONS.trialLeaseMs)).toBe(true)
    b.onNeutral()
    expect(b.isAvailable(5_000 + DEFAULT_BREAKER_OPTIONS.trialLeaseMs + 1)).toBe(true)
  })

  it('busy (429/503) cools down for Retry-After without counting toward ejection', () => {
    const b = new CircuitBreaker()
    b.onFailure(0, dead)
    b.onFailure(0, dead)
    for (let i = 0; i < 10; i++) b.onBusy(10, 2_000)
    expect(b.state(10)).toBe('closed')
    expect(b.isAvailable(2_009)).toBe(false)
    expect(b.isAvailable(2_010)).toBe(true)
    expect(b.snapshot(20)).toMatchObject({ consecutiveFailures: 0, cooldownUntil: 2_010, lastError: { code: 'busy' } })
  })

  it('busy without Retry-After backs off 1 s, 2 s, 4 s … and caps even a huge Retry-After', () => {
    const b = new CircuitBreaker()
    b.onBusy(0)
    expect(b.snapshot(0).cooldownUntil).toBe(1_000)
    b.onBusy(1_000)
    expect(b.snapshot(1_000).cooldownUntil).toBe(3_000)
    b.onBusy(3_000)
    expect(b.snapshot(3_000).cooldownUntil).toBe(7_000)
    b.onBusy(7_000, 86_400_000)
    expect(b.snapshot(7_000).cooldownUntil).toBe(7_000 + DEFAULT_BREAKER_OPTIONS.maxCooldownMs)
  })

  it('a probe success closes an open circuit early, on probation: one more failure reopens it', () => {
    const b = new CircuitBreaker()
    for (let i = 0; i < 3; i++) b.onFailure(0, dead)
    b.onProbe(1_000, { ok: true, latencyMs: 3 })
    expect(b.state(1_000)).toBe('closed')
    expect(b.snapshot(1_000)).toMatchObject({ probation: true, lastProbe: { ok: true, at: 1_000, latencyMs: 3 } })
    b.onFailure(1_500, dead)
    expect(b.state(1_500)).toBe('open')
    expect(b.snapshot(1_500).ejectedUntil).toBe(1_500 + 10_000) // second ejection: longer
  })

  it('probe failures count as failures while closed', () => {
    const b = new CircuitBreaker()
    for (let i = 0; i < 3; i++) b.onProbe(i, { ok: false, latencyMs: 5_000, error: 'timeout' })
    expect(b.state(3)).toBe('open')
    expect(b.snapshot(3).lastError?.message).toContain('probe failed: timeout')
  })

  it('forgets the ejection growth after a long healthy spell', () => {
    const b = new CircuitBreaker()
    for (let i = 0; i < 3; i++) b.onFailure(0, dead)
    b.tryAcquire(5_000)
    b.onSuccess(5_000)
    const later = 5_000 + DEFAULT_BREAKER_OPTIONS.ejectionResetMs
    for (let i = 0; i < 3; i++) b.onFailure(later, dead)
    expect(b.snapshot(later)).toMatchObject({ ejections: 1, ejectedUntil: later + 5_000 })
  })
})

describe('health registry', () => {
  it('maps outcomes: 5xx/timeouts/resets are dead, 429/503/529 busy, 4xx neutral', () => {
    const h = clocked()
    for (const outcome of ['connect_error', 'timeout', 'reset'] as const) h.health.record({ providerId: 'dead', outcome })
    expect(h.health.snapshot(['dead'])[0]!.state).toBe('open')
    for (let i = 0; i < 5; i++) h.health.record({ providerId: 'busy', outcome: 'busy', status: 429, retryAfterMs: 3_000 })
    expect(h.health.snapshot(['busy'])[0]).toMatchObject({ state: 'closed', available: false, cooldownUntil: h.now + 3_000 })
    for (let i = 0; i < 5; i++) h.health.record({ providerId: 'picky', outcome: 'http_error', status: 400 })
    expect(h.health.snapshot(['picky'])[0]).toMatchObject({ state: 'closed', available: true, consecutiveFailures: 0 })
    for (let i = 0; i < 3; i++) h.health.record({ providerId: 'five', outcome: 'http_error', status: 502 })
    expect(h.health.snapshot(['five'])[0]!.state).toBe('open')
  })

  it('filters out ejected and cooling providers, keeping order', () => {
    const h = clocked()
    for (let i = 0; i < 3; i++) h.health.record({ providerId: 'b', outcome: 'connect_error' })
    h.health.record({ providerId: 'c', outcome: 'busy', status: 503 })
    const list = [cand('a'), cand('b'), cand('c'), cand('d')]
    expect(h.health.filterAvailable(list)).toEqual({ candidates: [list[0], list[3]], degraded: false })
  })

  it('never ejects every target: keeps the one expected to recover first', () => {
    const h = clocked()
    for (let i = 0; i < 3; i++) h.health.record({ providerId: 'a', outcome: 'connect_error' }) // back in 5 s
    h.advance(1_000)
    for (let i = 0; i < 3; i++) h.health.record({ providerId: 'b', outcome: 'timeout' }) // back in 6 s from start
    h.health.record({ providerId: 'c', outcome: 'busy', status: 429, retryAfterMs: 60_000 })
    const list = [cand('a'), cand('b'), cand('c')]
    const avail = h.health.filterAvailable(list)
    expect(avail).toEqual({ candidates: [list[0]], degraded: true, recoversAt: h.now + 4_000 })
    expect(h.health.acquire('a')).toBe(false)
    expect(h.health.acquire('a', true)).toBe(true) // the kept one may be forced through
    expect(h.health.filterAvailable([])).toEqual({ candidates: [], degraded: false })
  })

  it('the half-open trial is taken by acquire(); a second caller is refused and filtered out', () => {
    const h = clocked()
    for (let i = 0; i < 3; i++) h.health.record({ providerId: 'a', outcome: 'connect_error' })
    h.advance(5_000)
    const list = [cand('a'), cand('b')]
    expect(h.health.filterAvailable(list).candidates).toHaveLength(2)
    expect(h.health.acquire('a')).toBe(true)
    expect(h.health.acquire('a')).toBe(false)
    expect(h.health.filterAvailable(list).candidates).toEqual([list[1]])
    h.health.record({ providerId: 'a', outcome: 'success' })
    expect(h.health.snapshot(['a'])[0]!.state).toBe('closed')
  })

  it('retain() forgets removed providers', () => {
    const h = clocked()
    h.health.record({ providerId: 'gone', outcome: 'success' })
    h.health.record({ providerId: 'kept', outcome: 'success' })
    h.health.retain(['kept'])
    expect(h.health.snapshot().map((s) => s.providerId)).toEqual(['kept'])
  })
})
