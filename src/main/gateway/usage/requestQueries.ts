// The request explorer's reads: the whole ledger, newest first, filtered on the server (status
// class, app, provider, model, endpoint, time range, request id) and paged by keyset — a cursor
// naming the last row seen (ts, id) — so page 500 costs what page 1 costs. Each filter has an
// index that keeps the newest-first order (migration 2 in ledgerSchema.ts).
import type Database from 'better-sqlite3'
import { fromDb, ROW_COLUMNS, type DbRow } from './ledgerRows'
import type { StoredUsageRow } from './types'
import type { RequestFacets, RequestQuery } from '../../../shared/api'

export const MAX_PAGE = 1000

/** Rows that failed: an HTTP error status, or a request that ended in error, aborted or was cut by a crash. */
const FAILED = `(status >= 400 OR state NOT IN ('ok', 'in_flight'))`

export interface RequestPage {
  items: StoredUsageRow[]
  /** Pass back as `cursor` for the next (older) page; absent on the last page. */
  nextCursor?: string
}

export class RequestQueries {
  private readonly cache = new Map<string, Database.Statement>()

  constructor(private readonly db: Database.Database) {}

  /** Throws RangeError on a malformed cursor or time (a 400 for the caller). */
  page(query: RequestQuery = {}): RequestPage {
    const limit = Math.min(MAX_PAGE, Math.max(1, Math.floor(Number.isFinite(query.limit) ? query.limit! : 100)))
    const { where, args } = whereClause(query)
    const sql = `SELECT ${ROW_COLUMNS} FROM requests${where.length ? ` WHERE ${where.join(' AND ')}` : ''} ORDER BY ts DESC, id DESC LIMIT ?`
    const rows = (this.statement(sql).all(...args, limit + 1) as DbRow[]).map(fromDb)
    const more = rows.length > limit
    const items = more ? rows.slice(0, limit) : rows
    const last = items[items.length - 1]
    return more && last ? { items, nextCursor: `${last.ts}.${last.id}` } : { items }
  }

  /** SQLite's plan for a query (tests assert every filter is served by an index, without a sort). */
  plan(query: RequestQuery = {}): string[] {
    const { where, args } = whereClause(query)
    const sql = `EXPLAIN QUERY PLAN SELECT ${ROW_COLUMNS} FROM requests${where.length ? ` WHERE ${where.join(' AND ')}` : ''} ORDER BY ts DESC, id DESC LIMIT ?`
    return (this.db.prepare(sql).all(...args, 100) as Array<{ detail: string }>).map((r) => r.detail)
  }

  /** Values for the filter menus: apps, providers and models from the hourly rollups, endpoints from recent rows. */
  facets(): RequestFacets {
    const distinct = (column: string): string[] =>
      (this.statement(`SELECT DISTINCT ${column} AS v FROM rollups_hourly ORDER BY v`).all() as Array<{ v: string }>).map((r) => r.v).filter((v) => v !== '')
    const endpoints = (this.statement(`SELECT DISTINCT endpoint AS v FROM (SELECT endpoint FROM requests ORDER BY id DESC LIMIT 20000) ORDER BY v`).all() as Array<{ v: string }>)
      .map((r) => r.v)
      .filter((v) => v !== '')
    return { apps: distinct('app'), providers: distinct('provider'), models: distinct('model'), endpoints }
  }

  private statement(sql: string): Database.Statement {
    let stmt = this.cache.get(sql)
    if (!stmt) {
      stmt = this.db.prepare(sql)
      if (this.cache.size > 200) this.cache.clear()
      this.cache.set(sql, stmt)
    }
    return stmt
  }
}

function whereClause(q: RequestQuery): { where: string[]; args: unknown[] } {
  const where: string[] = []
  const args: unknown[] = []
  if (q.requestId) {
    // A whole id, or the start of one (as copied from a log line).
    where.push('request_id >= ? AND request_id < ?')
    args.push(q.requestId, q.requestId + '\uffff')
  }
  if (q.app !== undefined) {
    where.push('app = ?')
    args.push(q.app)
  }
  if (q.provider !== undefined) {
    where.push('provider = ?')
    args.push(q.provider)
  }
  if (q.model !== undefined) {
    where.push('route_model = ?')
    args.push(q.model)
  }
  if (q.endpoint !== undefined) {
    where.push('endpoint = ?')
    args.push(q.endpoint)
  }
  switch (q.status) {
    case '2xx':
      where.push('status >= 200 AND status < 300')
      break
    case '4xx':
      where.push(FAILED, 'status >= 400 AND status < 500')
      break
    case '5xx':
      where.push(FAILED, 'status >= 500')
      break
    case 'errors':
      where.push(FAILED)
      break
  }
  if (q.from !== undefined) {
    where.push('ts >= ?')
    args.push(timeMs(q.from, 'from'))
  }
  if (q.to !== undefined) {
    where.push('ts < ?')
    args.push(timeMs(q.to, 'to'))
  }
  if (q.cursor !== undefined) {
    const m = /^(\d{1,15})\.(\d{1,15})$/.exec(q.cursor)
    if (!m) throw new RangeError('cursor: pass back the nextCursor of the previous page')
    where.push('(ts < ? OR (ts = ? AND id < ?))')
    args.push(Number(m[1]), Number(m[1]), Number(m[2]))
  }
  return { where, args }
}

function timeMs(value: string, name: string): number {
  const ms = /^\d{1,15}$/.test(value) ? Number(value) : Date.parse(value)
  if (!Number.isFinite(ms)) throw new RangeError(`${name}: not an ISO 8601 time`)
  return ms
}
