// The usage ledger as the gateway runs it: writes in a worker thread (ledgerWorker.ts), reads on
// this thread's own connection (WAL lets both go at once).
//
// - The hot path only packs each row into a positional array (ledgerOps.ts); what gathered is
//   posted in one message within HAND_OVER_MS (or on the next turn of the event loop once
//   HAND_OVER_OPS gathered): a postMessage costs ~10-20 µs whatever it carries, each row ~1 µs
//   more (bench/ledgerTransport.mjs). No request waits on SQLite.
// - In-flight markers wait here first, up to one flush window (so that a marker still reaches
//   the database within the ≤ 1 s a crash may lose): most requests finish sooner, and their marker
//   is then never sent at all — the one batch would have written only the final row anyway.
// - Every operation is numbered. Until the worker reports it written (SharedArrayBuffer, with
//   the health numbers), it is also kept here, so a worker that dies is replaced and given
//   them again; the replacement skips what its predecessor committed (the progress mark is part
//   of each batch's transaction): nothing is lost or written twice. A worker that dies before it
//   starts, or too often, is replaced by writing on this thread (UsageLedger) — accounting
//   degrades, proxying never stops.
// - Control calls that promise a result on return (flushAll, close, retention changes) wait for
//   the worker, bounded: Atomics.wait on a shared flag, then the reply is taken from its port
//   with receiveMessageOnPort. They are for shutdown, admin actions and tests, never a request.
// - health() is synchronous: numbers from the shared buffer, words drained from the event port.
import { randomUUID } from 'node:crypto'
import fs from 'node:fs'
import path from 'node:path'
import { MessageChannel, receiveMessageOnPort, Worker, type MessagePort } from 'node:worker_threads'
import type Database from 'better-sqlite3'
import { workerScript } from '../common/workerScript'
import { ledgerFilePath, openLedgerConnection, UsageLedger, type Ledger, type LedgerHealth, type LedgerLogger, type LedgerOptions, type OpenedLedger } from './ledger'
import { cloneable, packBegin, packFinal, unpack, type PackedOp } from './ledgerOps'
import { SharedLedgerState, type CallReply, type LedgerCall, type LedgerWorkerData, type WorkerEvent, type WorkerLedgerOptions } from './ledgerProtocol'
import type { LedgerOp } from './ledgerWriter'
import type { InFlightRow, UsageRow } from './types'

/** Workers that die within this window count towards falling back to writing on this thread. */
const RESTART_WINDOW_MS = 60_000
const MAX_RESTARTS = 3
const CALL_TIMEOUT_MS = 5_000
const CLOSE_TIMEOUT_MS = 10_000
/** Rows wait on this thread at most this long before they are handed over, in one message... */
const HAND_OVER_MS = 5
/** ...or until this many gathered (then on the next turn). */
const HAND_OVER_OPS = 128
/** A worker that takes in nothing for this long while rows wait for it is hung: it is replaced. */
const STALL_MS = 30_000

export interface LedgerThreadOptions extends LedgerOptions {
  /** The built ledgerWorker.js (common/workerScript.ts finds it). */
  script: string
  callTimeoutMs?: number
  closeTimeoutMs?: number
  /** How long a worker may take in nothing while rows wait before it is replaced (default 30 s). */
  stallMs?: number
}

export class LedgerThread implements Ledger {
  readonly db: Database.Database
  readonly file: string
  readonly reconciled: number
  private readonly notice: string | undefined
  private readonly runId = randomUUID()
  private readonly shared = new SharedLedgerState()
  private readonly logger: LedgerLogger | undefined
  private readonly maxBacklogRows: number
  private worker: Worker | undefined
  private replies: MessagePort | undefined
  private events: MessagePort | undefined
  private ready = false
  /** After the worker failed for good: writing on this thread. */
  private inProcess: UsageLedger | undefined
  private outbox: PackedOp[] = []
  private handOverTimer: NodeJS.Timeout | undefined
  private handOverSoon: NodeJS.Immediate | undefined
  /** In-flight markers held back, by request id, oldest first (a Map keeps insertion order). */
  private held = new Map<unknown, PackedOp>()
  private heldTimer: NodeJS.Timeout | undefined
  private readonly holdMs: number
  private nextSeq = 0
  /** Handed over, not yet reported written: operations firstUnconfirmed, firstUnconfirmed + 1, ... */
  private unconfirmed: PackedOp[] = []
  private unconfirmedHead = 0
  private firstUnconfirmed = 0
  /** The writer's state and error as its last event said (see ledgerProtocol.ts). */
  private writerState: { state: LedgerHealth['state']; lastError?: string; since?: number } = { state: 'ok' }
  private retention: number
  private closed = false
  private closing = false
  private restarts: number[] = []
  private restartCount = 0
  /** Finished rows lost by writers that are gone, or dropped here (backlog bound, uncopyable). */
  private droppedElsewhere = 0
  private callId = 0
  private closedHealth: LedgerHealth | undefined
  private lastReceived = -1
  private receivedChangedAt = Date.now()
  private readonly watchdog: NodeJS.Timeout

