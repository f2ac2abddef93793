// One coarse timer for every upstream attempt's first-byte and idle deadlines, instead of a
// setTimeout created, refreshed and cleared per request and per chunk. An attempt only moves a
// number (`deadline`); the wheel ticks while attempts are registered and expires the overdue ones.
// Precision is one tick, which is nothing next to timeouts measured in seconds or minutes.

export interface Deadlined {
  /** Epoch ms after which `expire` is called; Infinity while paused. */
  deadline: number
  expire(): void
}

export class DeadlineWheel {
  private readonly entries = new Set<Deadlined>()
  private timer: NodeJS.Timeout | undefined

  constructor(private readonly tickMs = 25) {}

  add(entry: Deadlined): void {
    this.entries.add(entry)
    if (!this.timer) {
      this.timer = setInterval(this.tick, this.tickMs)
      this.timer.unref()
    }
  }

  delete(entry: Deadlined): void {
    this.entries.delete(entry)
  }

  private readonly tick = (): void => {
    if (this.entries.size === 0) {
      clearInterval(this.timer)
      this.timer = undefined
      return
    }
    const now = Date.now()
    for (const entry of this.entries) {
      if (entry.deadline <= now) {
        this.entries.delete(entry)
        try {
          entry.expire()
        } catch {
          // An entry's own failure must not stop the others' deadlines (nor reach the process).
        }
      }
    }
  }
}

export const deadlines = new DeadlineWheel()
