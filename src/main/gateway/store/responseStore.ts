// The OpenAI Responses API is stateful: `store: true` keeps a response so that a later request can
// continue from it (`previous_response_id`) and clients can fetch or delete it. Backends that are
// not OpenAI keep nothing, so Switchyard keeps it: each finished response with the full input it
// answered, in responses.db beside the ledger. Bounded by count and age; off with
// `responses.store: false`. Reads are by primary key; writes are one small statement per response.
import fs from 'node:fs'
import path from 'node:path'
import Database from 'better-sqlite3'

export interface StoredResponse {
  id: string
  /** The response object as the client received it. */
  response: Record<string, unknown>
  /** Every input item the response answered: the chain of previous responses expanded, then this request's input. */
  input: unknown[]
  createdAt: number
}

export interface ResponseStoreOptions {
  dataDir: string
  /** Most responses kept; the oldest go first. */
  maxResponses?: number
  /** Days a response is kept. */
  retentionDays?: number
  now?: () => number
  nativeBinding?: string
}

const DAY_MS = 24 * 60 * 60 * 1000
const PRUNE_EVERY = 100

export class ResponseStore {
  private readonly db: Database.Database
  private readonly now: () => number
  private maxResponses: number
  private retentionDays: number
  private writes = 0
  private readonly insert: Database.Statement
  private readonly select: Database.Statement
  private readonly remove: Database.Statement

  constructor(opts: ResponseStoreOptions) {
    this.now = opts.now ?? Date.now
    this.maxResponses = opts.maxResponses ?? 10_000
    this.retentionDays = opts.retentionDays ?? 30
    fs.mkdirSync(opts.dataDir, { recursive: true })
    const file = path.join(opts.dataDir, 'responses.db')
    this.db = openOrReplace(file, opts.nativeBinding)
    this.db.pragma('journal_mode = WAL')
    this.db.pragma('synchronous = NORMAL')
    this.db.exec('CREATE TABLE IF NOT EXISTS responses (id TEXT PRIMARY KEY, created_at INTEGER NOT NULL, response TEXT NOT NULL, input TEXT NOT NULL)')
    this.db.exec('CREATE INDEX IF NOT EXISTS responses_by_time ON responses (created_at)')
    this.insert = this.db.prepare('INSERT OR REPLACE INTO responses (id, created_at, response, input) VALUES (?, ?, ?, ?)')
    this.select = this.db.prepare('SELECT id, created_at, response, input FROM responses WHERE id = ?')
    this.remove = this.db.prepare('DELETE FROM responses WHERE id = ?')
  }

  configure(settings: { maxResponses?: number; retentionDays?: number }): void {
    if (settings.maxResponses !== undefined) this.maxResponses = settings.maxResponses
    if (settings.retentionDays !== undefined) this.retentionDays = settings.retentionDays
  }

  save(entry: Omit<StoredResponse, 'createdAt'>): void {
    this.insert.run(entry.id, this.now(), JSON.stringify(entry.response), JSON.stringify(entry.input))
    if (++this.writes % PRUNE_EVERY === 1) this.prune()
  }

  get(id: string): StoredResponse | undefined {
    const row = this.select.get(id) as { id: string; created_at: number; response: string; input: string } | undefined
    if (!row) return undefined
    if (row.created_at < this.now() - this.retentionDays * DAY_MS) return undefined
    return { id: row.id, createdAt: row.created_at, response: JSON.parse(row.response) as Record<string, unknown>, input: JSON.parse(row.input) as unknown[] }
  }

  delete(id: string): boolean {
    return this.remove.run(id).changes > 0
  }

  /** Drops what is past retention, then the oldest beyond the count. */
  prune(): void {
    this.db.prepare('DELETE FROM responses WHERE created_at < ?').run(this.now() - this.retentionDays * DAY_MS)
    this.db.prepare('DELETE FROM responses WHERE id IN (SELECT id FROM responses ORDER BY created_at DESC LIMIT -1 OFFSET ?)').run(this.maxResponses)
  }

  close(): void {
    if (this.db.open) this.db.close()
  }
}

/** A responses.db that cannot be read is only a cache of conversations: start it afresh rather than fail. */
function openOrReplace(file: string, nativeBinding: string | undefined): Database.Database {
  const options = nativeBinding ? { nativeBinding } : undefined
  try {
    const db = new Database(file, options)
    db.pragma('schema_version')
    return db
  } catch {
    try {
      for (const suffix of ['', '-wal', '-shm']) fs.rmSync(file + suffix, { force: true })
      return new Database(file, options)
    } catch {
      return new Database(':memory:', options) // an unwritable data dir: remember for this run only
    }
  }
}
