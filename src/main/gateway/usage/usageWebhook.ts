// Optional usage webhook: POSTs finished ledger rows, in batches, to a configured URL.
//
// Delivery is at least once, with a stable idempotency key: a batch is formed once (its row ids
// and its id are kept in the ledger's meta table before the first POST), and every retry — after
// a failure, a timeout, a config change or a restart — sends exactly that batch again under the
// same id, as the `Idempotency-Key` header and `batchId` in the body, until the receiver answers
// 2xx. Only then are its rows marked exported and the next batch formed. A receiver that answered
// 2xx but whose answer was lost (timeout, crash before the mark) sees the batch again and can drop
// it by that id. At most one POST is open at a time; a config change lets it finish (bounded by
// the timeout) before the new settings take over, and after a timeout the retry waits at least as
// long as the timeout, so a slow receiver is not sent the batch again while it still works on it.
// Failures back off exponentially with jitter; timers are unref'd and owned here (close()).
import { createHash } from 'node:crypto'
import type Database from 'better-sqlite3'
import { request as undiciRequest } from 'undici'
import { fromDb, ROW_COLUMNS, type DbRow } from './ledgerRows'
import { ledgerRecord, pick } from './ledgerRecords'
import type { StoredUsageRow } from './types'

export interface WebhookRecord {
  requestId: string
  timestamp: string
  app: string
  provider: string
  providerBaseUrl: string | null
  routeModel: string
  upstreamModel: string
  endpoint: string
  stream: boolean
  status: number
  state: string
  promptTokens: number
  completionTokens: number
  totalTokens: number
  cachedTokens: number
  reasoningTokens: number
  costUsd: number
  estimated: boolean
}

/** The ledger fields a webhook record carries (it adds `providerBaseUrl`, and names `time` `timestamp`). */
const WEBHOOK_FIELDS = ['requestId', 'time', 'app', 'provider', 'routeModel', 'upstreamModel', 'endpoint', 'stream', 'status', 'state', 'promptTokens', 'completionTokens', 'totalTokens', 'cachedTokens', 'reasoningTokens', 'costUsd', 'estimated'] as const

/** The body of one POST. `batchId` equals the Idempotency-Key header and is the same on every retry. */
export interface WebhookPayload {
  batchId: string
  records: WebhookRecord[]
}

type Post = (url: string, init: { method: 'POST'; headers: Record<string, string>; body: string; signal: AbortSignal; headersTimeout: number; bodyTimeout: number }) => Promise<{ statusCode: number; body: { dump(): Promise<void> } }>

export const DEFAULT_WEBHOOK_TIMEOUT_MS = 10_000

export interface WebhookOptions {
  db: Database.Database
  url: string
  /** Extra headers for the receiver (e.g. its own auth). */
  headers?: Record<string, string>
  /** Base URL of a provider by id, for the records. */
  providerBaseUrl?: (providerId: string) => string | undefined
  batchSize?: number
  /** How often to look for new rows when there is nothing to send. */
  pollIntervalMs?: number
  /** How long one POST may take, from connecting to the end of the answer (default 10 s). */
  timeoutMs?: number
  baseRetryMs?: number
  maxRetryMs?: number
  now?: () => number
  random?: () => number
  post?: Post
  logger?: { warn(obj: object, msg: string): void }
}

export interface WebhookStatus {
  sent: number
  failures: number
  lastError?: string
  nextAttemptAt?: number
}

const SINCE_KEY = 'webhook_since'
/** The batch formed but not yet acknowledged: `{ batchId, ids }` (ledger row ids). */
const PENDING_KEY = 'webhook_pending'

interface Batch {
  batchId: string
  rows: StoredUsageRow[]
}

export class UsageWebhook {
  private readonly opts: Required<Omit<WebhookOptions, 'headers' | 'providerBaseUrl' | 'logger'>> & Pick<WebhookOptions, 'headers' | 'providerBaseUrl' | 'logger'>
  private readonly since: number
  private readonly selectBatch: Database.Statement
  private readonly selectByIds: Database.Statement
  private readonly readMeta: Database.Statement
  private readonly writeMeta: Database.Statement
  private readonly deleteMeta: Database.Statement
  private readonly acknowledge: (ids: number[]) => void
  private timer: NodeJS.Timeout | undefined
  private running: Promise<void> | undefined
  /** The delivery under way: a second caller joins it instead of posting the batch again. */
  private delivering: Promise<number> | undefined
  private lastTimedOut = false
  private readonly abort = new AbortController()
  private closed = false
  private state: WebhookStatus = { sent: 0, failures: 0 }

