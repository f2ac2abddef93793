import { describe, expect, it } from 'vitest'
import { SlidingWindow, WINDOW_MS } from '../../../../src/main/gateway/admission/slidingWindow'
import { seededRandom } from '../../../helpers/random'

describe('SlidingWindow', () => {
  it('counts an entry for exactly 60 s after it was recorded', () => {
    const w = new SlidingWindow()
    w.add(5, 1000)
    expect(w.used(1000)).toBe(5)
    expect(w.used(1000 + WINDOW_MS - 1)).toBe(5)
    expect(w.used(1000 + WINDOW_MS)).toBe(0)
  })

  it('has no double burst at a minute boundary', () => {
    const w = new SlidingWindow()
    const limit = 10
    // A full burst just before a "minute" boundary...
    for (let i = 0; i < limit; i++) w.add(1, 59_999)
    // ...leaves no room just after it: a fixed window would have reset at 60 000.
    expect(w.waitFor(1, limit, 60_000)).toBe(59_999 + WINDOW_MS - 60_000)
    expect(w.waitFor(1, limit, 59_999 + WINDOW_MS)).toBe(0)
  })

  it('computes the exact wait until an amount fits', () => {
    const w = new SlidingWindow()
    w.add(40, 0)
    w.add(30, 10_000)
    w.add(20, 20_000)
    // used 90 of 100; 10 fits now, 11 needs the first entry gone (at 60 000).
    expect(w.waitFor(10, 100, 30_000)).toBe(0)
    expect(w.waitFor(11, 100, 30_000)).toBe(30_000)
    // 60 must free 50: the first two entries, so until 70 000.
    expect(w.waitFor(60, 100, 30_000)).toBe(40_000)
    expect(w.waitFor(101, 100, 30_000)).toBe(Infinity)
  })

  it('adjusts a reservation in place, keeping its timestamp', () => {
    const w = new SlidingWindow()
    const r = w.add(1000, 0)
    w.add(10, 30_000)
    w.adjust(r, 200) // release the unused part
    expect(w.used(30_000)).toBe(210)
    w.adjust(r, 1500) // charge an overrun
    expect(w.used(30_000)).toBe(1510)
    expect(r.at).toBe(0)
    // it still leaves the window at its original time
    expect(w.used(WINDOW_MS)).toBe(10)
    w.adjust(r, 5000) // after expiry: no effect on the window
    expect(w.used(WINDOW_MS)).toBe(10)
  })

  it('keeps timestamps ordered if the clock steps back', () => {
    const w = new SlidingWindow()
    w.add(1, 10_000)
    const e = w.add(1, 9_000)
    expect(e.at).toBe(10_000)
    expect(w.used(10_000 + WINDOW_MS - 1)).toBe(2)
  })

  it('stays bounded: old entries are pruned', () => {
    const w = new SlidingWindow()
    for (let t = 0; t < 10 * WINDOW_MS; t += 10) w.add(1, t)
    const now = 10 * WINDOW_MS
    expect(w.size(now)).toBe(WINDOW_MS / 10 - 1)
    expect(w.used(now)).toBe(WINDOW_MS / 10 - 1)
  })

  it('agrees with a brute-force window over random operations', () => {
    for (let seed = 1; seed <= 20; seed++) {
      const rnd = seededRandom(seed)
      const w = new SlidingWindow()
      const log: { at: number; amount: number; handle: ReturnType<SlidingWindow['add']> }[] = []
      let now = 0
      for (let i = 0; i < 400; i++) {
        now += Math.floor(rnd() * 3000)
        if (rnd() < 0.7 || log.length === 0) {
          const amount = Math.floor(rnd() * 100)
          log.push({ at: now, amount, handle: w.add(amount, now) })
        } else {
          const pick = log[Math.floor(rnd() * log.length)]!
          pick.amount = Math.floor(rnd() * 100)
          // expired entries no longer count, whatever their new amount
          w.adjust(pick.handle, pick.amount)
        }
        const brute = log.filter((e) => e.at > now - WINDOW_MS).reduce((s, e) => s + e.amount, 0)
        expect(w.used(now)).toBe(brute)
        const limit = 3000
        const amount = Math.floor(rnd() * 500)
        const wait = w.waitFor(amount, limit, now)
        // the wait is the first instant it fits, not later, not earlier
        const usedAt = (t: number) => log.filter((e) => e.at > t - WINDOW_MS && e.at <= now).reduce((s, e) => s + e.amount, 0)
        expect(usedAt(now + wait) + amount).toBeLessThanOrEqual(limit)
        if (wait > 0) expect(usedAt(now + wait - 1) + amount).toBeGreaterThan(limit)
      }
    }
  })
})
