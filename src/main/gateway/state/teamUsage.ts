// Team-wide usage: every instance adds its finished requests to hourly counters in Redis (per
// provider, app and model), batched once a second off the request path; any instance reads the
// team's totals from there. Each instance's own SQLite ledger stays the per-request record; these
// rollups are whole hours (a range is widened to the hours it touches).
import type { UsageRow } from '../../../shared/api'
import type { RedisConnection } from './redisConnection'
import type { TeamUsage } from './stateStore'

export const HOUR_MS = 3_600_000
const FLUSH_MS = 1_000
const SEP = '\u001f'
const NANO = 1e9
/** Counters kept while Redis is away, at most (groups × hours); beyond, the oldest are dropped. */
const MAX_PENDING_FIELDS = 50_000

export interface TeamUsageQuery {
  from: number
  to: number
  groupBy: ReadonlySet<'provider' | 'app' | 'model' | 'hour' | 'day'>
  /** Day key of an hour's start (the ledger's time zone). */
  dayOf?: (ms: number) => string
}

export type TeamUsageRow = UsageRow

export class RedisTeamUsage implements TeamUsage {
  private pending = new Map<number, Map<string, number>>()
  private pendingFields = 0
  private readonly timer: NodeJS.Timeout
  private flushing = false

  constructor(
    private readonly conn: RedisConnection,
    private readonly retentionDays: () => number,
  ) {
    this.timer = setInterval(() => void this.flush(), FLUSH_MS)
    this.timer.unref()
  }

  get available(): boolean {
    return this.conn.up
  }

  record(row: { ts: number; provider: string; app: string; model: string; ok: boolean; promptTokens: number; completionTokens: number; costUsd: number }): void {
    const hour = Math.floor(row.ts / HOUR_MS) * HOUR_MS
    const group = `${row.provider}${SEP}${row.app}${SEP}${row.model}`
    const add = (metric: string, n: number): void => {
      if (!(n > 0)) return
      let fields = this.pending.get(hour)
      if (!fields) this.pending.set(hour, (fields = new Map()))
      const field = `${group}${SEP}${metric}`
      if (!fields.has(field)) {
        if (this.pendingFields >= MAX_PENDING_FIELDS) return
        this.pendingFields++
      }
      fields.set(field, (fields.get(field) ?? 0) + n)
    }
    add('n', 1)
    if (!row.ok) add('e', 1)
    add('p', Math.round(row.promptTokens))
    add('c', Math.round(row.completionTokens))
    add('$', Math.round(row.costUsd * NANO))
  }

  async flush(): Promise<void> {
    if (this.flushing || this.pending.size === 0 || !this.conn.up) return
    this.flushing = true
    const batch = this.pending
    this.pending = new Map()
    this.pendingFields = 0
    try {
      const keepSec = Math.max(1, this.retentionDays()) * 86_400 + 7_200
      await this.conn.run((r) => {
        const tx = r.pipeline()
        for (const [hour, fields] of batch) {
          const key = this.keyOf(hour)
          for (const [field, n] of fields) tx.hincrby(key, field, n)
          tx.expire(key, keepSec)
        }
        return tx.exec()
      })
    } catch {
      // Counted again at the next flush (a reply lost after Redis applied it would count twice:
      // rare, and the per-request ledger of each instance stays exact).
      for (const [hour, fields] of batch) for (const [field, n] of fields) {
        let into = this.pending.get(hour)
        if (!into) this.pending.set(hour, (into = new Map()))
        if (!into.has(field)) this.pendingFields++
        into.set(field, (into.get(field) ?? 0) + n)
      }
    } finally {
      this.flushing = false
    }
  }

  async query(q: TeamUsageQuery): Promise<TeamUsageRow[]> {
    const first = Math.floor(q.from / HOUR_MS) * HOUR_MS
    const hours: number[] = []
    for (let h = first; h < q.to && hours.length < 24 * 400; h += HOUR_MS) hours.push(h)
    const replies = await this.conn.run((r) => {
      const tx = r.pipeline()
      for (const h of hours) tx.hgetall(this.keyOf(h))
      return tx.exec()
    })
    const merged = new Map<string, UsageRow>()
    hours.forEach((hour, i) => {
      const fields = (replies?.[i]?.[1] ?? {}) as Record<string, string>
      for (const [field, value] of Object.entries(fields)) {
        const [provider = '', app = '', model = '', metric] = field.split(SEP)
        const row: UsageRow = { requests: 0, promptTokens: 0, completionTokens: 0, totalTokens: 0, costUsd: 0 }
        if (q.groupBy.has('provider')) row.provider = provider
        if (q.groupBy.has('app')) row.app = app
        if (q.groupBy.has('model')) row.model = model
        if (q.groupBy.has('hour')) row.hour = new Date(hour).toISOString()
        if (q.groupBy.has('day')) row.day = (q.dayOf ?? ((ms: number) => new Date(ms).toISOString().slice(0, 10)))(hour)
        const k = [row.day, row.hour, row.provider, row.app, row.model].join('\u0000')
        const acc = merged.get(k) ?? merged.set(k, row).get(k)!
        const n = Number(value)
        if (metric === 'n') acc.requests += n
        else if (metric === 'p') acc.promptTokens += n
        else if (metric === 'c') acc.completionTokens += n
        else if (metric === '$') acc.costUsd += n / NANO
      }
    })
    const rows = [...merged.values()].filter((r) => r.requests > 0 || r.promptTokens > 0 || r.completionTokens > 0)
    for (const r of rows) {
      r.totalTokens = r.promptTokens + r.completionTokens
      r.costUsd = Math.round(r.costUsd * 1e9) / 1e9
    }
    rows.sort((a, b) => {
      for (const k of ['day', 'hour', 'provider', 'app', 'model'] as const) {
        const x = a[k] ?? ''
        const y = b[k] ?? ''
        if (x !== y) return x < y ? -1 : 1
      }
      return 0
    })
    return rows
  }

  async close(): Promise<void> {
    clearInterval(this.timer)
    await this.flush()
  }

  private keyOf(hour: number): string {
    return `${this.conn.settings.prefix}usage:${hour}`
  }
}