  constructor(opts: WebhookOptions) {
    this.opts = {
      batchSize: 100,
      pollIntervalMs: 5_000,
      timeoutMs: DEFAULT_WEBHOOK_TIMEOUT_MS,
      baseRetryMs: 1_000,
      maxRetryMs: 5 * 60_000,
      now: Date.now,
      random: Math.random,
      post: undiciRequest as unknown as Post,
      // An option given as undefined (a setting absent from the config) keeps its default.
      ...(Object.fromEntries(Object.entries(opts).filter(([, v]) => v !== undefined)) as WebhookOptions),
    }
    const db = opts.db
    // Only a gateway with a webhook pays for this index on every insert (see dropWebhookIndex).
    db.exec('CREATE INDEX IF NOT EXISTS requests_unexported ON requests (ts) WHERE exported = 0')
    this.readMeta = db.prepare('SELECT value FROM meta WHERE key = ?')
    this.writeMeta = db.prepare('INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value')
    this.deleteMeta = db.prepare('DELETE FROM meta WHERE key = ?')
    // Rows from before the webhook was first enabled are not sent (that could be a year of them).
    db.prepare('INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO NOTHING').run(SINCE_KEY, String(this.opts.now()))
    this.since = Number((this.readMeta.get(SINCE_KEY) as { value: string }).value)
    this.selectBatch = db.prepare(
      `SELECT ${ROW_COLUMNS} FROM requests WHERE exported = 0 AND ts >= ? AND state <> 'in_flight' ORDER BY ts, id LIMIT ?`,
    )
    this.selectByIds = db.prepare(`SELECT ${ROW_COLUMNS} FROM requests WHERE exported = 0 AND id IN (SELECT value FROM json_each(?)) ORDER BY ts, id`)
    const markExported = db.prepare('UPDATE requests SET exported = 1 WHERE id IN (SELECT value FROM json_each(?))')
    this.acknowledge = db.transaction((ids: number[]) => {
      markExported.run(JSON.stringify(ids))
      this.deleteMeta.run(PENDING_KEY)
    })
  }

  start(): void {
    this.schedule(0)
  }

  status(): WebhookStatus {
    return { ...this.state }
  }

  /**
   * Sends the pending batch (or forms the next one) now. Resolves to the number of rows
   * acknowledged (0: nothing to send, or failed). A call while a delivery is under way joins it.
   */
  sendBatch(): Promise<number> {
    this.delivering ??= this.deliver().finally(() => (this.delivering = undefined))
    return this.delivering
  }

  /**
   * Stops the timer. By default a POST in flight is aborted (shutdown: its rows stay for the next
   * run); with `{ finishDelivery: true }` (settings change) it may finish first, bounded by its timeout.
   */
  async close(opts: { finishDelivery?: boolean } = {}): Promise<void> {
    this.closed = true
    if (this.timer) clearTimeout(this.timer)
    if (!opts.finishDelivery) this.abort.abort()
    await this.running?.catch(() => undefined)
    await this.delivering?.catch(() => undefined)
  }

  private async deliver(): Promise<number> {
    this.lastTimedOut = false
    const batch = this.nextBatch()
    if (!batch) return 0
    const payload: WebhookPayload = { batchId: batch.batchId, records: batch.rows.map((r) => this.toRecord(r)) }
    const headers = { ...this.opts.headers, 'content-type': 'application/json', 'idempotency-key': batch.batchId }
    const timeoutMs = this.opts.timeoutMs
    const deadline = AbortSignal.timeout(timeoutMs)
    try {
      const res = await this.opts.post(this.opts.url, {
        method: 'POST',
        headers,
        body: JSON.stringify(payload),
        signal: AbortSignal.any([this.abort.signal, deadline]),
        headersTimeout: timeoutMs,
        bodyTimeout: timeoutMs,
      })
      await res.body.dump().catch(() => undefined)
      if (res.statusCode < 200 || res.statusCode >= 300) throw new Error(`receiver answered ${res.statusCode}`)
    } catch (err) {
      const code = (err as { code?: string }).code
      this.lastTimedOut = deadline.aborted || code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'UND_ERR_BODY_TIMEOUT'
      this.state.failures++
      this.state.lastError = this.lastTimedOut ? `receiver did not answer within ${timeoutMs} ms` : (err as Error).message
      if (!this.abort.signal.aborted) {
        this.opts.logger?.warn({ err: this.state.lastError, batchId: batch.batchId, rows: batch.rows.length, failures: this.state.failures }, 'usage webhook delivery failed; will retry the same batch')
      }
      return 0
    }
    this.acknowledge(batch.rows.map((r) => r.id))
    this.state.sent += batch.rows.length
    this.state.failures = 0
    this.state.lastError = undefined
    return batch.rows.length
  }

