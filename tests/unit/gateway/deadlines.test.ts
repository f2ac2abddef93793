import { afterEach, describe, expect, it, vi } from 'vitest'
import { DeadlineWheel, type Deadlined } from '../../../src/main/gateway/forward/deadlines'
import { ThrottledLog } from '../../../src/main/gateway/common/logThrottle'
import type { Logger } from '../../../src/main/gateway/common/log'

afterEach(() => vi.useRealTimers())

function entry(deadline: number): Deadlined & { expired: number } {
  return {
    deadline,
    expired: 0,
    expire() {
      this.expired++
    },
  }
}

describe('DeadlineWheel', () => {
  it('expires each overdue entry once, within a tick, and leaves the others', () => {
    vi.useFakeTimers({ now: 1_000 })
    const wheel = new DeadlineWheel(25)
    const soon = entry(1_100)
    const later = entry(5_000)
    const paused = entry(Infinity)
    for (const e of [soon, later, paused]) wheel.add(e)
    vi.advanceTimersByTime(99)
    expect(soon.expired).toBe(0)
    vi.advanceTimersByTime(26)
    expect(soon.expired).toBe(1)
    vi.advanceTimersByTime(1_000)
    expect([soon.expired, later.expired, paused.expired]).toEqual([1, 0, 0])
    later.deadline = 3_000 // an attempt moves its deadline forward or back by assignment alone
    vi.advanceTimersByTime(1_000)
    expect(later.expired).toBe(1)
    expect(paused.expired).toBe(0)
  })

  it('never expires a deleted entry, and stops ticking when empty', () => {
    vi.useFakeTimers({ now: 0 })
    const wheel = new DeadlineWheel(10)
    const e = entry(50)
    wheel.add(e)
    wheel.delete(e)
    vi.advanceTimersByTime(200)
    expect(e.expired).toBe(0)
    expect(vi.getTimerCount()).toBe(0)
    wheel.add(entry(10))
    expect(vi.getTimerCount()).toBe(1)
  })
})

describe('ThrottledLog', () => {
  it('logs one line per key per interval, carrying how many were folded into it', () => {
    const lines: Array<[Record<string, unknown>, string]> = []
    const logger = { warn: (obj: Record<string, unknown>, msg: string) => lines.push([obj, msg]) } as unknown as Logger
    const log = new ThrottledLog(logger, 1000)
    for (let i = 0; i < 50; i++) log.warn('p:connect_error', { provider: 'p' }, 'upstream failed', 10_000 + i)
    log.warn('q:connect_error', { provider: 'q' }, 'upstream failed', 10_010)
    log.warn('p:connect_error', { provider: 'p' }, 'upstream failed', 11_001)
    expect(lines).toEqual([
      [{ provider: 'p' }, 'upstream failed'],
      [{ provider: 'q' }, 'upstream failed'],
      [{ provider: 'p', similarSuppressed: 49 }, 'upstream failed'],
    ])
  })
})
