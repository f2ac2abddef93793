// Optional usage webhook: POSTs finished ledger rows, in batches, to a configured URL. A row is
// marked exported only after a 2xx, in the same database, so a restart resends exactly what was
// not acknowledged. Delivery is at least once (a crash between the 2xx and the mark resends that
// batch): each record carries its request id and each batch an Idempotency-Key for receivers.
// Failures back off exponentially with jitter; timers are unref'd and owned here (close()).
import { createHash } from 'node:crypto'
import type Database from 'better-sqlite3'
import { request as undiciRequest } from 'undici'
import { fromDb, ROW_COLUMNS, type DbRow } from './ledgerRows'
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

type Post = (url: string, init: { method: 'POST'; headers: Record<string, string>; body: string; signal: AbortSignal; headersTimeout: number; bodyTimeout: number }) => Promise<{ statusCode: number; body: { dump(): Promise<void> } }>

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

export class UsageWebhook {
  private readonly opts: Required<Omit<WebhookOptions, 'headers' | 'providerBaseUrl' | 'logger'>> & Pick<WebhookOptions, 'headers' | 'providerBaseUrl' | 'logger'>
  private readonly since: number
  private readonly selectBatch: Database.Statement
  private readonly markExported: Database.Statement
  private timer: NodeJS.Timeout | undefined
  private running: Promise<void> | undefined
  private readonly abort = new AbortController()
  private closed = false
  private state: WebhookStatus = { sent: 0, failures: 0 }

  constructor(opts: WebhookOptions) {
    this.opts = {
      batchSize: 100,
      pollIntervalMs: 5_000,
      timeoutMs: 10_000,
      baseRetryMs: 1_000,
      maxRetryMs: 5 * 60_000,
      now: Date.now,
      random: Math.random,
      post: undiciRequest as unknown as Post,
      ...opts,
    }
    const db = opts.db
    // Only a gateway with a webhook pays for this index on every insert (see dropWebhookIndex).
    db.exec('CREATE INDEX IF NOT EXISTS requests_unexported ON requests (ts) WHERE exported = 0')
    // Rows from before the webhook was first enabled are not sent (that could be a year of them).
    db.prepare('INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO NOTHING').run(SINCE_KEY, String(this.opts.now()))
    this.since = Number((db.prepare('SELECT value FROM meta WHERE key = ?').get(SINCE_KEY) as { value: string }).value)
    this.selectBatch = db.prepare(
      `SELECT ${ROW_COLUMNS} FROM requests WHERE exported = 0 AND ts >= ? AND state <> 'in_flight' ORDER BY ts, id LIMIT ?`,
    )
    this.markExported = db.prepare('UPDATE requests SET exported = 1 WHERE id IN (SELECT value FROM json_each(?))')
  }

  start(): void {
    this.schedule(0)
  }

  status(): WebhookStatus {
    return { ...this.state }
  }

  /** Sends one batch now. Resolves to the number of rows acknowledged (0: nothing to send, or failed). */
  async sendBatch(): Promise<number> {
    const rows = (this.selectBatch.all(this.since, this.opts.batchSize) as DbRow[]).map(fromDb)
    if (rows.length === 0) return 0
    const ids = rows.map((r) => r.id)
    const body = JSON.stringify({ records: rows.map((r) => this.toRecord(r)) })
    const headers = {
      ...this.opts.headers,
      'content-type': 'application/json',
      'idempotency-key': createHash('sha256').update(rows.map((r) => r.requestId).join('\n')).digest('hex').slice(0, 32),
    }
    try {
      const res = await this.opts.post(this.opts.url, { method: 'POST', headers, body, signal: this.abort.signal, headersTimeout: this.opts.timeoutMs, bodyTimeout: this.opts.timeoutMs })
      await res.body.dump().catch(() => undefined)
      if (res.statusCode < 200 || res.statusCode >= 300) throw new Error(`receiver answered ${res.statusCode}`)
    } catch (err) {
      this.state.failures++
      this.state.lastError = (err as Error).message
      this.opts.logger?.warn({ err: this.state.lastError, rows: rows.length, failures: this.state.failures }, 'usage webhook delivery failed; will retry')
      return 0
    }
    this.markExported.run(JSON.stringify(ids))
    this.state.sent += rows.length
    this.state.failures = 0
    this.state.lastError = undefined
    return rows.length
  }

  /** Stops the timer and any request in flight; unacknowledged rows stay for the next run. */
  async close(): Promise<void> {
    this.closed = true
    if (this.timer) clearTimeout(this.timer)
    this.abort.abort()
    await this.running?.catch(() => undefined)
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
    if (this.state.failures > 0) this.schedule(this.backoff())
    else this.schedule(sent >= this.opts.batchSize ? 0 : this.opts.pollIntervalMs)
  }

  /** Exponential backoff with jitter (half fixed, half random), capped. */
  backoff(): number {
    const exp = Math.min(this.opts.maxRetryMs, this.opts.baseRetryMs * 2 ** Math.min(this.state.failures - 1, 30))
    return Math.round(exp / 2 + (exp / 2) * this.opts.random())
  }

  private toRecord(r: StoredUsageRow): WebhookRecord {
    return {
      requestId: r.requestId,
      timestamp: new Date(r.ts).toISOString(),
      app: r.app,
      provider: r.provider,
      providerBaseUrl: safeBaseUrl(this.opts.providerBaseUrl?.(r.provider)),
      routeModel: r.routeModel,
      upstreamModel: r.upstreamModel,
      endpoint: r.endpoint,
      stream: r.stream,
      status: r.status,
      state: r.state,
      promptTokens: r.promptTokens,
      completionTokens: r.completionTokens,
      totalTokens: r.promptTokens + r.completionTokens,
      cachedTokens: r.cachedTokens,
      reasoningTokens: r.reasoningTokens,
      costUsd: r.costUsd,
      estimated: r.estimated,
    }
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
