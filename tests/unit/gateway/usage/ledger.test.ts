import path from 'node:path'
import Database from 'better-sqlite3'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { UsageLedger, type LedgerHealth, type LedgerOptions } from '../../../../src/main/gateway/usage/ledger'
import { migrate, SCHEMA_VERSION } from '../../../../src/main/gateway/usage/ledgerSchema'
import { seededRandom } from '../../../helpers/random'
import { inFlight, row, tempDir } from './ledgerHelpers'

let tmp: ReturnType<typeof tempDir>
const open: UsageLedger[] = []

function ledger(opts: Partial<LedgerOptions> = {}): UsageLedger {
  const l = UsageLedger.open({ dataDir: tmp.dir, ...opts })
  open.push(l)
  return l
}
const count = (l: UsageLedger, where = '1=1'): number => (l.db.prepare(`SELECT count(*) AS n FROM requests WHERE ${where}`).get() as { n: number }).n

beforeEach(() => {
  tmp = tempDir()
})
afterEach(() => {
  vi.useRealTimers()
  for (const l of open.splice(0)) l.close()
  tmp.cleanup()
})

describe('batching', () => {
  it('writes nothing on record; flushes within the window', () => {
    vi.useFakeTimers()
    const l = ledger({ flushIntervalMs: 250 })
    for (let i = 0; i < 10; i++) l.record(row())
    expect(count(l)).toBe(0)
    vi.advanceTimersByTime(249)
    expect(count(l)).toBe(0)
    vi.advanceTimersByTime(1)
    expect(count(l)).toBe(10)
    expect(l.health()).toMatchObject({ state: 'ok', backlog: 0, dropped: 0 })
  })

  it('never waits longer than 1 s, whatever is configured', () => {
    vi.useFakeTimers()
    const l = ledger({ flushIntervalMs: 60_000 })
    l.record(row())
    vi.advanceTimersByTime(1000)
    expect(count(l)).toBe(1)
  })

  it('a full batch flushes at once (next turn of the event loop), 500 rows per transaction', async () => {
    const l = ledger({ flushIntervalMs: 1000 })
    for (let i = 0; i < 1200; i++) l.record(row())
    expect(count(l)).toBe(0)
    await new Promise((r) => setImmediate(r))
    expect(count(l)).toBeGreaterThanOrEqual(500)
    expect(l.flush()).toBeLessThanOrEqual(500)
    l.flushAll()
    expect(count(l)).toBe(1200)
  })

  it('an in-flight marker and its final row in one batch write one row', () => {
    const l = ledger()
    const r = row()
    l.begin(inFlight(r))
    l.record(r)
    l.flushAll()
    expect(count(l)).toBe(1)
    expect(count(l, "state = 'ok'")).toBe(1)
  })

  it('the final row replaces the marker; a second final row for the same request is ignored', () => {
    const l = ledger()
    const r = row({ promptTokens: 7 })
    l.begin(inFlight(r))
    l.flushAll()
    expect(count(l, "state = 'in_flight'")).toBe(1)
    l.record(r)
    l.record({ ...r, promptTokens: 999 })
    l.flushAll()
    expect(l.db.prepare('SELECT state, prompt_tokens FROM requests').all()).toEqual([{ state: 'ok', prompt_tokens: 7 }])
    expect((l.db.prepare('SELECT sum(requests) AS n, sum(prompt_tokens) AS p FROM rollups_hourly').get() as { n: number; p: number })).toEqual({ n: 1, p: 7 })
  })

  it('sloppy values are coerced at flush, never poisoning a batch', () => {
    const l = ledger()
    l.record(row({ promptTokens: Number.NaN, completionTokens: -5, costUsd: Infinity, latencyMs: null, state: 'weird' as never, app: undefined as never }))
    l.record(row())
    l.flushAll()
    expect(count(l)).toBe(2)
    expect(l.db.prepare("SELECT prompt_tokens, completion_tokens, cost_usd, state, app FROM requests WHERE state = 'error'").get()).toEqual({ prompt_tokens: 0, completion_tokens: 0, cost_usd: 0, state: 'error', app: '' })
  })
})

