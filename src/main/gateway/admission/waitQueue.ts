// One provider's waiting line: FIFO within a priority class, 'high' before 'normal'. Sets keep
// insertion order and delete in O(1), which matters because a waiter leaves from the middle
// whenever it is admitted elsewhere, times out, or its client disconnects.

export type Priority = 'high' | 'normal'

export class WaitQueue<W> {
  private readonly high = new Set<W>()
  private readonly normal = new Set<W>()

  add(waiter: W, priority: Priority): void {
    ;(priority === 'high' ? this.high : this.normal).add(waiter)
  }

  delete(waiter: W): boolean {
    return this.high.delete(waiter) || this.normal.delete(waiter)
  }

  get size(): number {
    return this.high.size + this.normal.size
  }

  /** Waiters in admission order. With `upTo: 'high'`, only those a new high-priority waiter queues behind. */
  *inOrder(upTo: Priority = 'normal'): Generator<W> {
    yield* this.high
    if (upTo === 'normal') yield* this.normal
  }

  /** The waiter drop-oldest evicts: the oldest of the lowest class present, and its class. */
  oldest(): { waiter: W; priority: Priority } | undefined {
    for (const waiter of this.normal) return { waiter, priority: 'normal' }
    for (const waiter of this.high) return { waiter, priority: 'high' }
    return undefined
  }
}
