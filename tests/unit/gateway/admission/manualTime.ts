// A hand-driven clock and scheduler: tests move time explicitly and never sleep. Timers fire
// in time order (then creation order), with microtasks flushed after each, so promise
// callbacks observe the same `now` at which the code under test resolved them.
import type { Clock, Scheduler, TimerHandle } from '../../../../src/main/gateway/admission/clock'

interface Timer {
  at: number
  seq: number
  fn: () => void
  cancelled: boolean
}

export class ManualTime implements Scheduler {
  now: number
  private timers: Timer[] = []
  private seq = 0

  constructor(start = 1_000_000) {
    this.now = start
  }

  readonly clock: Clock = () => this.now

  schedule(delayMs: number, fn: () => void): TimerHandle {
    const timer: Timer = { at: this.now + Math.max(0, delayMs), seq: this.seq++, fn, cancelled: false }
    this.timers.push(timer)
    return { cancel: () => void (timer.cancelled = true) }
  }

  /** Timers not yet fired nor cancelled. */
  pending(): number {
    return this.timers.filter((t) => !t.cancelled).length
  }

  /** Fires due timers in order up to now + ms, then settles at now + ms. */
  async advance(ms: number): Promise<void> {
    await this.advanceTo(this.now + ms)
  }

  async advanceTo(target: number): Promise<void> {
    await flush()
    for (;;) {
      this.timers = this.timers.filter((t) => !t.cancelled)
      let next: Timer | undefined
      for (const t of this.timers) if (t.at <= target && (!next || t.at < next.at || (t.at === next.at && t.seq < next.seq))) next = t
      if (!next) break
      next.cancelled = true
      this.now = Math.max(this.now, next.at)
      next.fn()
      await flush()
    }
    this.now = Math.max(this.now, target)
    await flush()
  }
}

/** Lets every pending promise callback run. */
export function flush(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve))
}

/** Tracks a promise's outcome without awaiting it. */
export function track<T>(promise: Promise<T>): { state: 'pending' | 'fulfilled' | 'rejected'; value?: T; error?: unknown } {
  const out: { state: 'pending' | 'fulfilled' | 'rejected'; value?: T; error?: unknown } = { state: 'pending' }
  promise.then(
    (value) => Object.assign(out, { state: 'fulfilled', value }),
    (error: unknown) => Object.assign(out, { state: 'rejected', error }),
  )
  return out
}
