// Recent admission waits for the p50/p95 shown in stats: a fixed ring of the last N samples,
// so memory is constant and old bursts fade out. Sorting 256 numbers happens only when a
// snapshot is taken (a few times a second at most), never on the request path.

export interface WaitSummary {
  p50: number
  p95: number
  /** How many samples the percentiles are computed over (at most the ring size). */
  samples: number
}

export class WaitStats {
  private readonly ring: Float64Array
  private next = 0
  private count = 0

  constructor(size = 256) {
    this.ring = new Float64Array(size)
  }

  record(waitMs: number): void {
    this.ring[this.next] = waitMs
    this.next = (this.next + 1) % this.ring.length
    if (this.count < this.ring.length) this.count++
  }

  summary(): WaitSummary {
    if (this.count === 0) return { p50: 0, p95: 0, samples: 0 }
    const sorted = this.ring.slice(0, this.count).sort()
    return { p50: percentile(sorted, 0.5), p95: percentile(sorted, 0.95), samples: this.count }
  }
}

/** Nearest-rank percentile of an ascending array. */
function percentile(sorted: Float64Array, q: number): number {
  const rank = Math.max(1, Math.ceil(q * sorted.length))
  return sorted[rank - 1]!
}
