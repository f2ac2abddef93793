// Keyed, jittered, non-overlapping repeating tasks (one per provider). Timers are unref'd so they
// never keep the process alive; close() stops everything. A run that is still going when its
// next turn comes is not doubled up: the next delay starts when the run ends.

export interface PeriodicOptions {
  intervalMs: number
  /** Fraction of the interval each delay varies by (0.2 = ±20 %), so backends are not hit in lockstep. */
  jitter?: number
  /** Delay of the first run, before jitter; default a random fraction of one interval (spreads start-up). */
  firstDelayMs?: number
  random?: () => number
}

interface Task {
  run: () => Promise<void>
  timer?: NodeJS.Timeout
  running?: Promise<void>
  stopped: boolean
}

export class PeriodicTasks {
  private readonly tasks = new Map<string, Task>()
  private readonly random: () => number
  private closed = false

  constructor(private readonly opts: PeriodicOptions) {
    this.random = opts.random ?? Math.random
  }

  /** Starts (or replaces) the task under `key`. */
  set(key: string, run: () => Promise<void>): void {
    if (this.closed) return
    this.delete(key)
    const task: Task = { run, stopped: false }
    this.tasks.set(key, task)
    const first = this.opts.firstDelayMs ?? this.random() * this.opts.intervalMs
    this.schedule(task, first)
  }

  delete(key: string): void {
    const task = this.tasks.get(key)
    if (!task) return
    task.stopped = true
    clearTimeout(task.timer)
    this.tasks.delete(key)
  }

  /** Runs the task now (or joins the run in progress) and resets its schedule. */
  async runNow(key: string): Promise<void> {
    const task = this.tasks.get(key)
    if (!task) return
    if (task.running) return task.running
    clearTimeout(task.timer)
    await this.execute(task)
  }

  close(): void {
    this.closed = true
    for (const key of [...this.tasks.keys()]) this.delete(key)
  }

  private schedule(task: Task, baseDelay: number): void {
    if (task.stopped) return
    const jitter = this.opts.jitter ?? 0.2
    const delay = Math.max(0, baseDelay * (1 + jitter * (2 * this.random() - 1)))
    task.timer = setTimeout(() => void this.execute(task), delay)
    task.timer.unref()
  }

  private async execute(task: Task): Promise<void> {
    if (task.stopped) return
    const running = task.run().catch(() => undefined) // tasks report their own errors
    task.running = running
    try {
      await running
    } finally {
      task.running = undefined
      this.schedule(task, this.opts.intervalMs)
    }
  }
}