  constructor(
    private readonly opts: LedgerThreadOptions,
    opened: OpenedLedger,
  ) {
    this.db = opened.db
    this.file = ledgerFilePath(opts)
    this.reconciled = opened.reconciled
    this.notice = opened.notice
    this.logger = opts.logger
    this.retention = opts.retentionDays ?? 365
    this.maxBacklogRows = Math.max(1, opts.maxBacklogRows ?? 50_000)
    // Held + the worker's own window stay within the 1 s a crash may lose.
    const windowMs = Math.min(1000, Math.max(1, opts.flushIntervalMs ?? 200))
    this.holdMs = Math.min(windowMs, 1000 - windowMs)
    this.spawn()
    this.watchdog = setInterval(() => this.watch(), Math.max(10, Math.min(5_000, (opts.stallMs ?? STALL_MS) / 3)))
    this.watchdog.unref()
  }

  begin(row: InFlightRow): void {
    if (this.closed) return
    if (this.inProcess) return this.inProcess.begin(row)
    if (this.holdMs <= 0) return this.push(packBegin(row))
    this.held.set(row.requestId, packBegin(row))
    if (!this.heldTimer) {
      this.heldTimer = setTimeout(() => this.releaseHeld(), this.holdMs)
      this.heldTimer.unref()
    }
  }

  record(row: UsageRow): void {
    if (this.closed) return
    if (this.inProcess) return this.inProcess.record(row)
    if (this.held.size > 0) this.held.delete(row.requestId) // finished before its marker was due: none needed
    this.push(packFinal(row))
  }

  health(): LedgerHealth {
    if (this.closedHealth) return { ...this.closedHealth }
    if (this.inProcess) {
      const h = this.inProcess.health()
      return { ...h, state: this.closed ? 'closed' : h.state, dropped: h.dropped + this.droppedElsewhere, notice: this.notice ?? h.notice, writer: 'main', writerRestarts: this.restartCount }
    }
    this.drainEvents()
    const s = this.shared.read()
    const inPipe = Math.max(0, this.nextSeq - 1 - Math.max(s.received, this.firstUnconfirmed - 1))
    const w = this.writerState
    const state = this.closed ? 'closed' : w.state === 'degraded' ? 'degraded' : 'ok'
    return {
      state,
      backlog: s.backlog + inPipe + this.outbox.length + this.held.size,
      dropped: s.dropped + this.droppedElsewhere,
      lastError: state === 'degraded' ? w.lastError : undefined,
      since: state === 'degraded' ? w.since : undefined,
      lastFlushAt: s.lastFlushAt,
      storage: 'file',
      notice: this.notice,
      writer: 'worker',
      writerRestarts: this.restartCount,
    }
  }

  flushAll(): void {
    if (this.closed) return
    if (this.inProcess) return this.inProcess.flushAll()
    this.call('flushAll')
  }

  get retentionDays(): number {
    return this.retention
  }

  setRetentionDays(days: number): void {
    const next = Number.isFinite(days) ? Math.max(0, Math.floor(days)) : 0
    if (next === this.retention || this.closed) return
    this.retention = next
    if (this.inProcess) return this.inProcess.setRetentionDays(next)
    this.call('setRetentionDays', next)
  }

  applyRetention(now?: number): number {
    if (this.closed) return 0
    if (this.inProcess) return this.inProcess.applyRetention(now)
    const reply = this.call('applyRetention', now)
    return typeof reply?.value === 'number' ? reply.value : 0
  }

  checkpoint(): void {
    if (this.closed) return
    if (this.inProcess) return this.inProcess.checkpoint()
    this.call('checkpoint')
  }

  writerPragma(pragma: string): unknown {
    if (this.inProcess) return this.inProcess.writerPragma(pragma)
    const reply = this.call('pragma', pragma)
    if (!reply) throw new Error('the usage ledger writer did not answer')
    if (!reply.ok) throw new Error(reply.error)
    return reply.value
  }

