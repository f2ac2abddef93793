// Warnings about upstream trouble repeat by the thousand when a backend is down under load.
// One line per (key) per interval, carrying how many were folded into it, keeps the log useful
// and keeps synchronous log writes off a hot path that is already struggling.
import type { Logger } from './log'

export class ThrottledLog {
  private readonly last = new Map<string, { at: number; suppressed: number }>()

  constructor(
    private readonly logger: Logger,
    private readonly intervalMs = 1000,
  ) {}

  warn(key: string, obj: Record<string, unknown>, msg: string, now = Date.now()): void {
    const seen = this.last.get(key)
    if (seen && now - seen.at < this.intervalMs) {
      seen.suppressed++
      return
    }
    if (this.last.size > 1000) this.last.clear() // keys come from config and error codes; bounded anyway
    this.last.set(key, { at: now, suppressed: 0 })
    this.logger.warn(seen && seen.suppressed > 0 ? { ...obj, similarSuppressed: seen.suppressed } : obj, msg)
  }
}
