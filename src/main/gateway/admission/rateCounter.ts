// Requests and tokens over roughly the last minute, for display only: 60 one-second buckets in a
// ring, so counting costs no allocation. Limits are enforced by the exact SlidingWindow instead;
// a provider without limits (most local ones) only pays for this.
const BUCKETS = 60

export class RateCounter {
  private readonly seconds = new Float64Array(BUCKETS)
  private readonly requests = new Float64Array(BUCKETS)
  private readonly tokens = new Float64Array(BUCKETS)

  add(now: number, requests: number, tokens: number): void {
    const i = this.slot(now)
    this.requests[i]! += requests
    this.tokens[i]! += tokens
  }

  /** Corrects what was recorded at `at` (a reservation reconciled, a request cancelled). */
  adjust(at: number, requests: number, tokens: number, now: number): void {
    const second = Math.floor(at / 1000)
    if (Math.floor(now / 1000) - second >= BUCKETS) return // already out of the window
    const i = second % BUCKETS
    if (this.seconds[i] !== second) return
    this.requests[i] = Math.max(0, this.requests[i]! + requests)
    this.tokens[i] = Math.max(0, this.tokens[i]! + tokens)
  }

  used(now: number): { requests: number; tokens: number } {
    return this.usedSince(now, BUCKETS * 1000)
  }

  /** Totals of the last `spanMs` (whole seconds, up to a minute). */
  usedSince(now: number, spanMs: number): { requests: number; tokens: number } {
    const current = Math.floor(now / 1000)
    const span = Math.min(BUCKETS, Math.max(1, Math.round(spanMs / 1000)))
    let requests = 0
    let tokens = 0
    for (let i = 0; i < BUCKETS; i++) {
      if (current - this.seconds[i]! < span) {
        requests += this.requests[i]!
        tokens += this.tokens[i]!
      }
    }
    return { requests, tokens }
  }

  private slot(now: number): number {
    const second = Math.floor(now / 1000)
    const i = second % BUCKETS
    if (this.seconds[i] !== second) {
      this.seconds[i] = second
      this.requests[i] = 0
      this.tokens[i] = 0
    }
    return i
  }
}
