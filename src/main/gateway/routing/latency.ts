// Smoothed time to first byte per provider, for the least-latency strategy. Pure: callers pass
// `now`. An estimate nobody refreshed for a while decays toward zero (optimism under
// uncertainty), so a provider that was slow or failing is tried again after it may have
// recovered, and one fresh measurement puts it back where it belongs.

export interface LatencyTrackerOptions {
  /** Weight of a new sample in the moving average; default 0.3. */
  alpha?: number
  /** Age after which an estimate starts to decay; default 30 s. */
  staleAfterMs?: number
  /** Half-life of the decay once stale; default 30 s. */
  halfLifeMs?: number
  /** Latency charged for a failed attempt when nothing worse is known; default 10 s. */
  failurePenaltyMs?: number
}

interface Entry {
  ewma: number
  updatedAt: number
  samples: number
}

export class LatencyTracker {
  private readonly entries = new Map<string, Entry>()
  private readonly alpha: number
  private readonly staleAfterMs: number
  private readonly halfLifeMs: number
  private readonly failurePenaltyMs: number

  constructor(opts: LatencyTrackerOptions = {}) {
    this.alpha = opts.alpha ?? 0.3
    this.staleAfterMs = opts.staleAfterMs ?? 30_000
    this.halfLifeMs = opts.halfLifeMs ?? 30_000
    this.failurePenaltyMs = opts.failurePenaltyMs ?? 10_000
  }

  record(providerId: string, ttftMs: number, now: number): void {
    if (!Number.isFinite(ttftMs) || ttftMs < 0) return
    const e = this.entries.get(providerId)
    if (!e) {
      this.entries.set(providerId, { ewma: ttftMs, updatedAt: now, samples: 1 })
      return
    }
    // Blend with the decayed value: after a long silence the new sample dominates.
    const base = this.decayed(e, now)
    e.ewma = base + this.alpha * (ttftMs - base)
    e.updatedAt = now
    e.samples++
  }

  /** A failed attempt counts as a slow one: double the estimate, at least the penalty. */
  recordFailure(providerId: string, now: number): void {
    const e = this.entries.get(providerId)
    const penalty = Math.max(this.failurePenaltyMs, e ? this.decayed(e, now) * 2 : 0)
    if (!e) this.entries.set(providerId, { ewma: penalty, updatedAt: now, samples: 1 })
    else {
      e.ewma = penalty
      e.updatedAt = now
      e.samples++
    }
  }

  /** Current estimate in ms, decayed for staleness; undefined when never measured. */
  estimate(providerId: string, now: number): number | undefined {
    const e = this.entries.get(providerId)
    return e ? this.decayed(e, now) : undefined
  }

  samples(providerId: string): number {
    return this.entries.get(providerId)?.samples ?? 0
  }

  retain(providerIds: Iterable<string>): void {
    const keep = new Set(providerIds)
    for (const id of this.entries.keys()) if (!keep.has(id)) this.entries.delete(id)
  }

  private decayed(e: Entry, now: number): number {
    const staleFor = now - e.updatedAt - this.staleAfterMs
    if (staleFor <= 0) return e.ewma
    return e.ewma * Math.pow(0.5, staleFor / this.halfLifeMs)
  }
}