  async backup(destination: string): Promise<void> {
    fs.mkdirSync(path.dirname(destination), { recursive: true })
    await this.db.backup(destination)
  }

  /** Writes everything handed over, through the worker, and closes. Safe to call twice. */
  close(): void {
    if (this.closed) return
    this.closing = true
    clearInterval(this.watchdog)
    this.releaseHeld()
    this.handOver()
    if (!this.inProcess && this.worker) {
      const reply = this.call('close', undefined, this.opts.closeTimeoutMs ?? CLOSE_TIMEOUT_MS)
      const worker = this.worker
      this.worker = undefined
      this.shutDownPorts()
      void worker.terminate()
      if (reply?.ok && reply.health) {
        const h = reply.health
        this.closedHealth = { ...h, state: 'closed', dropped: h.dropped + this.droppedElsewhere, notice: this.notice, writer: 'worker', writerRestarts: this.restartCount }
        this.unconfirmed = []
      } else {
        // The worker cannot finish: what it was given is still here, and this thread writes it.
        this.logger?.error({ err: reply?.error ?? 'no answer' }, 'usage ledger writer did not close cleanly; writing its rows on the main thread')
        this.fallBack()
      }
    }
    this.inProcess?.close()
    this.closed = true
    if (this.inProcess) this.closedHealth = this.health()
    if (this.db.open) this.db.close()
    this.opts.onHealthChange?.(this.health())
  }

  /** The held in-flight markers go out (their time is up, or everything must be written now). */
  private releaseHeld(): void {
    if (this.heldTimer) clearTimeout(this.heldTimer)
    this.heldTimer = undefined
    if (this.held.size === 0) return
    for (const op of this.held.values()) this.outbox.push(op)
    this.held.clear()
    this.handOver()
  }

  private push(op: PackedOp): void {
    this.outbox.push(op)
    if (this.outbox.length >= HAND_OVER_OPS) {
      this.handOverSoon ??= setImmediate(() => this.handOver())
    } else if (!this.handOverTimer) {
      this.handOverTimer = setTimeout(() => this.handOver(), HAND_OVER_MS)
      this.handOverTimer.unref()
    }
  }

  /** Hands the gathered operations to the worker in one message (also before any call, and at close). */
  private handOver(): void {
    if (this.handOverTimer) clearTimeout(this.handOverTimer)
    if (this.handOverSoon) clearImmediate(this.handOverSoon)
    this.handOverTimer = undefined
    this.handOverSoon = undefined
    if (this.outbox.length === 0) return
    const ops = this.outbox
    this.outbox = []
    const first = this.nextSeq
    if (this.shared.received() >= first - 1) this.receivedChangedAt = Date.now() // it was waiting for nothing until now
    this.nextSeq += ops.length
    this.keep(this.worker ? send(this.worker, first, ops) : ops)
  }

  /**
   * Every few seconds: a worker that has taken in nothing for `stallMs` while operations wait for
   * it is ended (and replaced, see onExit). Its clock restarts whenever it takes in more, and when
   * operations are handed to a worker that had taken in everything before (handOver).
   */
  private watch(): void {
    const received = this.shared.received()
    const now = Date.now()
    if (received !== this.lastReceived) {
      this.lastReceived = received
      this.receivedChangedAt = now
      return
    }
    const stallMs = this.opts.stallMs ?? STALL_MS
    if (this.worker && received < this.nextSeq - 1 && now - this.receivedChangedAt > stallMs) {
      this.logger?.error({ stalledMs: now - this.receivedChangedAt }, 'usage ledger writer thread stopped taking rows; replacing it')
      this.receivedChangedAt = now
      void this.worker.terminate()
    }
  }

  /** Remembers handed-over operations until the worker reports them written; the oldest go beyond the backlog bound. */
  private keep(ops: PackedOp[]): void {
    const confirmed = this.shared.confirmed()
    if (confirmed >= this.firstUnconfirmed) {
      const drop = Math.min(this.unconfirmed.length - this.unconfirmedHead, confirmed - this.firstUnconfirmed + 1)
      this.unconfirmedHead += drop
      this.firstUnconfirmed += drop
    }
    for (const op of ops) this.unconfirmed.push(op)
    const over = this.unconfirmed.length - this.unconfirmedHead - this.maxBacklogRows
    if (over > 0) {
      // The worker drops (and counts) the same oldest rows from its own backlog.
      this.unconfirmedHead += over
      this.firstUnconfirmed += over
    }
    if (this.unconfirmedHead > 1024 && this.unconfirmedHead * 2 > this.unconfirmed.length) {
      this.unconfirmed = this.unconfirmed.slice(this.unconfirmedHead)
      this.unconfirmedHead = 0
    }
  }

