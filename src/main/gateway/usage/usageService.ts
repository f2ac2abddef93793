// The usage subsystem as the gateway composes it: the ledger writes usage.db from its own worker
// thread (ledgerThread.ts); this thread's connection serves queries, export, app keys and the
// webhook (WAL: readers and the writer do not wait on each other). One metrics registry; an
// optional webhook. createGateway opens it with the data dir and closes it last on shutdown
// (after the server drained), which writes every acknowledged row through the worker.
import fs from 'node:fs'
import path from 'node:path'
import Database from 'better-sqlite3'
import { AppKeyStore } from './appKeys'
import { preloadTokenizer } from './estimateTokens'
import type { Ledger, LedgerHealth, LedgerLogger, LedgerOptions } from './ledger'
import { openLedger } from './ledgerThread'
import { exportLedger, type ExportFormat } from './ledgerExport'
import { GatewayMetrics, type MetricsOptions } from './metrics'
import { RequestMeter, type MeterSink, type MeterStart } from './requestMeter'
import type { TimeRangeInput } from './timeRange'
import type { UsageRow } from './types'
import { UsageQueries } from './usageQueries'
import { RequestQueries } from './requestQueries'
import { dropWebhookIndex, UsageWebhook, type WebhookOptions, type WebhookStatus } from './usageWebhook'

export interface UsageServiceOptions {
  dataDir: string
  logger?: LedgerLogger
  ledger?: Omit<LedgerOptions, 'dataDir' | 'logger'> & {
    /**
     * Who writes usage.db: `worker` (default: a worker thread; the main thread when no worker can
     * run) or `main` (the event loop, as before the worker; the bench compares both). The
     * SWITCHYARD_LEDGER_WRITER environment variable overrides it.
     */
    writer?: 'worker' | 'main'
  }
  metrics?: MetricsOptions
  /** IANA zone for `day` buckets; the machine's zone when absent. */
  timeZone?: string
  now?: () => number
  /** Load the tokenizer for estimates right away (default false: ~35 MB of heap, loaded on the first estimate). */
  preloadTokenizer?: boolean
  /** better-sqlite3 addon path for hosts with another ABI (Electron); see LedgerOptions. */
  nativeBinding?: string
}

/** Where meters hand their rows while the ledger is switched off (`usage.ledger: false`). */
const NO_LEDGER: MeterSink = { begin: () => undefined, record: () => undefined }

export class UsageService {
  readonly ledger: Ledger
  readonly queries: UsageQueries
  readonly requests: RequestQueries
  readonly appKeys: AppKeyStore
  readonly metrics: GatewayMetrics
  private webhook: UsageWebhook | undefined
  private webhookChain: Promise<void> = Promise.resolve()
  private closing = false
  private readonly now: () => number
  private storeRows = true
  /** Meters started and not yet settled: close() waits for their rows (a cut stream's estimate is async). */
  private openMeters = 0
  private drained: (() => void) | undefined
  private readonly meterSettled = (): void => {
    this.openMeters--
    if (this.openMeters === 0) this.drained?.()
  }

  constructor(private readonly opts: UsageServiceOptions) {
    this.now = opts.now ?? Date.now
    this.ledger = openLedger({
      ...opts.ledger,
      dataDir: opts.dataDir,
      logger: opts.logger,
      now: opts.ledger?.now ?? opts.now,
      nativeBinding: opts.nativeBinding,
      writer: writerFromEnv(process.env.SWITCHYARD_LEDGER_WRITER) ?? opts.ledger?.writer,
    })
    this.queries = new UsageQueries(this.ledger.db, { now: this.now, timeZone: opts.timeZone })
    this.requests = new RequestQueries(this.ledger.db)
    this.appKeys = new AppKeyStore(this.ledger.db, { now: this.now })
    this.metrics = new GatewayMetrics(opts.metrics)
    if (opts.preloadTokenizer ?? false) preloadTokenizer()
  }

  /** Per-request metering; see RequestMeter for the call order. */
  startRequest(start: MeterStart): RequestMeter {
    this.openMeters++
    const sink = this.storeRows ? this.ledger : NO_LEDGER
    return new RequestMeter({ ledger: this.rowTap ? this.tapped(sink, this.rowTap) : sink, metrics: this.metrics, now: this.now, logger: this.opts.logger, onSettled: this.meterSettled }, start)
  }

  private rowTap: ((row: UsageRow) => void) | undefined

  /** Sees every finished row as it is handed to the ledger (team usage rollups); one tap. */
  tapRows(tap: ((row: UsageRow) => void) | undefined): void {
    this.rowTap = tap
  }

