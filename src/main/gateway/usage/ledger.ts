// The usage ledger: usage.db (better-sqlite3, WAL). Nothing is written on the request path:
// `begin` and `record` only append to an in-memory batch, which a timer flushes at least every
// `flushIntervalMs` (≤ 1 s), or as soon as it holds `maxBatchRows`, in one transaction per batch.
// A locked or full disk degrades accounting, never proxying: unwritten rows stay in a bounded
// backlog that is retried, and rows beyond the bound are dropped and counted.
//
// This class does the writing on whatever thread it lives on. The gateway runs it inside a
// worker thread (ledgerWorker.ts, driven by LedgerThread); it runs on the main thread itself when
// usage.db is kept in memory, when no worker can run, and in tests of the batching itself.
import fs from 'node:fs'
import path from 'node:path'
import Database from 'better-sqlite3'
import { HOUR_MS } from './ledgerRows'
import { openLedgerFile, type LedgerStorage } from './ledgerFile'
import { configureConnection, migrate } from './ledgerSchema'
import { countFinal, isTransient, LedgerWriter, OpQueue, type LedgerOp, type Progress } from './ledgerWriter'
import type { InFlightRow, UsageRow } from './types'

export interface LedgerLogger {
  warn(obj: object, msg: string): void
  error(obj: object, msg: string): void
}

export interface LedgerOptions {
  /** Directory holding usage.db (created if missing). */
  dataDir: string
  fileName?: string
  /** Longest time a recorded row waits in memory. Clamped to 1000 (a crash loses at most this). */
  flushIntervalMs?: number
  /** Rows per transaction; a batch this full is flushed at once. */
  maxBatchRows?: number
  /** Rows kept in memory while the database cannot be written; older ones are dropped beyond it. */
  maxBacklogRows?: number
  /** Days of per-request rows kept (rollups are kept forever). 0 keeps everything. */
  retentionDays?: number
  retentionIntervalMs?: number
  checkpointIntervalMs?: number
  busyTimeoutMs?: number
  now?: () => number
  logger?: LedgerLogger
  onHealthChange?: (health: LedgerHealth) => void
  /**
   * better-sqlite3's addon to load instead of the one in node_modules (a path). The Electron host
   * passes its own ABI build; plain Node keeps the default.
   */
  nativeBinding?: string
  /**
   * Set by LedgerThread: operations carry sequence numbers, and each batch commits how far it got
   * under this run id (see PROGRESS_KEY), so a writer that replaces a dead one skips what is written.
   */
  runId?: string
  /** Called after every flush attempt (the worker publishes its state from here). */
  onFlushed?: () => void
}

export interface LedgerHealth {
  state: 'ok' | 'degraded' | 'closed'
  /** Rows waiting in memory to be written. */
  backlog: number
  /** Finished-request rows lost because the backlog was full (or a row could not be stored). */
  dropped: number
  lastError?: string
  /** When the current degraded spell began (ms epoch). */
  since?: number
  lastFlushAt?: number
  /** `memory`: usage.db could not be opened for writing; nothing is saved across restarts. */
  storage: LedgerStorage
  /** What happened at open (a corrupt file moved aside, an unwritable one), for as long as this run lasts. */
  notice?: string
  /** Which thread writes: `worker` (the ledger's own thread) or `main` (the gateway's event loop). */
  writer?: 'worker' | 'main'
  /** Times the writer thread died and was replaced during this run. */
  writerRestarts?: number
}

/** What the usage service, the app API and the hosts use of a ledger, whichever thread writes it. */
export interface Ledger {
  /** The connection reads go through (queries, export, app keys, the webhook). */
  readonly db: Database.Database
  readonly file: string
  /** Rows of requests left in flight by a previous run, marked `interrupted` at open. */
  readonly reconciled: number
  readonly retentionDays: number
  begin(row: InFlightRow): void
  record(row: UsageRow): void
  health(): LedgerHealth
  /** Writes everything recorded so far before returning (or until the database refuses). */
  flushAll(): void
  setRetentionDays(days: number): void
  applyRetention(now?: number): number
  checkpoint(): void
  backup(destination: string): Promise<void>
  /** A pragma on the connection that writes (tests use it to fill the "disk": max_page_count). */
  writerPragma(pragma: string): unknown
  /** Flushes everything and closes. Safe to call twice. */
  close(): void
}

/** usage.db opened, recovered, migrated and reconciled (openLedgerConnection), not yet written to. */
export interface OpenedLedger {
  db: Database.Database
  writer: LedgerWriter
  reconciled: number
  storage: LedgerStorage
  notice?: string
}

