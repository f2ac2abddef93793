// Time comes in through these two small interfaces so that limiter and queue logic can be
// tested with a hand-driven clock, and so the one timer the admission controller needs is
// created in a single place where it is unref'd (a waiting request must not keep Node alive
// on its own; the HTTP server does that).

/** Milliseconds on the wall clock (Date.now scale): upstream reset times are absolute dates. */
export type Clock = () => number

export interface TimerHandle {
  cancel(): void
}

export interface Scheduler {
  /** Runs `fn` once after `delayMs`; the timer must not keep the process alive. */
  schedule(delayMs: number, fn: () => void): TimerHandle
}

export const systemClock: Clock = () => Date.now()

export const systemScheduler: Scheduler = {
  schedule(delayMs, fn) {
    const timer = setTimeout(fn, delayMs)
    timer.unref()
    return { cancel: () => clearTimeout(timer) }
  },
}
