// Usage screen logic: time ranges, the query for each view, and chart series built from the
// grouped rows the gateway returns.
import type { UsageRow, UsageTotals } from '../../../shared/api'

export type RangePreset = 'today' | '24h' | '7d' | '30d' | 'custom'
export type Dimension = 'day' | 'provider' | 'app' | 'model'
export type Metric = 'totalTokens' | 'costUsd' | 'requests'

export const RANGE_OPTIONS: { label: string; value: RangePreset }[] = [
  { label: 'Today', value: 'today' },
  { label: 'Last 24 hours', value: '24h' },
  { label: 'Last 7 days', value: '7d' },
  { label: 'Last 30 days', value: '30d' },
  { label: 'Custom…', value: 'custom' },
]

export interface Range {
  from: string
  to: string
  /** Chart buckets: hours for short ranges, days for long ones. */
  bucket: 'hour' | 'day'
}

const HOUR = 3_600_000
const DAY = 24 * HOUR

export function rangeFor(preset: RangePreset, now: Date, custom?: [number, number] | null): Range {
  const to = now.getTime()
  switch (preset) {
    case 'today': {
      const start = new Date(now)
      start.setHours(0, 0, 0, 0)
      return { from: new Date(start).toISOString(), to: new Date(to).toISOString(), bucket: 'hour' }
    }
    case '24h':
      return { from: new Date(to - DAY).toISOString(), to: new Date(to).toISOString(), bucket: 'hour' }
    case '7d':
      return { from: new Date(startOfDay(to - 6 * DAY)).toISOString(), to: new Date(to).toISOString(), bucket: 'day' }
    case '30d':
      return { from: new Date(startOfDay(to - 29 * DAY)).toISOString(), to: new Date(to).toISOString(), bucket: 'day' }
    case 'custom': {
      const [a, b] = custom ?? [to - 7 * DAY, to]
      // The picker gives the start of the last chosen day: include that whole day.
      const end = Math.min(startOfDay(b) + DAY, to)
      const start = startOfDay(a)
      return { from: new Date(start).toISOString(), to: new Date(Math.max(end, start + HOUR)).toISOString(), bucket: end - start <= 2 * DAY ? 'hour' : 'day' }
    }
  }
}

function startOfDay(ms: number): number {
  const d = new Date(ms)
  d.setHours(0, 0, 0, 0)
  return d.getTime()
}

export function emptyTotals(): UsageTotals {
  return { requests: 0, promptTokens: 0, completionTokens: 0, totalTokens: 0, costUsd: 0 }
}

export function totalsOf(rows: readonly UsageTotals[]): UsageTotals {
  const t = emptyTotals()
  for (const r of rows) {
    t.requests += r.requests
    t.promptTokens += r.promptTokens
    t.completionTokens += r.completionTokens
    t.totalTokens += r.totalTokens
    t.costUsd += r.costUsd
  }
  return t
}

/** Every bucket label between from and to, so quiet hours/days show as zero rather than vanish. */
export function bucketsOf(range: Range): string[] {
  const from = new Date(range.from).getTime()
  const to = new Date(range.to).getTime()
  const out: string[] = []
  if (range.bucket === 'hour') {
    for (let t = Math.floor(from / HOUR) * HOUR; t < to; t += HOUR) out.push(new Date(t).toISOString())
  } else {
    const d = new Date(startOfDay(from))
    while (d.getTime() < to) {
      out.push(dayKey(d))
      d.setDate(d.getDate() + 1)
    }
  }
  return out
}