const MAX_RETRY_DELAY_MS = 5_000
const DEFAULT_BUSY_TIMEOUT_MS = 100
// Retention deletes at most this many rows per statement, and this many statements per turn.
const RETENTION_CHUNK_ROWS = 5_000
const RETENTION_CHUNKS_PER_TURN = 4
const DAY_MS = 24 * HOUR_MS

export class UsageLedger implements Ledger {
  readonly db: Database.Database
  readonly file: string
  private readonly opts: Required<Omit<LedgerOptions, 'logger' | 'onHealthChange' | 'fileName' | 'nativeBinding' | 'runId' | 'onFlushed'>>
  private readonly logger?: LedgerLogger
  private readonly onHealthChange?: (health: LedgerHealth) => void
  private queue = new OpQueue()
  private timer: NodeJS.Timeout | undefined
  private immediate: NodeJS.Immediate | undefined
  private readonly housekeeping: NodeJS.Timeout[] = []
  private retentionMore: NodeJS.Immediate | undefined
  private failures = 0
  private dropped = 0
  private lastError: string | undefined
  private degradedSince: number | undefined
  private lastFlushAt: number | undefined
  private closed = false
  private readonly writer: LedgerWriter
  /** Rows of requests left in flight by a previous run, marked `interrupted` at open. */
  readonly reconciled: number
  private readonly storage: LedgerStorage
  private readonly notice: string | undefined
  private readonly runId: string | undefined
  private readonly onFlushed: (() => void) | undefined
  /** Operations up to this sequence number are in the database (or were refused for good). */
  private confirmed = -1

  /** Opens usage.db (recovering a corrupt or unwritable one, see ledgerFile.ts), migrates it and reconciles the previous run. */
  static open(opts: LedgerOptions): UsageLedger {
    return new UsageLedger(opts, openLedgerConnection(opts))
  }

  /** A ledger writing through a connection openLedgerConnection made (the main thread's, or an in-memory one). */
  static fromOpened(opts: LedgerOptions, opened: OpenedLedger): UsageLedger {
    return new UsageLedger(opts, opened)
  }

  /**
   * A writer over a connection to a database someone else opened, migrated and reconciled in this
   * run (the worker's own connection; the main one when no worker can write). Its requests are
   * still going: it takes over their in-flight markers, and skips operations a previous writer of
   * the same run (`opts.runId`) already committed.
   */
  static attach(db: Database.Database, opts: LedgerOptions & { storage?: LedgerStorage }): UsageLedger {
    const writer = new LedgerWriter(db)
    writer.adoptInFlight()
    const ledger = new UsageLedger(opts, { db, writer, reconciled: 0, storage: opts.storage ?? 'file' })
    if (opts.runId !== undefined) ledger.confirmed = writer.committedSeq(opts.runId)
    return ledger
  }

  private constructor(opts: LedgerOptions, opened: OpenedLedger) {
    this.opts = {
      dataDir: opts.dataDir,
      flushIntervalMs: Math.min(1000, Math.max(1, opts.flushIntervalMs ?? 200)),
      maxBatchRows: Math.max(1, opts.maxBatchRows ?? 500),
      maxBacklogRows: Math.max(1, opts.maxBacklogRows ?? 50_000),
      retentionDays: opts.retentionDays ?? 365,
      retentionIntervalMs: opts.retentionIntervalMs ?? 6 * HOUR_MS,
      checkpointIntervalMs: opts.checkpointIntervalMs ?? 5 * 60_000,
      busyTimeoutMs: opts.busyTimeoutMs ?? DEFAULT_BUSY_TIMEOUT_MS,
      now: opts.now ?? Date.now,
    }
    this.logger = opts.logger
    this.onHealthChange = opts.onHealthChange
    this.runId = opts.runId
    this.onFlushed = opts.onFlushed
    this.file = ledgerFilePath(opts)
    this.db = opened.db
    this.writer = opened.writer
    this.reconciled = opened.reconciled
    this.storage = opened.storage
    this.notice = opened.notice
    this.applyRetention()
    this.every(this.opts.checkpointIntervalMs, () => this.checkpoint())
    this.every(this.opts.retentionIntervalMs, () => this.applyRetention())
  }

  /** Marks a request as in flight (through the batch), so a crash leaves an `interrupted` row. */
  begin(row: InFlightRow): void {
    this.enqueue({ kind: 'begin', row })
  }

  /** Records a finished request; it replaces the in-flight marker. */
  record(row: UsageRow): void {
    this.enqueue({ kind: 'final', row })
  }