  private pending(): { first: number; ops: PackedOp[] } {
    return { first: this.firstUnconfirmed, ops: this.unconfirmed.slice(this.unconfirmedHead) }
  }

  private spawn(): void {
    this.shared.reset()
    this.writerState = { state: 'ok' }
    const replies = new MessageChannel()
    const events = new MessageChannel()
    const options: WorkerLedgerOptions = {
      dataDir: this.opts.dataDir,
      fileName: this.opts.fileName,
      flushIntervalMs: this.opts.flushIntervalMs,
      maxBatchRows: this.opts.maxBatchRows,
      maxBacklogRows: this.opts.maxBacklogRows,
      retentionDays: this.retention,
      retentionIntervalMs: this.opts.retentionIntervalMs,
      checkpointIntervalMs: this.opts.checkpointIntervalMs,
      busyTimeoutMs: this.opts.busyTimeoutMs,
    }
    const data: LedgerWorkerData = { file: this.file, nativeBinding: this.opts.nativeBinding, options, runId: this.runId, shared: this.shared.buffer, replies: replies.port2, events: events.port2 }
    let worker: Worker
    try {
      worker = new Worker(this.opts.script, { workerData: data, transferList: [replies.port2, events.port2], name: 'switchyard-ledger' })
    } catch (err) {
      replies.port1.close()
      events.port1.close()
      this.logger?.error({ err: (err as Error).message, script: this.opts.script }, 'usage ledger writer thread could not start; writing on the main thread')
      this.fallBack()
      return
    }
    this.worker = worker
    this.ready = false
    this.replies = replies.port1
    this.events = events.port1
    this.events.on('message', (e: WorkerEvent) => this.onEvent(e))
    this.events.unref()
    worker.unref() // like the ledger's timers: an open ledger never keeps the process alive
    worker.on('error', (err) => this.logger?.error({ err: err.message }, 'usage ledger writer thread failed'))
    worker.on('exit', (code) => this.onExit(worker, code))
    const { first, ops } = this.pending()
    if (ops.length > 0) {
      this.unconfirmed = send(worker, first, ops)
      this.unconfirmedHead = 0
    }
    this.lastReceived = -1
    this.receivedChangedAt = Date.now()
  }

  private onExit(worker: Worker, code: number): void {
    if (worker !== this.worker || this.closing) return
    this.drainEvents()
    const wasReady = this.ready
    this.worker = undefined
    this.shutDownPorts()
    this.droppedElsewhere += this.shared.read().dropped
    const now = Date.now()
    this.restarts = this.restarts.filter((t) => now - t < RESTART_WINDOW_MS)
    if (!wasReady || this.restarts.length >= MAX_RESTARTS) {
      this.logger?.error({ code, restarts: this.restarts.length }, wasReady ? 'usage ledger writer thread keeps dying; writing on the main thread from now on' : 'usage ledger writer thread could not start; writing on the main thread')
      this.fallBack()
      return
    }
    this.restarts.push(now)
    this.restartCount++
    this.logger?.warn({ code, unwritten: this.unconfirmed.length - this.unconfirmedHead }, 'usage ledger writer thread died; starting another and handing it the unwritten rows')
    this.spawn()
  }

  /** From now on this thread writes: a UsageLedger on the main connection, given everything not yet written. */
  private fallBack(): void {
    if (this.inProcess) return
    if (this.heldTimer) clearTimeout(this.heldTimer)
    this.heldTimer = undefined
    for (const op of this.held.values()) this.outbox.push(op)
    this.held.clear()
    const { first, ops } = this.pending()
    this.unconfirmed = []
    this.unconfirmedHead = 0
    const queued = this.outbox
    this.outbox = []
    const inProcess = UsageLedger.attach(this.db, {
      ...this.opts,
      retentionDays: this.retention,
      runId: this.runId,
      onHealthChange: () => this.opts.onHealthChange?.(this.health()),
    })
    const numbered: LedgerOp[] = []
    ops.forEach((p, i) => {
      const op = unpack(p, first + i)
      if (op) numbered.push(op)
    })
    inProcess.enqueueNumbered(numbered)
    for (const p of queued) {
      const op = unpack(p)
      if (op?.kind === 'begin') inProcess.begin(op.row)
      else if (op) inProcess.record(op.row)
    }
    this.inProcess = inProcess
    // Not from inside the constructor (whoever listens may not hold this ledger yet).
    setImmediate(() => this.opts.onHealthChange?.(this.health()))
  }