/** The local calendar day as the gateway keys it (YYYY-MM-DD in the machine's zone). */
export function dayKey(d: Date): string {
  const pad = (n: number): string => String(n).padStart(2, '0')
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`
}

export function bucketLabel(bucket: string, kind: 'hour' | 'day'): string {
  if (kind === 'day') {
    const [y, m, d] = bucket.split('-').map(Number)
    return new Date(y!, m! - 1, d).toLocaleDateString('en-US', { month: 'short', day: 'numeric' })
  }
  return new Date(bucket).toLocaleTimeString('en-GB', { hour: '2-digit', minute: '2-digit' })
}

export interface StackedSeries {
  buckets: string[]
  series: { name: string; data: number[] }[]
}

/**
 * Rows grouped by (bucket, dimension) as one series per dimension value, stacked over the
 * buckets. The largest `maxSeries - 1` keep their own series; the rest are summed as "other".
 */
export function stackedSeries(rows: readonly UsageRow[], range: Range, dimension: Dimension, metric: Metric, maxSeries = 6): StackedSeries {
  const buckets = bucketsOf(range)
  const index = new Map(buckets.map((b, i) => [b, i]))
  const totals = new Map<string, number>()
  for (const r of rows) totals.set(nameOf(r, dimension), (totals.get(nameOf(r, dimension)) ?? 0) + r[metric])
  const ranked = [...totals.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])).map(([name]) => name)
  const own = ranked.length <= maxSeries ? ranked : ranked.slice(0, maxSeries - 1)
  const names = ranked.length > own.length ? [...own, 'other'] : own
  const data = new Map(names.map((n) => [n, buckets.map(() => 0)]))
  for (const r of rows) {
    const bucket = range.bucket === 'hour' ? r.hour : r.day
    const i = bucket === undefined ? undefined : index.get(bucket)
    if (i === undefined) continue
    const name = own.includes(nameOf(r, dimension)) ? nameOf(r, dimension) : 'other'
    data.get(name)![i]! += r[metric]
  }
  return { buckets, series: names.map((name) => ({ name, data: data.get(name)! })) }
}

/** The series a row belongs to; by day there is one ("all"), the buckets being the days. */
export function nameOf(row: UsageRow, dimension: Dimension): string {
  if (dimension === 'day') return 'all'
  return row[dimension] || 'unknown'
}

/** Query for the chart: buckets over time, split by the dimension. */
export function chartGroupBy(range: Range, dimension: Dimension): string {
  return dimension === 'day' ? range.bucket : `${range.bucket},${dimension}`
}

/** Query for the table: one row per dimension value (per day for "day"). */
export function tableGroupBy(dimension: Dimension): string {
  return dimension
}

export const DIMENSION_OPTIONS: { label: string; value: Dimension }[] = [
  { label: 'Day', value: 'day' },
  { label: 'Provider', value: 'provider' },
  { label: 'App', value: 'app' },
  { label: 'Model', value: 'model' },
]

export const METRIC_OPTIONS: { label: string; value: Metric }[] = [
  { label: 'Tokens', value: 'totalTokens' },
  { label: 'Cost', value: 'costUsd' },
  { label: 'Requests', value: 'requests' },
]

/** Series colours (the chart palette) and the grey of "other" and "unknown". */
export const SERIES_PALETTE = ['#1aa892', '#4c8df6', '#e0a21a', '#a76ee8', '#e0605a', '#6bbf4e', '#d46fa8', '#3bb4c9']
const NEUTRAL = '#8a94a6'

/** A series keeps its colour whatever the metric, range or ranking: the colour follows the name. */
export function colorFor(name: string): string {
  if (name === 'other' || name === 'unknown') return NEUTRAL
  let h = 0
  for (let i = 0; i < name.length; i++) h = (Math.imul(h, 31) + name.charCodeAt(i)) >>> 0
  return SERIES_PALETTE[h % SERIES_PALETTE.length]!
}

/** What an "unknown" row means, per grouping. */
export const UNKNOWN_EXPLAINED: Partial<Record<Dimension, string>> = {
  provider: 'unknown: requests no provider took — a model nothing serves (404), or refused before routing (paused, bad key, body too large).',
  app: 'unknown: the caller sent no app key, no X-Switchyard-App header and no recognisable User-Agent.',
  model: 'unknown: requests that named no model.',
}

/** On a first look, a ledger that only holds today reads better hour by hour than as one bar of the week. */
export function firstLookPreset(rows: readonly UsageRow[], today: string): RangePreset | undefined {
  return rows.length > 0 && rows.every((r) => r.day === today) ? 'today' : undefined
}

/** Routes that lead to a model: the route is named after it, or one of its targets runs it. */
export function routesOf(model: string, routes: ReadonlyArray<{ model: string; targets: ReadonlyArray<{ model?: string }> }>): string[] {
  return routes.filter((r) => r.model === model || r.targets.some((t) => t.model === model)).map((r) => r.model)
}
