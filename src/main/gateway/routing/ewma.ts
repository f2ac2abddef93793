// An exponentially weighted mean that starts from a default and, once warmed up, refuses single
// samples far off the current estimate (a stalled request or a cache miss we did not foresee
// should nudge the estimate, not replace it).

export class Ewma {
  private current: number
  private n = 0

  constructor(
    initial: number,
    private readonly alpha = 0.2,
    /** After this many samples, a sample is clamped to [estimate / spread, estimate × spread]. */
    private readonly warmup = 3,
    private readonly spread = 4,
  ) {
    this.current = initial
  }

  get value(): number {
    return this.current
  }

  get samples(): number {
    return this.n
  }

  add(sample: number): void {
    if (!Number.isFinite(sample) || sample < 0) return
    let s = sample
    if (this.n >= this.warmup) s = Math.min(this.current * this.spread, Math.max(this.current / this.spread, s))
    // The first samples weigh more, so a default far from the truth is left behind quickly.
    const alpha = Math.max(this.alpha, 1 / (this.n + 1))
    this.current += alpha * (s - this.current)
    this.n++
  }
}