  /** A control call the worker answers before this returns (bounded); undefined when it did not answer in time. */
  private call(op: LedgerCall, arg?: unknown, timeoutMs = this.opts.callTimeoutMs ?? CALL_TIMEOUT_MS): CallReply | undefined {
    this.releaseHeld()
    this.handOver()
    const worker = this.worker
    const replies = this.replies
    if (!worker || !replies) return undefined
    const id = ++this.callId
    Atomics.store(this.shared.flag, 0, 0)
    worker.postMessage({ t: 'call', id, op, arg })
    const deadline = performance.now() + timeoutMs
    for (;;) {
      // The worker posts its reply before it raises the flag: after lowering it, look again.
      for (let m = receiveMessageOnPort(replies); m; m = receiveMessageOnPort(replies)) {
        const reply = m.message as CallReply
        if (reply.id !== id) continue // a late answer to a call that timed out
        this.drainEvents()
        if (!reply.ok) this.logger?.warn({ err: reply.error, call: op }, 'usage ledger writer call failed')
        return reply
      }
      const left = deadline - performance.now()
      if (left <= 0) break
      block(this.shared.flag, left)
      Atomics.store(this.shared.flag, 0, 0)
    }
    this.logger?.warn({ call: op, timeoutMs }, 'usage ledger writer did not answer in time')
    return undefined
  }

  private drainEvents(): void {
    if (!this.events) return
    for (let m = receiveMessageOnPort(this.events); m; m = receiveMessageOnPort(this.events)) this.onEvent(m.message as WorkerEvent)
  }

  private onEvent(e: WorkerEvent): void {
    switch (e.t) {
      case 'ready':
        this.ready = true
        return
      case 'log':
        this.logger?.[e.level](e.obj, e.msg)
        return
      case 'health':
        this.writerState = { state: e.state, lastError: e.lastError, since: e.since }
        // Told from a later turn: health() may be draining this from inside a caller's own status code.
        if (e.transition && this.opts.onHealthChange) setImmediate(() => this.opts.onHealthChange?.(this.health()))
        return
    }
  }

  private shutDownPorts(): void {
    this.replies?.close()
    this.events?.close()
    this.replies = undefined
    this.events = undefined
  }
}

let canBlock = true

/**
 * Waits until the worker raises the flag (or `ms` pass). Node's main thread may block; a host
 * that forbids Atomics.wait on its main thread (a browser's; Electron's main process allows it)
 * makes this a short busy wait, polled by the caller.
 */
function block(flag: Int32Array, ms: number): void {
  if (canBlock) {
    try {
      Atomics.wait(flag, 0, 0, ms)
      return
    } catch {
      canBlock = false
    }
  }
  const until = performance.now() + Math.min(ms, 1)
  while (Atomics.load(flag, 0) === 0 && performance.now() < until) {
    /* spin */
  }
}

/** Posts numbered operations; returns them as sent (a value postMessage cannot copy, such as a function in a field, is copied as null). */
function send(worker: Worker, first: number, ops: PackedOp[]): PackedOp[] {
  try {
    worker.postMessage({ t: 'ops', first, ops })
    return ops
  } catch {
    const copies = ops.map(cloneable)
    worker.postMessage({ t: 'ops', first, ops: copies })
    return copies
  }
}

/**
 * The ledger for this run: written by a worker thread when its script is there (the built app
 * and CLI), else — and always for an in-memory ledger, a custom clock or `writer: 'main'` — on
 * the calling thread.
 */
export function openLedger(opts: LedgerOptions & { writer?: 'worker' | 'main' }): Ledger {
  if (opts.writer === 'main' || opts.now) return UsageLedger.open(opts)
  const script = workerScript('ledgerWorker')
  if (!script && !import.meta.url.endsWith('.ts')) opts.logger?.warn({}, 'usage ledger writer thread script not found next to the build; writing on the main thread')
  const opened = openLedgerConnection(opts)
  if (opened.storage === 'memory' || !script) return UsageLedger.fromOpened(opts, opened)
  return new LedgerThread({ ...opts, script }, opened)
}
