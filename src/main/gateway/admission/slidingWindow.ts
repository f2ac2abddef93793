// Exact sliding-window accounting over the last 60 s, used for both RPM (every entry is 1) and
// TPM (entries are token reservations). No fixed buckets: an entry recorded at `t` counts for
// every `now` in [t, t + 60 s) and not a millisecond longer, so two bursts on either side of a
// minute boundary can never add up to twice the limit.
//
// A reservation is an entry whose amount is adjusted in place when the real usage is known.
// It keeps its original timestamp: the upstream charged the request when it was sent, and the
// exact time at which its tokens leave the window must not move because the response was slow.

export const WINDOW_MS = 60_000

/** A recorded amount; hand it back to `adjust` to reconcile it. */
export interface WindowEntry {
  readonly at: number
  readonly amount: number
}

interface MutableEntry {
  at: number
  amount: number
  /** False once the entry has slid out of the window (its amount no longer counts). */
  live: boolean
}

// Pruned entries are skipped by index and the array is compacted only now and then, so the
// hot path never shifts a large array; memory stays bounded by what fits in 60 s.
const COMPACT_AFTER = 1024

export class SlidingWindow {
  private entries: MutableEntry[] = []
  private head = 0
  private total = 0

  constructor(readonly windowMs: number = WINDOW_MS) {}

  /** Records `amount` at `now` and returns the entry for later reconciliation. */
  add(amount: number, now: number): WindowEntry {
    this.prune(now)
    const last = this.entries[this.entries.length - 1]
    // Timestamps stay sorted even if the wall clock steps back a little; prune and the
    // wait computation rely on that order.
    const at = last !== undefined && last.at > now ? last.at : now
    const entry: MutableEntry = { at, amount: nonNegative(amount), live: true }
    this.entries.push(entry)
    this.total += entry.amount
    return entry
  }

  /** Sets an entry's amount in place (release the unused part or charge an overrun). */
  adjust(handle: WindowEntry, amount: number): void {
    const entry = handle as MutableEntry
    const next = nonNegative(amount)
    // An entry that already left the window no longer counts against anything.
    if (entry.live) this.total += next - entry.amount
    entry.amount = next
  }

  /** Sum of the amounts recorded in (now - window, now]. */
  used(now: number): number {
    this.prune(now)
    return this.total
  }

  /** Number of live entries (bounded by what arrived in the last window). */
  size(now: number): number {
    this.prune(now)
    return this.entries.length - this.head
  }

  /**
   * Milliseconds until `amount` more fits under `limit`: 0 when it fits now, Infinity when it
   * can never fit (amount > limit). Exact: it is the moment the oldest entries that must
   * leave have left.
   */
  waitFor(amount: number, limit: number, now: number): number {
    this.prune(now)
    if (this.total + amount <= limit) return 0
    if (amount > limit) return Infinity
    const mustFree = this.total + amount - limit
    let freed = 0
    for (let i = this.head; i < this.entries.length; i++) {
      const entry = this.entries[i]!
      freed += entry.amount
      if (freed >= mustFree) return entry.at + this.windowMs - now
    }
    return Infinity // unreachable while total is the sum of live entries
  }

  private prune(now: number): void {
    const horizon = now - this.windowMs
    const entries = this.entries
    while (this.head < entries.length && entries[this.head]!.at <= horizon) {
      const entry = entries[this.head]!
      entry.live = false
      this.total -= entry.amount
      this.head++
    }
    if (this.head === entries.length) {
      this.entries = []
      this.head = 0
      this.total = 0 // also clears any floating-point residue
    } else if (this.head >= COMPACT_AFTER && this.head * 2 >= entries.length) {
      this.entries = entries.slice(this.head)
      this.head = 0
    }
  }
}

function nonNegative(n: number): number {
  return Number.isFinite(n) && n > 0 ? n : 0
}