  /** The batch not acknowledged yet, exactly as first formed; else the next rows, recorded as pending before they are sent. */
  private nextBatch(): Batch | undefined {
    const pending = this.pending()
    if (pending) {
      // Rows deleted meanwhile (retention) are simply no longer in it; the id stays.
      const rows = (this.selectByIds.all(JSON.stringify(pending.ids)) as DbRow[]).map(fromDb)
      if (rows.length > 0) return { batchId: pending.batchId, rows }
      this.deleteMeta.run(PENDING_KEY)
    }
    const rows = (this.selectBatch.all(this.since, this.opts.batchSize) as DbRow[]).map(fromDb)
    if (rows.length === 0) return undefined
    const batchId = createHash('sha256').update(rows.map((r) => r.requestId).join('\n')).digest('hex').slice(0, 32)
    this.writeMeta.run(PENDING_KEY, JSON.stringify({ batchId, ids: rows.map((r) => r.id) }))
    return { batchId, rows }
  }

  private pending(): { batchId: string; ids: number[] } | undefined {
    const stored = this.readMeta.get(PENDING_KEY) as { value: string } | undefined
    if (!stored) return undefined
    try {
      const parsed = JSON.parse(stored.value) as { batchId?: unknown; ids?: unknown }
      if (typeof parsed.batchId === 'string' && Array.isArray(parsed.ids) && parsed.ids.every((id) => Number.isInteger(id))) {
        return { batchId: parsed.batchId, ids: parsed.ids as number[] }
      }
    } catch {
      // unreadable: form a fresh batch from what is still unexported
    }
    return undefined
  }

  private schedule(delayMs: number): void {
    if (this.closed) return
    if (this.timer) clearTimeout(this.timer)
    this.state.nextAttemptAt = this.opts.now() + delayMs
    this.timer = setTimeout(() => {
      this.timer = undefined
      this.running = this.tick().finally(() => (this.running = undefined))
    }, delayMs)
    this.timer.unref()
  }

  private async tick(): Promise<void> {
    let sent = 0
    try {
      sent = await this.sendBatch()
    } catch (err) {
      // A database error (locked, closed): treat like a failed delivery.
      this.state.failures++
      this.state.lastError = (err as Error).message
    }
    if (this.closed) return
    if (this.state.failures > 0) this.schedule(this.lastTimedOut ? Math.max(this.backoff(), this.opts.timeoutMs) : this.backoff())
    else this.schedule(sent >= this.opts.batchSize ? 0 : this.opts.pollIntervalMs)
  }

  /** Exponential backoff with jitter (half fixed, half random), capped. */
  backoff(): number {
    const exp = Math.min(this.opts.maxRetryMs, this.opts.baseRetryMs * 2 ** Math.min(this.state.failures - 1, 30))
    return Math.round(exp / 2 + (exp / 2) * this.opts.random())
  }

  private toRecord(r: StoredUsageRow): WebhookRecord {
    const { time, ...fields } = pick(ledgerRecord(r), WEBHOOK_FIELDS)
    return { ...fields, timestamp: time, providerBaseUrl: safeBaseUrl(this.opts.providerBaseUrl?.(r.provider)) }
  }
}

/** A base URL without anything that could carry a secret (user:password@, query, fragment). */
export function safeBaseUrl(url: string | undefined): string | null {
  if (!url) return null
  try {
    const u = new URL(url)
    return `${u.origin}${u.pathname.replace(/\/+$/, '')}`
  } catch {
    return null
  }
}

/** Without a webhook nobody asks for unexported rows: drop the index so inserts stay cheap. */
export function dropWebhookIndex(db: { exec(sql: string): unknown }): void {
  db.exec('DROP INDEX IF EXISTS requests_unexported')
}
