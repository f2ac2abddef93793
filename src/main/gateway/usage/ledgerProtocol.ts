// The conversation between LedgerThread (main thread) and ledgerWorker.ts (the writer thread).
//
// main -> worker, on the worker's own port, in order:
//   { t: 'ops', first, ops }   a turn's operations, numbered first, first + 1, ...
//   { t: 'call', id, op, arg } a control call; main waits for the answer (bounded) on a
//                              SharedArrayBuffer flag and takes it from `replies` synchronously
// worker -> main:
//   replies port               { id, ok, value | error, health } for each call, then the flag is raised
//   events port                { t: 'health', ... } when the state or error changes, { t: 'log', ... },
//                              { t: 'ready' }; main also drains it synchronously in health()
// Numbers main reads without waiting (health(), and how far it may forget what it handed over)
// are published in the SharedArrayBuffer, each slot written atomically. The state and its error
// travel only as events, in order, so that health() never pairs one moment's state with
// another's error.
import type { MessagePort } from 'node:worker_threads'
import type { LedgerHealth, LedgerOptions } from './ledger'
import type { PackedOp } from './ledgerOps'

export type LedgerCall = 'flushAll' | 'setRetentionDays' | 'applyRetention' | 'checkpoint' | 'pragma' | 'close'

export type ToWorker = { t: 'ops'; first: number; ops: PackedOp[] } | { t: 'call'; id: number; op: LedgerCall; arg?: unknown }

export interface CallReply {
  id: number
  ok: boolean
  value?: unknown
  error?: string
  health?: LedgerHealth
}

export type WorkerEvent =
  | { t: 'ready' }
  | { t: 'health'; state: LedgerHealth['state']; lastError?: string; since?: number; transition: boolean }
  | { t: 'log'; level: 'warn' | 'error'; obj: object; msg: string }

/** Options the worker's UsageLedger takes (functions cannot cross: the logger and hooks are the worker's own). */
export type WorkerLedgerOptions = Omit<LedgerOptions, 'logger' | 'onHealthChange' | 'onFlushed' | 'now' | 'nativeBinding' | 'runId'>

export interface LedgerWorkerData {
  file: string
  nativeBinding?: string
  options: WorkerLedgerOptions
  runId: string
  shared: SharedArrayBuffer
  replies: MessagePort
  events: MessagePort
}

// BigInt64 slots (after the Int32 call flag, 8 bytes in).
const BACKLOG = 0
const DROPPED = 1
const LAST_FLUSH = 2
/** Every numbered operation up to here is written (or refused for good). */
const CONFIRMED = 3
/** The last numbered operation the worker has taken in. */
const RECEIVED = 4
const SLOTS = 5

export interface PublishedState {
  backlog: number
  dropped: number
  lastFlushAt?: number
  confirmed: number
  received: number
}

export class SharedLedgerState {
  /** [0]: raised by the worker when a call's reply is on the replies port. */
  readonly flag: Int32Array
  private readonly slots: BigInt64Array

  constructor(readonly buffer = new SharedArrayBuffer(8 + SLOTS * 8)) {
    this.flag = new Int32Array(buffer, 0, 1)
    this.slots = new BigInt64Array(buffer, 8, SLOTS)
  }

  /** Main, before starting a writer: nothing confirmed or received yet (a predecessor's counts are carried over by main). */
  reset(): void {
    for (let i = 0; i < SLOTS; i++) Atomics.store(this.slots, i, 0n)
    Atomics.store(this.slots, LAST_FLUSH, -1n)
    Atomics.store(this.slots, CONFIRMED, -1n)
    Atomics.store(this.slots, RECEIVED, -1n)
  }

  publish(s: PublishedState): void {
    Atomics.store(this.slots, BACKLOG, BigInt(s.backlog))
    Atomics.store(this.slots, DROPPED, BigInt(s.dropped))
    Atomics.store(this.slots, LAST_FLUSH, BigInt(s.lastFlushAt ?? -1))
    Atomics.store(this.slots, CONFIRMED, BigInt(s.confirmed))
    Atomics.store(this.slots, RECEIVED, BigInt(s.received))
  }

  read(): PublishedState {
    const n = (i: number): number => Number(Atomics.load(this.slots, i))
    const lastFlushAt = n(LAST_FLUSH)
    return {
      backlog: n(BACKLOG),
      dropped: n(DROPPED),
      lastFlushAt: lastFlushAt < 0 ? undefined : lastFlushAt,
      confirmed: n(CONFIRMED),
      received: n(RECEIVED),
    }
  }

  confirmed(): number {
    return Number(Atomics.load(this.slots, CONFIRMED))
  }

  received(): number {
    return Number(Atomics.load(this.slots, RECEIVED))
  }

  /** Worker side: the reply is on its port; wake main. */
  raise(): void {
    Atomics.store(this.flag, 0, 1)
    Atomics.notify(this.flag, 0)
  }
}
