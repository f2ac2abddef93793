// Export of the per-request ledger as CSV or JSON, produced as an iterator of text pieces that a
// caller streams (e.g. `Readable.from(iter).pipe(res)`). Rows are read in pages by keyset
// (ts, id), never held whole, and no statement stays open between pages: a slow reader never
// blocks the ledger's writes on the same connection.
import type Database from 'better-sqlite3'
import { fromDb, ROW_COLUMNS, type DbRow } from './ledgerRows'
import { ledgerRecord } from './ledgerRecords'
import { parseRange, type TimeRangeInput } from './timeRange'
import type { StoredUsageRow } from './types'

export type ExportFormat = 'csv' | 'json'

const PAGE_ROWS = 1000

/** Column order of the CSV, and the keys of each JSON record. */
export const EXPORT_FIELDS = [
  'requestId',
  'time',
  'app',
  'provider',
  'routeModel',
  'upstreamModel',
  'endpoint',
  'stream',
  'status',
  'state',
  'promptTokens',
  'completionTokens',
  'cachedTokens',
  'cacheCreationTokens',
  'reasoningTokens',
  'totalTokens',
  'costUsd',
  'latencyMs',
  'ttftMs',
  'attempts',
  'errorClass',
  'estimated',
  'path',
  // Added later: appended, so that existing CSV consumers keep their column positions.
  'keyLabel',
  'queueWaitMs',
] as const

export type ExportRecord = Record<(typeof EXPORT_FIELDS)[number], string | number | boolean | null>

export function toExportRecord(r: StoredUsageRow): ExportRecord {
  const rec = ledgerRecord(r)
  const out = {} as ExportRecord
  for (const f of EXPORT_FIELDS) out[f] = f === 'path' ? rec.pathText : (rec[f] ?? null)
  return out
}

/** Finished rows in [from, to), oldest first, a page at a time. */
export function* ledgerRows(db: Database.Database, range: TimeRangeInput, now = Date.now()): Generator<StoredUsageRow> {
  const { from, to } = parseRange(range, now)
  const page = db.prepare(
    `SELECT ${ROW_COLUMNS} FROM requests
     WHERE ts >= @from AND ts < @to AND state <> 'in_flight' AND (ts > @ts OR (ts = @ts AND id > @id))
     ORDER BY ts, id LIMIT ${PAGE_ROWS}`,
  )
  let cursor = { ts: from - 1, id: 0 }
  for (;;) {
    const rows = page.all({ from, to, ...cursor }) as DbRow[]
    for (const r of rows) yield fromDb(r)
    if (rows.length < PAGE_ROWS) return
    const last = rows[rows.length - 1]
    cursor = { ts: last.ts, id: last.id }
  }
}

/** RFC 4180 CSV with a header row and CRLF line ends. */
export function* exportCsv(rows: Iterable<StoredUsageRow>): Generator<string> {
  yield `${EXPORT_FIELDS.join(',')}\r\n`
  let batch: string[] = []
  for (const row of rows) {
    const rec = toExportRecord(row)
    batch.push(EXPORT_FIELDS.map((f) => csvCell(rec[f])).join(','))
    if (batch.length === 200) {
      yield `${batch.join('\r\n')}\r\n`
      batch = []
    }
  }
  if (batch.length) yield `${batch.join('\r\n')}\r\n`
}

/** A JSON array of records, one per line. */
export function* exportJson(rows: Iterable<StoredUsageRow>): Generator<string> {
  yield '['
  let first = true
  for (const row of rows) {
    yield `${first ? '\n' : ',\n'}${JSON.stringify(toExportRecord(row))}`
    first = false
  }
  yield first ? ']\n' : '\n]\n'
}

export function exportLedger(db: Database.Database, format: ExportFormat, range: TimeRangeInput = {}, now = Date.now()): Generator<string> {
  // Validate the range now, not on the first read, so a bad request fails before headers go out.
  parseRange(range, now)
  const rows = ledgerRows(db, range, now)
  return format === 'csv' ? exportCsv(rows) : exportJson(rows)
}

/**
 * One CSV cell: quoted when it holds a comma, quote or line break; and text that a spreadsheet
 * would run as a formula (app names come from request headers) is prefixed with an apostrophe.
 */
export function csvCell(value: string | number | boolean | null | undefined): string {
  if (value === null || value === undefined) return ''
  if (typeof value !== 'string') return String(value)
  const safe = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe
}