  private tapped(sink: MeterSink, tap: (row: UsageRow) => void): MeterSink {
    return {
      begin: (row) => sink.begin(row),
      record: (row) => {
        sink.record(row)
        try {
          tap(row)
        } catch {
          // team rollups must never cost a request its row
        }
      },
    }
  }

  /** Resolves once every started request has its row (or after `timeoutMs`: a meter nobody finishes must not hang shutdown). */
  whenMetered(timeoutMs: number): Promise<void> {
    if (this.openMeters <= 0) return Promise.resolve()
    return new Promise((resolve) => {
      const timer = setTimeout(done, timeoutMs)
      timer.unref()
      const previous = this.drained
      this.drained = done
      function done(): void {
        clearTimeout(timer)
        previous?.()
        resolve()
      }
    })
  }

  /** False when `usage.ledger` is off: requests are metered (metrics) but not stored. */
  get recording(): boolean {
    return this.storeRows
  }

  health(): LedgerHealth {
    return this.ledger.health()
  }

  /**
   * Applies the config's `usage` section that the ledger and queries read (retention, day zone,
   * whether rows are stored). Requests already under way keep the choice they started with.
   */
  configure(settings: { retentionDays?: number; timeZone?: string; ledger?: boolean }): void {
    if (settings.retentionDays !== undefined) this.ledger.setRetentionDays(settings.retentionDays)
    if (settings.ledger !== undefined) this.storeRows = settings.ledger
    this.queries.setTimeZone(settings.timeZone)
  }

  /**
   * A consistent copy of usage.db at `file` (SQLite's online backup: the gateway keeps serving and
   * writing meanwhile). Everything recorded so far is flushed first; the copy appears at `file`
   * only when complete (written beside it, then renamed).
   */
  async backupTo(file: string): Promise<void> {
    const target = path.resolve(file)
    if (target === path.resolve(this.ledger.file)) throw new Error('backupTo: the destination is the live database')
    this.ledger.flushAll()
    const partial = `${target}.partial-${process.pid}`
    try {
      await this.ledger.backup(partial)
      // A rollback-journal database is one self-contained file: right for an export.
      const copy = new Database(partial, this.opts.nativeBinding ? { nativeBinding: this.opts.nativeBinding } : undefined)
      try {
        copy.pragma('journal_mode = DELETE')
      } finally {
        copy.close()
      }
      fs.renameSync(partial, target)
    } catch (err) {
      for (const suffix of ['', '-wal', '-shm', '-journal']) fs.rmSync(partial + suffix, { force: true })
      throw err
    }
  }

  /** CSV or JSON text pieces of the per-request ledger; throws RangeError on a bad range. */
  export(format: ExportFormat, range: TimeRangeInput = {}): Generator<string> {
    return exportLedger(this.ledger.db, format, range, this.now())
  }

  /** (Re)configures the webhook; undefined turns it off. Calls take effect one after another, in order. */
  setWebhook(opts: Omit<WebhookOptions, 'db'> | undefined): Promise<void> {
    const next = this.webhookChain.then(() => this.replaceWebhook(opts))
    this.webhookChain = next.catch(() => undefined)
    return next
  }

  /** Delivery state of the webhook (undefined when none is configured). */
  webhookStatus(): WebhookStatus | undefined {
    return this.webhook?.status()
  }

  private async replaceWebhook(opts: Omit<WebhookOptions, 'db'> | undefined): Promise<void> {
    // A POST under way may finish (bounded by its timeout): the new settings must not post the
    // same batch while the receiver still has it open.
    await this.webhook?.close({ finishDelivery: true })
    this.webhook = undefined
    if (this.closing || !this.ledger.db.open) return
    if (!opts) {
      dropWebhookIndex(this.ledger.db)
      return
    }
    this.webhook = new UsageWebhook({ ...opts, db: this.ledger.db, logger: opts.logger ?? this.opts.logger })
    this.webhook.start()
  }

  async close(): Promise<void> {
    // Stop the webhook but keep its index: the next start would rebuild it over the whole table.
    // Shutting down aborts a POST in flight (a settings change waiting on it must not hold the exit).
    this.closing = true
    void this.webhook?.close()
    await this.webhookChain
    await this.webhook?.close()
    this.webhook = undefined
    this.appKeys.close()
    this.ledger.close()
  }
}

function writerFromEnv(value: string | undefined): 'worker' | 'main' | undefined {
  return value === 'worker' || value === 'main' ? value : undefined
}