describe('rollups', () => {
  it('always equal the sums of the rows they summarize', () => {
    const l = ledger({ maxBatchRows: 37 })
    const random = seededRandom(42)
    const pick = <T>(xs: T[]): T => xs[Math.floor(random() * xs.length)]
    const base = Date.now() - 4 * 86_400_000
    for (let i = 0; i < 2000; i++) {
      const r = row({
        ts: base + Math.floor(random() * 3 * 24 * 3_600_000),
        provider: pick(['vllm-a', 'ollama', 'openai']),
        app: pick(['aider', 'cursor', 'unknown']),
        upstreamModel: pick(['qwen2.5-7b', 'gpt-4o', '']),
        routeModel: pick(['local', 'gpt-4o']),
        state: pick(['ok', 'ok', 'ok', 'error', 'aborted']),
        promptTokens: Math.floor(random() * 5000),
        completionTokens: Math.floor(random() * 2000),
        cachedTokens: Math.floor(random() * 100),
        reasoningTokens: Math.floor(random() * 50),
        costUsd: Math.round(random() * 1e6) / 1e9,
      })
      if (random() < 0.5) l.begin(inFlight(r))
      if (random() < 0.3) l.flush()
      l.record(r)
      if (random() < 0.05) l.record(r) // duplicates must not double count
    }
    l.flushAll()
    const fromRows = l.db
      .prepare(
        `SELECT (ts / 3600000) * 3600000 AS hour, provider, app, CASE WHEN upstream_model <> '' THEN upstream_model ELSE route_model END AS model,
         count(*) AS requests, sum(state <> 'ok') AS errors, sum(prompt_tokens) AS p, sum(completion_tokens) AS c, sum(cached_tokens) AS k,
         sum(reasoning_tokens) AS r, round(sum(cost_usd), 9) AS cost FROM requests GROUP BY 1, 2, 3, 4 ORDER BY 1, 2, 3, 4`,
      )
      .all()
    const rollups = l.db
      .prepare(
        `SELECT hour, provider, app, model, requests, errors, prompt_tokens AS p, completion_tokens AS c, cached_tokens AS k,
         reasoning_tokens AS r, round(cost_usd, 9) AS cost FROM rollups_hourly ORDER BY 1, 2, 3, 4`,
      )
      .all()
    expect(fromRows.length).toBeGreaterThan(100)
    expect(rollups).toEqual(fromRows)
  })
})

describe('schema and recovery', () => {
  it('migrations are idempotent and refuse a newer schema', () => {
    ledger().close()
    const l = ledger()
    expect(l.db.pragma('user_version', { simple: true })).toBe(SCHEMA_VERSION)
    expect(migrate(l.db)).toBe(SCHEMA_VERSION)
    expect(l.db.pragma('journal_mode', { simple: true })).toBe('wal')
    l.close()
    const raw = new Database(path.join(tmp.dir, 'usage.db'))
    raw.pragma(`user_version = ${SCHEMA_VERSION + 1}`)
    raw.close()
    expect(() => UsageLedger.open({ dataDir: tmp.dir })).toThrow(/newer Switchyard/)
  })

  it('requests in flight at a crash come back as interrupted, counted in the rollups', () => {
    const first = UsageLedger.open({ dataDir: tmp.dir })
    const done = row()
    const lost = row({ app: 'cursor' })
    first.begin(inFlight(done))
    first.begin(inFlight(lost))
    first.flush()
    first.record(done)
    first.flush()
    first.db.close() // a crash: no close(), nothing more written
    const l = ledger()
    expect(l.reconciled).toBe(1)
    expect(l.db.prepare('SELECT request_id, state, error_class FROM requests ORDER BY id').all()).toEqual([
      { request_id: done.requestId, state: 'ok', error_class: null },
      { request_id: lost.requestId, state: 'interrupted', error_class: 'interrupted' },
    ])
    expect(l.db.prepare("SELECT requests, errors FROM rollups_hourly WHERE app = 'cursor'").get()).toEqual({ requests: 1, errors: 1 })
  })

  it('close() flushes everything; records after close are ignored', () => {
    const l = UsageLedger.open({ dataDir: tmp.dir, flushIntervalMs: 1000 })
    for (let i = 0; i < 1234; i++) l.record(row())
    l.close()
    l.record(row())
    expect(l.health().state).toBe('closed')
    const again = ledger()
    expect(count(again)).toBe(1234)
  })
})

