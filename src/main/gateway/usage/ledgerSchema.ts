// The usage.db schema as numbered migrations; `PRAGMA user_version` records how far a database
// has come, so opening any older file upgrades it step by step and opening a current one is a no-op.
import type Database from 'better-sqlite3'

const MIGRATIONS: readonly string[] = [
  // 1: per-request ledger, hourly rollups, app keys, small key/value metadata.
  `
  CREATE TABLE requests (
    id INTEGER PRIMARY KEY,
    request_id TEXT NOT NULL,
    ts INTEGER NOT NULL,
    app TEXT NOT NULL,
    provider TEXT NOT NULL,
    route_model TEXT NOT NULL,
    upstream_model TEXT NOT NULL,
    endpoint TEXT NOT NULL,
    stream INTEGER NOT NULL,
    status INTEGER NOT NULL DEFAULT 0,
    state TEXT NOT NULL,
    prompt_tokens INTEGER NOT NULL DEFAULT 0,
    completion_tokens INTEGER NOT NULL DEFAULT 0,
    cached_tokens INTEGER NOT NULL DEFAULT 0,
    cache_creation_tokens INTEGER NOT NULL DEFAULT 0,
    reasoning_tokens INTEGER NOT NULL DEFAULT 0,
    cost_usd REAL NOT NULL DEFAULT 0,
    latency_ms INTEGER,
    ttft_ms INTEGER,
    attempts INTEGER NOT NULL DEFAULT 1,
    error_class TEXT,
    estimated INTEGER NOT NULL DEFAULT 0,
    exported INTEGER NOT NULL DEFAULT 0,
    -- The attempts of a failed-over or failed request as JSON [{provider, model, outcome, status, latencyMs}].
    path TEXT
  );
  -- No unique index on request_id: a random UUID key costs every insert a B-tree walk; in-flight
  -- markers are found by rowid instead (LedgerWriter keeps them in memory).
  CREATE INDEX requests_by_ts ON requests (ts);
  CREATE INDEX requests_in_flight ON requests (id) WHERE state = 'in_flight';

  CREATE TABLE rollups_hourly (
    hour INTEGER NOT NULL,
    provider TEXT NOT NULL,
    app TEXT NOT NULL,
    model TEXT NOT NULL,
    requests INTEGER NOT NULL DEFAULT 0,
    errors INTEGER NOT NULL DEFAULT 0,
    prompt_tokens INTEGER NOT NULL DEFAULT 0,
    completion_tokens INTEGER NOT NULL DEFAULT 0,
    cached_tokens INTEGER NOT NULL DEFAULT 0,
    cache_creation_tokens INTEGER NOT NULL DEFAULT 0,
    reasoning_tokens INTEGER NOT NULL DEFAULT 0,
    cost_usd REAL NOT NULL DEFAULT 0,
    PRIMARY KEY (hour, provider, app, model)
  ) WITHOUT ROWID;

  CREATE TABLE app_keys (
    name TEXT PRIMARY KEY,
    key_hash TEXT NOT NULL UNIQUE,
    prefix TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    last_used_at INTEGER,
    -- Optional per-app limits and queue priority (interactive tools before batch jobs).
    rpm INTEGER,
    tpm INTEGER,
    priority TEXT NOT NULL DEFAULT 'normal'
  );

  CREATE TABLE meta (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
  );
  `,
  // 2: the request explorer's filters, each newest first without a sort (the rowid ends every
  // index entry, so (x, ts) serves ORDER BY ts DESC, id DESC for x = ?). Failed requests get a
  // partial index: they are few, and the ones people look for.
  `
  CREATE INDEX requests_by_app ON requests (app, ts);
  CREATE INDEX requests_by_provider ON requests (provider, ts);
  CREATE INDEX requests_by_model ON requests (route_model, ts);
  CREATE INDEX requests_by_endpoint ON requests (endpoint, ts);
  CREATE INDEX requests_failed ON requests (ts) WHERE (status >= 400 OR state NOT IN ('ok', 'in_flight'));
  CREATE INDEX requests_by_request_id ON requests (request_id);
  `,
  // 3: which key of a provider's key pool served the request (its label, never the key).
  `
  ALTER TABLE requests ADD COLUMN key_label TEXT;
  `,
  // 4: how long the request waited in admission's queue before its first lease (NULL: older rows).
  `
  ALTER TABLE requests ADD COLUMN queue_wait_ms INTEGER;
  `,
]

export const SCHEMA_VERSION = MIGRATIONS.length

/** Applies the migrations the database has not seen yet, each in its own transaction. */
export function migrate(db: Database.Database): number {
  const current = db.pragma('user_version', { simple: true }) as number
  if (current > SCHEMA_VERSION) {
    throw new Error(`usage.db is at schema ${current}, written by a newer Switchyard (this one knows up to ${SCHEMA_VERSION})`)
  }
  for (let v = current; v < SCHEMA_VERSION; v++) {
    db.transaction(() => {
      db.exec(MIGRATIONS[v])
      db.pragma(`user_version = ${v + 1}`)
    })()
  }
  return SCHEMA_VERSION
}

/** Opens settings every connection needs: WAL, a short busy wait, NORMAL sync (safe in WAL). */
export function configureConnection(db: Database.Database, busyTimeoutMs: number): void {
  db.pragma('journal_mode = WAL')
  // NORMAL in WAL mode loses nothing on a process crash (only on power loss), and commits skip fsync.
  db.pragma('synchronous = NORMAL')
  // Short on purpose: better-sqlite3 waits synchronously, on the gateway's event loop. A locked
  // database is retried from the backlog instead.
  db.pragma(`busy_timeout = ${Math.max(0, Math.floor(busyTimeoutMs))}`)
  db.pragma('foreign_keys = ON')
}
