// Reads for the UI and the admin API: usage grouped by any of provider/app/model/hour/day over a
// time range, today's totals for the tray, and recent requests. Whole hours come from the hourly
// rollups (fast, and kept beyond row retention); the partial hours at either end of a range come
// from the per-request rows, in quarter-hour buckets so local days are exact in every time zone
// (all UTC offsets are multiples of 15 minutes).
import type Database from 'better-sqlite3'
import { fromDb, HOUR_MS, ROW_COLUMNS, type DbRow } from './ledgerRows'
import { dayKeyFormatter, localDayStart, parseRange, type TimeRangeInput } from './timeRange'
import type { StoredUsageRow } from './types'
import { USAGE_GROUP_KEYS, type TodayUsage, type UsageGroupKey, type UsageRow } from '../../../shared/api'

export type GroupKey = UsageGroupKey
export const GROUP_KEYS: readonly GroupKey[] = USAGE_GROUP_KEYS

export interface UsageQuery extends TimeRangeInput {
  /** Any subset, as an array or a comma-separated string (`provider,day`). */
  groupBy?: readonly GroupKey[] | string
}

// The shapes the app API promises (src/shared/api.ts) are the ones queries return.
export type { UsageTotals, TodayUsage } from '../../../shared/api'
/** One row of grouped usage; only the grouped keys are present. `hour` is the UTC hour start (ISO). */
export type UsageAggregate = UsageRow

export interface QueryOptions {
  now?: () => number
  /** IANA zone for `day` buckets; the machine's own zone when absent. */
  timeZone?: string
}

const QUARTER_MS = 15 * 60_000
const DIMENSIONS = ['provider', 'app', 'model'] as const
const RAW_MODEL = `CASE WHEN upstream_model <> '' THEN upstream_model ELSE route_model END`

interface BucketRow {
  bucket: number | null
  provider?: string
  app?: string
  model?: string
  requests: number
  prompt: number
  completion: number
  cost: number
}

export class UsageQueries {
  private readonly now: () => number
  private readonly cache = new Map<string, Database.Statement>()

  constructor(
    private readonly db: Database.Database,
    private readonly opts: QueryOptions = {},
  ) {
    this.now = opts.now ?? Date.now
  }

  /** IANA zone for `day` buckets and "today" (config change); undefined: the machine's zone. */
  setTimeZone(timeZone: string | undefined): void {
    this.opts.timeZone = timeZone
  }

  get timeZone(): string | undefined {
    return this.opts.timeZone
  }

  /** Throws RangeError on a malformed range or an unknown group key (a 400 for the caller). */
  usage(query: UsageQuery = {}): { rows: UsageAggregate[] } {
    const { from, to } = parseRange(query, this.now())
    const keys = parseGroupBy(query.groupBy)
    const dims = DIMENSIONS.filter((d) => keys.has(d))
    const timed = keys.has('hour') || keys.has('day')
    const parts: BucketRow[] = []
    const firstHour = Math.ceil(from / HOUR_MS) * HOUR_MS
    const lastHour = Math.floor(to / HOUR_MS) * HOUR_MS
    if (firstHour >= lastHour) {
      parts.push(...this.rawBuckets(dims, timed, from, to))
    } else {
      if (from < firstHour) parts.push(...this.rawBuckets(dims, timed, from, firstHour))
      // Where a local midnight falls inside a UTC hour (zones at :30 / :45 offsets), that hour's
      // rollup cannot be split between two days: read its rows instead.
      const split = keys.has('day') ? midnightHours(firstHour, lastHour, this.opts.timeZone) : []
      parts.push(...this.rollupBuckets(dims, timed, firstHour, lastHour, split))
      for (const h of split) parts.push(...this.rawBuckets(dims, timed, h, h + HOUR_MS))
      if (lastHour < to) parts.push(...this.rawBuckets(dims, timed, lastHour, to))
    }
    const dayOf = keys.has('day') ? dayKeyFormatter(this.opts.timeZone) : undefined
    const merged = new Map<string, UsageAggregate>()
    for (const p of parts) {
      const row: UsageAggregate = { requests: 0, promptTokens: 0, completionTokens: 0, totalTokens: 0, costUsd: 0 }
      for (const d of dims) row[d] = p[d] ?? ''
      if (keys.has('hour') && p.bucket !== null) row.hour = new Date(Math.floor(p.bucket / HOUR_MS) * HOUR_MS).toISOString()
      if (dayOf && p.bucket !== null) row.day = dayOf(p.bucket)
      const k = [row.day, row.hour, row.provider, row.app, row.model].join('\u0000')
      const acc = merged.get(k) ?? merged.set(k, row).get(k)!
      acc.requests += p.requests
      acc.promptTokens += p.prompt
      acc.completionTokens += p.completion
      acc.costUsd += p.cost
    }
    const rows = [...merged.values()]
    for (const r of rows) {
      r.totalTokens = r.promptTokens + r.completionTokens
      r.costUsd = roundUsd(r.costUsd)
    }
    rows.sort(compareAggregates)
    return { rows }
  }