describe('degraded writes', () => {
  it('a locked database keeps rows in a bounded backlog, counts drops, and recovers', () => {
    const events: LedgerHealth[] = []
    const l = ledger({ busyTimeoutMs: 0, maxBacklogRows: 100, onHealthChange: (h) => events.push(h) })
    const blocker = new Database(l.file)
    blocker.exec('BEGIN EXCLUSIVE')
    for (let i = 0; i < 150; i++) l.record(row())
    expect(l.flush()).toBe(0)
    expect(l.health()).toMatchObject({ state: 'degraded', backlog: 100, dropped: 50 })
    expect(l.health().lastError).toMatch(/SQLITE_BUSY/)
    expect(events.at(-1)?.state).toBe('degraded')
    blocker.exec('COMMIT')
    blocker.close()
    l.flushAll()
    expect(l.health()).toMatchObject({ state: 'ok', backlog: 0, dropped: 50 })
    expect(events.at(-1)?.state).toBe('ok')
    expect(count(l)).toBe(100)
  })

  it('a full disk (page limit) degrades and recovers without losing the backlog', () => {
    const l = ledger({ busyTimeoutMs: 0 })
    l.record(row())
    l.flushAll()
    const pages = l.db.pragma('page_count', { simple: true }) as number
    l.db.pragma(`max_page_count = ${pages}`)
    for (let i = 0; i < 3000; i++) l.record(row({ errorClass: 'x'.repeat(100) }))
    l.flushAll()
    expect(l.health().state).toBe('degraded')
    expect(l.health().lastError).toMatch(/SQLITE_FULL/)
    expect(l.health().backlog).toBeGreaterThan(0)
    l.db.pragma('max_page_count = 1073741823')
    l.flushAll()
    expect(l.health()).toMatchObject({ state: 'ok', backlog: 0, dropped: 0 })
    expect(count(l)).toBe(3001)
  })

  it('retries on its own with backoff while degraded', () => {
    vi.useFakeTimers()
    const l = ledger({ busyTimeoutMs: 0, flushIntervalMs: 100 })
    const blocker = new Database(l.file)
    blocker.exec('BEGIN EXCLUSIVE')
    l.record(row())
    vi.advanceTimersByTime(100)
    expect(l.health().state).toBe('degraded')
    blocker.exec('COMMIT')
    blocker.close()
    vi.advanceTimersByTime(5_000)
    expect(l.health().state).toBe('ok')
    expect(count(l)).toBe(1)
  })
})

describe('housekeeping', () => {
  it('retention deletes old rows and keeps rollups', () => {
    const now = Date.UTC(2026, 0, 1)
    const l = ledger({ now: () => now, retentionDays: 365 })
    l.record(row({ ts: now - 400 * 86_400_000 }))
    l.record(row({ ts: now - 10 * 86_400_000 }))
    l.flushAll()
    expect(l.applyRetention()).toBe(1)
    expect(count(l)).toBe(1)
    expect((l.db.prepare('SELECT sum(requests) AS n FROM rollups_hourly').get() as { n: number }).n).toBe(2)
  })

  it('checkpoints the WAL and makes online backups', async () => {
    const l = ledger()
    for (let i = 0; i < 50; i++) l.record(row())
    l.flushAll()
    l.checkpoint()
    const dest = path.join(tmp.dir, 'backups', 'copy.db')
    await l.backup(dest)
    const copy = new Database(dest, { readonly: true })
    expect((copy.prepare('SELECT count(*) AS n FROM requests').get() as { n: number }).n).toBe(50)
    copy.close()
  })
})

describe('UsageLedger retention settings', () => {
  it('setRetentionDays applies at once; large deletes go in chunks across event-loop turns', async () => {
    const now = Date.UTC(2026, 5, 1)
    const l = ledger({ now: () => now, retentionDays: 365 })
    const insert = l.db.prepare("INSERT INTO requests (request_id, ts, app, provider, route_model, upstream_model, endpoint, stream, state) VALUES (?, ?, 'a', 'p', 'm', 'm', '/chat/completions', 0, 'ok')")
    l.db.transaction(() => {
      for (let i = 0; i < 25_000; i++) insert.run(`old${i}`, now - 100 * 86_400_000 - i)
      insert.run('fresh', now - 86_400_000)
      insert.run('running', now - 200 * 86_400_000)
    })()
    l.db.prepare("UPDATE requests SET state = 'in_flight' WHERE request_id = 'running'").run()
    const count = () => (l.db.prepare('SELECT count(*) AS n FROM requests').get() as { n: number }).n
    l.setRetentionDays(30)
    expect(l.retentionDays).toBe(30)
    // The first turn deleted a bounded number of rows; the rest follows on later turns.
    expect(count()).toBeGreaterThan(2)
    for (let i = 0; i < 20 && count() > 2; i++) await new Promise((r) => setImmediate(r))
    expect((l.db.prepare('SELECT request_id FROM requests ORDER BY request_id').all() as Array<{ request_id: string }>).map((r) => r.request_id)).toEqual(['fresh', 'running'])
    l.setRetentionDays(0) // keep everything from now on
    expect(l.applyRetention(now + 1000 * 86_400_000)).toBe(0)
  })
})
