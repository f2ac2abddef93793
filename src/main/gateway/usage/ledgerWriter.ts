// The ledger's database writes: one batch of queued operations per transaction (in-flight
// markers, final rows, and the rollup deltas of the rows that became final), the crash
// reconciliation at open, and retention deletes. Batching policy and failure handling live in
// ledger.ts; this file only talks SQL.
import type Database from 'better-sqlite3'
import { addToRollup, finalParams, finalValues, inFlightParams, LEDGER_SQL, type RollupDelta } from './ledgerRows'
import type { InFlightRow, UsageRow } from './types'

/** `seq`: the operation's number in the stream a LedgerThread feeds its worker (see progress below). */
export type LedgerOp = { kind: 'begin'; row: InFlightRow; seq?: number } | { kind: 'final'; row: UsageRow; seq?: number }

/**
 * How far a writer fed by a LedgerThread has got, committed in the same transaction as the rows:
 * `<run id>:<seq of the last operation written>`. A replacement writer (after its worker thread
 * died) reads it to skip what was already written, so a replay neither loses nor repeats a row.
 */
export const PROGRESS_KEY = 'ledger_progress'

export interface Progress {
  runId: string
  seq: number
}

/** Errors that say "not now" (locks, full or read-only disk): keep the rows and retry. */
const TRANSIENT = /^SQLITE_(BUSY|LOCKED|FULL|IOERR|READONLY|CANTOPEN|PROTOCOL|NOMEM|INTERRUPT)/

export function isTransient(err: unknown): boolean {
  const code = (err as { code?: unknown }).code
  return typeof code === 'string' && TRANSIENT.test(code)
}

export function countFinal(ops: LedgerOp[]): number {
  let n = 0
  for (const op of ops) if (op.kind === 'final') n++
  return n
}

/** FIFO with O(1) push and amortized O(1) removal from the front (Array#shift/splice are O(n)). */
export class OpQueue {
  private items: LedgerOp[] = []
  private head = 0

  get length(): number {
    return this.items.length - this.head
  }

  push(op: LedgerOp): void {
    this.items.push(op)
  }

  peek(n: number): LedgerOp[] {
    return this.items.slice(this.head, this.head + n)
  }

  drop(n: number): LedgerOp[] {
    const dropped = this.items.slice(this.head, this.head + n)
    this.head += dropped.length
    if (this.head > 1024 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head)
      this.head = 0
    }
    return dropped
  }
}

export class LedgerWriter {
  private readonly stmt
  private readonly transaction: (ops: LedgerOp[], progress: Progress | undefined) => Map<string, number | bigint | undefined>
  /** Rowids of in-flight markers written for requests not finished yet. */
  private readonly markers = new Map<string, number | bigint>()

  constructor(private readonly db: Database.Database) {
    this.stmt = {
      insertInFlight: db.prepare(LEDGER_SQL.insertInFlight),
      insertFinal: db.prepare(LEDGER_SQL.insertFinal),
      updateFinal: db.prepare(LEDGER_SQL.updateFinal),
      addRollup: db.prepare(LEDGER_SQL.addRollup),
      inFlightGroups: db.prepare(LEDGER_SQL.inFlightGroups),
      markInterrupted: db.prepare(LEDGER_SQL.markInterrupted),
      deleteOlderThan: db.prepare(LEDGER_SQL.deleteOlderThan),
      inFlightMarkers: db.prepare(LEDGER_SQL.inFlightMarkers),
      writeMeta: db.prepare('INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value'),
      readMeta: db.prepare('SELECT value FROM meta WHERE key = ?'),
    }
    this.transaction = db.transaction((ops: LedgerOp[], progress: Progress | undefined) => {
      const changes = this.apply(ops)
      if (progress) this.stmt.writeMeta.run(PROGRESS_KEY, `${progress.runId}:${progress.seq}`)
      return changes
    })
  }

  /**
   * Takes over the in-flight markers already in the database (a writer replacing another one of
   * the same run, whose requests are still going): their final rows then update them.
   */
  adoptInFlight(): number {
    const rows = this.stmt.inFlightMarkers.all() as Array<{ id: number; request_id: string }>
    for (const r of rows) this.markers.set(r.request_id, r.id)
    return rows.length
  }

  /** The last sequence number committed by `runId` (-1: none of that run). */
  committedSeq(runId: string): number {
    const stored = (this.stmt.readMeta.get(PROGRESS_KEY) as { value: string } | undefined)?.value
    if (!stored) return -1
    const at = stored.lastIndexOf(':')
    if (stored.slice(0, at) !== runId) return -1
    const seq = Number(stored.slice(at + 1))
    return Number.isSafeInteger(seq) ? seq : -1
  }

  /** Writes the operations (and the progress mark, if any) in one transaction; throws (and writes nothing) if any fails. */
  writeBatch(ops: LedgerOp[], progress?: Progress): void {
    const markerChanges = this.transaction(ops, progress)
    // Only a committed batch changes what is known about markers on disk.
    for (const [id, rowid] of markerChanges) {
      if (rowid === undefined) this.markers.delete(id)
      else this.markers.set(id, rowid)
    }
  }

  /** Rows left in flight by a previous run become `interrupted` (and count in the rollups). */
  reconcileInterrupted(): number {
    return this.db.transaction(() => {
      const groups = this.stmt.inFlightGroups.all() as Array<{ hour: number; provider: string; app: string; model: string; n: number }>
      if (groups.length === 0) return 0
      const changed = this.stmt.markInterrupted.run().changes
      for (const g of groups) {
        const delta: RollupDelta = { hour: g.hour, provider: g.provider, app: g.app, model: g.model, requests: g.n, errors: g.n, prompt: 0, completion: 0, cached: 0, cacheCreation: 0, reasoning: 0, cost: 0 }
        this.stmt.addRollup.run(delta)
      }
      return changed
    })()
  }

  /** Deletes up to `limit` finished rows that started before `ts` (oldest first). */
  deleteOlderThan(ts: number, limit: number): number {
    return this.stmt.deleteOlderThan.run(ts, limit).changes
  }

  /** Returns the in-flight markers it wrote (rowid) and consumed (undefined), applied after commit. */
  private apply(ops: LedgerOp[]): Map<string, number | bigint | undefined> {
    const finished = new Set<string>()
    for (const op of ops) if (op.kind === 'final') finished.add(op.row.requestId)
    const markerChanges = new Map<string, number | bigint | undefined>()
    const done = new Set<string>()
    const rollups = new Map<string, RollupDelta>()
    for (const op of ops) {
      const id = op.row.requestId
      if (op.kind === 'begin') {
        // A request that also finished in this batch needs no marker.
        if (!finished.has(id)) markerChanges.set(id, this.stmt.insertInFlight.run(...inFlightParams(op.row)).lastInsertRowid)
        continue
      }
      if (done.has(id)) continue // only the first final row of a request counts
      done.add(id)
      const params = finalParams(op.row)
      const marker = markerChanges.has(id) ? markerChanges.get(id) : this.markers.get(id)
      const values = finalValues(params)
      const written = marker === undefined ? this.stmt.insertFinal.run(...values).changes : this.stmt.updateFinal.run(...values, marker).changes
      if (marker !== undefined) markerChanges.set(id, undefined)
      if (written > 0) addToRollup(rollups, params)
    }
    for (const delta of rollups.values()) this.stmt.addRollup.run(delta)
    return markerChanges
  }
}