  /**
   * Operations numbered by a LedgerThread, in order. Those a previous writer of the run already
   * committed (a replay after its thread died) are skipped.
   */
  enqueueNumbered(ops: LedgerOp[]): void {
    for (const op of ops) if (op.seq === undefined || op.seq > this.confirmed) this.enqueue(op)
  }

  /** Sequence number of the last numbered operation written (or refused for good); -1 before any. */
  get confirmedSeq(): number {
    return this.confirmed
  }

  writerPragma(pragma: string): unknown {
    return this.db.pragma(pragma)
  }

  health(): LedgerHealth {
    return {
      writer: 'main',
      state: this.closed ? 'closed' : this.degradedSince !== undefined ? 'degraded' : 'ok',
      backlog: this.queue.length,
      dropped: this.dropped,
      lastError: this.lastError,
      since: this.degradedSince,
      lastFlushAt: this.lastFlushAt,
      storage: this.storage,
      notice: this.notice,
    }
  }

  /**
   * Writes one batch (at most `maxBatchRows`) now. Returns the number of queued operations written;
   * 0 with rows still queued means the database refused them (see health()).
   */
  flush(): number {
    this.clearTimers()
    if (this.queue.length === 0) return 0
    const slice = this.queue.peek(this.opts.maxBatchRows)
    const written = this.writeWithFallback(slice)
    if (written > 0) this.queue.drop(written)
    if (this.queue.length > 0 && !this.closed) this.schedule(written > 0 ? 0 : this.retryDelay())
    this.onFlushed?.()
    return written
  }

  /** Flushes until the queue is empty or the database refuses. */
  flushAll(): void {
    while (this.queue.length > 0 && this.flush() > 0) {
      /* next slice */
    }
  }

  /** Changes the retention window (config change) and applies it now. 0 keeps every row. */
  setRetentionDays(days: number): void {
    const next = Number.isFinite(days) ? Math.max(0, Math.floor(days)) : 0
    if (next === this.opts.retentionDays) return
    this.opts.retentionDays = next
    if (!this.closed) this.applyRetention()
  }

  get retentionDays(): number {
    return this.opts.retentionDays
  }

  /**
   * Deletes per-request rows older than the retention window; rollups stay. Deletes in chunks
   * (each its own short statement) and, when more is left, continues on a later turn of the event
   * loop, so a first run over years of rows never stalls proxying. Returns the rows deleted now.
   */
  applyRetention(now = this.opts.now()): number {
    if (this.opts.retentionDays <= 0 || this.closed) return 0
    if (this.retentionMore) clearImmediate(this.retentionMore)
    this.retentionMore = undefined
    const cutoff = now - this.opts.retentionDays * DAY_MS
    let deleted = 0
    try {
      for (let i = 0; i < RETENTION_CHUNKS_PER_TURN; i++) {
        const n = this.writer.deleteOlderThan(cutoff, RETENTION_CHUNK_ROWS)
        deleted += n
        if (n < RETENTION_CHUNK_ROWS) return deleted
      }
      this.retentionMore = setImmediate(() => this.applyRetention(now))
    } catch (err) {
      this.logger?.warn({ err: (err as Error).message }, 'usage retention skipped')
    }
    return deleted
  }

  /** Folds the WAL back into the database file and truncates it (best effort: a reader may hold it). */
  checkpoint(): void {
    if (this.storage === 'memory') return
    try {
      this.db.pragma('wal_checkpoint(TRUNCATE)')
    } catch (err) {
      this.logger?.warn({ err: (err as Error).message }, 'usage WAL checkpoint skipped')
    }
  }

  /** A consistent copy of the live database (SQLite online backup), e.g. for an export. */
  async backup(destination: string): Promise<void> {
    fs.mkdirSync(path.dirname(destination), { recursive: true })
    await this.db.backup(destination)
  }

  /** Flushes everything and closes. Safe to call twice. */
  close(): void {
    if (this.closed) return
    this.flushAll()
    if (this.queue.length > 0) {
      const lost = this.queue.drop(this.queue.length)
      this.dropped += countFinal(lost)
      this.logger?.error({ rows: lost.length, err: this.lastError }, 'usage rows lost at close: the database refused them')
    }
    this.closed = true
    this.clearTimers()
    for (const t of this.housekeeping) clearInterval(t)
    if (this.retentionMore) clearImmediate(this.retentionMore)
    this.checkpoint()
    this.db.close()
    this.onHealthChange?.(this.health())
  }

