// What Switchyard has in flight at one backend, in dispatch order, and what that says about the
// wait a new request would have there: our prefills not done yet (a backend prefills roughly one
// request after the other), and, when the backend's load report shows a full batch, the wait for
// a batch slot. Also corrects a load report by what we sent and saw finish since it was read.
import type { BackendLoad } from './candidates'

import type { LoadMark } from '../providers/loadMonitor'

export type { LoadMark }

/** One attempt on one backend, from dispatch to its end. */
export interface Flight {
  readonly providerId: string
  readonly key: string
  readonly route?: string
  readonly dispatchedAt: number
  firstByteAt?: number
  ended: boolean
  uncachedTokens: number
  /** Estimated prefill time at dispatch. */
  workMs: number
  /**
   * Its time to first token measures prefill speed: nothing cached to guess the size of, no batch
   * slot expected to be missing.
   */
  measuresPrefill: boolean
}

const MAX_FLIGHTS = 10_000

export class ProviderActivity {
  /** Insertion order = dispatch order. */
  readonly flights = new Set<Flight>()
  dispatched = 0
  completed = 0
  lastFirstByteAt = -Infinity
  /** Batch size, learned from load reports that showed a queue. */
  slots?: number
  /** Most of our attempts seen past their first token at once (a lower bound of the batch size). */
  maxDecoding = 0

  add(f: Flight): void {
    this.flights.add(f)
    this.dispatched++
    if (this.flights.size > MAX_FLIGHTS) this.finish(this.flights.values().next().value!)
  }

  finish(f: Flight): void {
    f.ended = true
    if (this.flights.delete(f)) this.completed++
  }

  /** An attempt whose end was never reported stops counting after `maxAgeMs`. */
  expire(now: number, maxAgeMs: number): void {
    for (const f of this.flights) {
      if (now - f.dispatchedAt <= maxAgeMs) break
      this.finish(f)
    }
  }

  /** Whether no attempt dispatched before `f` still waits for its first token. */
  isHead(f: Flight): boolean {
    for (const g of this.flights) {
      if (g === f) return true
      if (g.firstByteAt === undefined) return false
    }
    return true
  }

  firstByte(f: Flight, now: number): void {
    f.firstByteAt = now
    this.lastFirstByteAt = Math.max(this.lastFirstByteAt, now)
    let decoding = 0
    for (const g of this.flights) if (g.firstByteAt !== undefined) decoding++
    this.maxDecoding = Math.max(this.maxDecoding, decoding)
  }

  mark(): LoadMark {
    return { dispatched: this.dispatched, completed: this.completed }
  }

  /**
   * A load report corrected for what we did since it was read: our dispatches since then are
   * running (or waiting, when the batch is full), our completions since then are gone.
   */
  corrected(load: BackendLoad, mark: LoadMark | undefined): BackendLoad {
    if (!mark || (load.running === undefined && load.waiting === undefined)) return load
    const delta = this.dispatched - mark.dispatched - (this.completed - mark.completed)
    if (delta === 0) return load
    let running = load.running ?? 0
    let waiting = load.waiting ?? 0
    const total = Math.max(0, running + waiting + delta)
    if (this.slots !== undefined) {
      running = Math.min(total, this.slots)
      waiting = total - running
    } else if (delta > 0) {
      if (waiting > 0) waiting += delta
      else running += delta
    } else {
      waiting += delta
      if (waiting < 0) {
        running = Math.max(0, running + waiting)
        waiting = 0
      }
    }
    return { ...load, running, waiting }
  }

  /** A fresh load report: learn the batch size from it when it shows a queue. */
  observeLoad(load: BackendLoad): void {
    const running = load.running ?? 0
    if ((load.waiting ?? 0) > 0 && running > 0) this.slots = Math.max(this.slots ?? 0, running)
  }

  /** Our prefills not done yet, served one after the other since the first of them could start. */
  prefillBacklogMs(now: number): number {
    let work = 0
    let start: number | undefined
    for (const f of this.flights) {
      if (f.firstByteAt !== undefined) continue
      start ??= Math.max(f.dispatchedAt, this.lastFirstByteAt)
      work += f.workMs
    }
    return start === undefined ? 0 : Math.max(0, work - (now - start))
  }

  /**
   * Time until a batch slot frees for one more request, when the backend reports its load and the
   * batch is full: the q-th of our running answers to end (by their expected remaining decode
   * time), else q × decode time / slots.
   */
  slotWaitMs(load: BackendLoad | undefined, decodeMs: number, now: number): number {
    if (!load || (load.running === undefined && load.waiting === undefined)) return 0
    const running = load.running ?? 0
    const waiting = load.waiting ?? 0
    let position: number
    let slots: number
    if (this.slots !== undefined) {
      slots = this.slots
      position = running + waiting - slots + 1
    } else {
      if (waiting === 0) return 0
      slots = Math.max(1, running)
      position = waiting + 1
    }
    if (position <= 0) return 0
    const remaining: number[] = []
    for (const f of this.flights) {
      if (f.firstByteAt === undefined) continue
      remaining.push(Math.max(decodeMs * 0.1, decodeMs - (now - f.firstByteAt)))
    }
    if (remaining.length >= position && remaining.length >= slots) {
      remaining.sort((a, b) => a - b)
      return remaining[position - 1]!
    }
    return (position * decodeMs) / slots
  }
}