  /** Today's totals (local day), overall and per provider: reads only today's rollups. */
  today(): TodayUsage {
    const now = this.now()
    const start = localDayStart(now, this.opts.timeZone)
    const day = dayKeyFormatter(this.opts.timeZone)(now)
    // Up to the next local midnight (≤ 25 h later on a DST day): whole hours, so rollups only.
    const { rows } = this.usage({ from: start, to: start + 26 * HOUR_MS, groupBy: ['provider', 'day'] })
    const result: TodayUsage = { day, requests: 0, promptTokens: 0, completionTokens: 0, totalTokens: 0, costUsd: 0, providers: {}, apps: {} }
    for (const r of this.usage({ from: start, to: start + 26 * HOUR_MS, groupBy: ['app', 'day'] }).rows) {
      if (r.day !== day) continue
      const { app = '', day: _day, ...totals } = r
      result.apps![app] = totals
    }
    for (const r of rows) {
      if (r.day !== day) continue
      const { provider = '', day: _day, ...totals } = r
      result.providers[provider] = totals
      result.requests += r.requests
      result.promptTokens += r.promptTokens
      result.completionTokens += r.completionTokens
      result.totalTokens += r.totalTokens
      result.costUsd = roundUsd(result.costUsd + r.costUsd)
    }
    return result
  }

  /** The latest requests, newest first; in-flight ones included (state `in_flight`). */
  recent(limit = 50): StoredUsageRow[] {
    const n = Math.min(1000, Math.max(1, Math.floor(Number.isFinite(limit) ? limit : 50)))
    const rows = this.statement(`SELECT ${ROW_COLUMNS} FROM requests ORDER BY ts DESC, id DESC LIMIT ?`).all(n) as DbRow[]
    return rows.map(fromDb)
  }

  private rollupBuckets(dims: readonly string[], timed: boolean, from: number, to: number, skipHours: number[]): BucketRow[] {
    const groups = [...dims, ...(timed ? ['hour'] : [])]
    const skip = skipHours.length ? ' AND hour NOT IN (SELECT value FROM json_each(?))' : ''
    const sql = `SELECT ${timed ? 'hour' : 'NULL'} AS bucket, ${dims.map((d) => `${d}, `).join('')}
      sum(requests) AS requests, sum(prompt_tokens) AS prompt, sum(completion_tokens) AS completion, sum(cost_usd) AS cost
      FROM rollups_hourly WHERE hour >= ? AND hour < ?${skip}${groups.length ? ` GROUP BY ${groups.join(', ')}` : ''}`
    const args = skipHours.length ? [from, to, JSON.stringify(skipHours)] : [from, to]
    return (this.statement(sql).all(...args) as BucketRow[]).filter((r) => r.requests > 0)
  }

  private rawBuckets(dims: readonly string[], timed: boolean, from: number, to: number): BucketRow[] {
    const columns = dims.map((d) => (d === 'model' ? `${RAW_MODEL} AS model, ` : `${d}, `)).join('')
    const groups = [...dims.map((d) => (d === 'model' ? RAW_MODEL : d)), ...(timed ? ['bucket'] : [])]
    const sql = `SELECT ${timed ? `(ts / ${QUARTER_MS}) * ${QUARTER_MS}` : 'NULL'} AS bucket, ${columns}
      count(*) AS requests, sum(prompt_tokens) AS prompt, sum(completion_tokens) AS completion, sum(cost_usd) AS cost
      FROM requests WHERE ts >= ? AND ts < ? AND state <> 'in_flight'${groups.length ? ` GROUP BY ${groups.join(', ')}` : ''}`
    return (this.statement(sql).all(from, to) as BucketRow[]).filter((r) => r.requests > 0)
  }

  private statement(sql: string): Database.Statement {
    let stmt = this.cache.get(sql)
    if (!stmt) {
      stmt = this.db.prepare(sql)
      this.cache.set(sql, stmt)
    }
    return stmt
  }
}

export function parseGroupBy(groupBy: UsageQuery['groupBy']): Set<GroupKey> {
  const list = typeof groupBy === 'string' ? groupBy.split(',') : (groupBy ?? [])
  const keys = new Set<GroupKey>()
  for (const raw of list) {
    const k = raw.trim()
    if (k === '') continue
    if (!(GROUP_KEYS as readonly string[]).includes(k)) throw new RangeError(`groupBy: unknown key "${k}" (use ${GROUP_KEYS.join(', ')})`)
    keys.add(k as GroupKey)
  }
  return keys
}

/** UTC hours in [from, to) that contain a local midnight strictly inside them. */
function midnightHours(from: number, to: number, timeZone: string | undefined): number[] {
  const hours: number[] = []
  let midnight = localDayStart(from, timeZone)
  while (midnight < to) {
    if (midnight >= from && midnight % HOUR_MS !== 0) hours.push(Math.floor(midnight / HOUR_MS) * HOUR_MS)
    midnight = localDayStart(midnight + 26 * HOUR_MS, timeZone)
  }
  return hours
}

function roundUsd(v: number): number {
  return Math.round(v * 1e9) / 1e9
}

function compareAggregates(a: UsageAggregate, b: UsageAggregate): number {
  for (const k of ['day', 'hour', 'provider', 'app', 'model'] as const) {
    const x = a[k] ?? ''
    const y = b[k] ?? ''
    if (x !== y) return x < y ? -1 : 1
  }
  return 0
}