  private enqueue(op: LedgerOp): void {
    if (this.closed) return
    this.queue.push(op)
    if (this.queue.length > this.opts.maxBacklogRows) this.dropOldest()
    if (this.degradedSince !== undefined) return // the retry timer is already set
    if (this.queue.length >= this.opts.maxBatchRows) this.schedule(0)
    else if (!this.timer && !this.immediate) this.schedule(this.opts.flushIntervalMs)
  }

  private dropOldest(): void {
    this.dropped += countFinal(this.queue.drop(this.queue.length - this.opts.maxBacklogRows))
  }

  private schedule(delayMs: number): void {
    if (delayMs === 0) {
      if (this.timer) clearTimeout(this.timer)
      this.timer = undefined
      this.immediate ??= setImmediate(() => {
        this.immediate = undefined
        this.flush()
      })
      return
    }
    if (this.timer || this.immediate) return
    this.timer = setTimeout(() => {
      this.timer = undefined
      this.flush()
    }, delayMs)
    this.timer.unref()
  }

  private clearTimers(): void {
    if (this.timer) clearTimeout(this.timer)
    if (this.immediate) clearImmediate(this.immediate)
    this.timer = undefined
    this.immediate = undefined
  }

  private retryDelay(): number {
    return Math.min(MAX_RETRY_DELAY_MS, this.opts.flushIntervalMs * 2 ** Math.min(this.failures, 10))
  }

  /** The progress mark a batch ending with `last` commits (numbered operations only). */
  private progressOf(last: LedgerOp | undefined): Progress | undefined {
    return this.runId !== undefined && last?.seq !== undefined ? { runId: this.runId, seq: last.seq } : undefined
  }

  private confirm(op: LedgerOp | undefined): void {
    if (op?.seq !== undefined && op.seq > this.confirmed) this.confirmed = op.seq
  }

  /** Writes a slice in one transaction; a row the database rejects outright is dropped alone. */
  private writeWithFallback(slice: LedgerOp[]): number {
    try {
      this.writer.writeBatch(slice, this.progressOf(slice.at(-1)))
      this.confirm(slice.at(-1))
      this.markHealthy()
      return slice.length
    } catch (err) {
      if (isTransient(err)) {
        this.markDegraded(err as Error)
        return 0
      }
    }
    // Not a lock or disk problem: a malformed row. Write one by one and drop the culprits.
    let written = 0
    for (const op of slice) {
      try {
        this.writer.writeBatch([op], this.progressOf(op))
      } catch (err) {
        if (isTransient(err)) {
          this.markDegraded(err as Error)
          return written
        }
        if (op.kind === 'final') this.dropped++
        this.logger?.error({ err: (err as Error).message, requestId: op.row.requestId }, 'usage row rejected by the database')
      }
      this.confirm(op)
      written++
    }
    this.markHealthy()
    return written
  }

  private markHealthy(): void {
    this.lastFlushAt = this.opts.now()
    this.failures = 0
    if (this.degradedSince === undefined) return
    this.degradedSince = undefined
    this.lastError = undefined
    this.logger?.warn({ backlog: this.queue.length }, 'usage ledger writable again')
    this.onHealthChange?.(this.health())
  }

  private markDegraded(err: Error): void {
    this.failures++
    this.lastError = `${(err as { code?: string }).code ?? 'error'}: ${err.message}`
    if (this.degradedSince !== undefined) return
    this.degradedSince = this.opts.now()
    this.logger?.warn({ err: this.lastError, backlog: this.queue.length }, 'usage ledger cannot write; keeping rows in memory and retrying')
    this.onHealthChange?.(this.health())
  }

  private every(ms: number, fn: () => void): void {
    if (ms <= 0) return
    const t = setInterval(fn, ms)
    t.unref()
    this.housekeeping.push(t)
  }
}

export function ledgerFilePath(opts: Pick<LedgerOptions, 'dataDir' | 'fileName'>): string {
  return path.join(opts.dataDir, opts.fileName ?? 'usage.db')
}

/** Opens usage.db for this run: recovery (ledgerFile.ts), connection settings, migrations, and the previous run's requests marked interrupted. */
export function openLedgerConnection(opts: LedgerOptions): OpenedLedger {
  const opened = openLedgerFile(
    ledgerFilePath(opts),
    (db) => {
      configureConnection(db, opts.busyTimeoutMs ?? DEFAULT_BUSY_TIMEOUT_MS)
      migrate(db)
      const writer = new LedgerWriter(db)
      return { writer, reconciled: writer.reconcileInterrupted() }
    },
    opts.logger,
    opts.now,
    opts.nativeBinding,
  )
  return { db: opened.db, ...opened.prepared, storage: opened.storage, notice: opened.notice }
}
