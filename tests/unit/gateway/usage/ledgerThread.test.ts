// The ledger as the gateway runs it: writes in a worker thread (the script the build ships,
// bundled from the sources by tests/setup/workers.ts), reads on the caller's connection.
import fs from 'node:fs'
import path from 'node:path'
import type { Worker } from 'node:worker_threads'
import Database from 'better-sqlite3'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { UsageLedger, openLedgerConnection, type Ledger, type LedgerHealth, type LedgerOptions } from '../../../../src/main/gateway/usage/ledger'
import { LedgerThread, openLedger } from '../../../../src/main/gateway/usage/ledgerThread'
import { workerScript } from '../../../../src/main/gateway/common/workerScript'
import { until } from '../../../helpers/wait'
import { inFlight, row, tempDir } from './ledgerHelpers'

let tmp: ReturnType<typeof tempDir>
const open: Ledger[] = []

function threaded(opts: Partial<LedgerOptions> = {}): Ledger {
  const l = openLedger({ dataDir: tmp.dir, ...opts })
  open.push(l)
  return l
}
/** The live writer thread (to kill it the way a crash would). */
const writerOf = (l: Ledger): Worker => {
  const w = (l as unknown as { worker?: Worker }).worker
  if (!w) throw new Error('no writer thread')
  return w
}
const count = (l: Ledger, where = '1=1'): number => (l.db.prepare(`SELECT count(*) AS n FROM requests WHERE ${where}`).get() as { n: number }).n
/** Counts rows in usage.db as a fresh process would see them. */
function countOnDisk(where = '1=1'): number {
  const db = new Database(path.join(tmp.dir, 'usage.db'), { readonly: true })
  try {
    return (db.prepare(`SELECT count(*) AS n FROM requests WHERE ${where}`).get() as { n: number }).n
  } finally {
    db.close()
  }
}
async function killWriter(l: Ledger): Promise<void> {
  const before = l.health().writerRestarts ?? 0
  const w = writerOf(l)
  await w.terminate()
  await until(() => (l.health().writerRestarts ?? 0) > before || l.health().writer === 'main', 3000, 'the writer replaced')
}

beforeEach(() => {
  tmp = tempDir('sy-ledger-thread-')
})
afterEach(() => {
  for (const l of open.splice(0)) l.close()
  tmp.cleanup()
})

describe('a ledger written by a worker thread', () => {
  it('is what the gateway gets: the built worker script is found', () => {
    expect(workerScript('ledgerWorker')).toBeDefined()
    const l = threaded()
    expect(l).toBeInstanceOf(LedgerThread)
    expect(l.health()).toMatchObject({ writer: 'worker', state: 'ok', storage: 'file', backlog: 0, dropped: 0 })
  })

  it('writes nothing on record; flushAll returns once the rows are in the database', () => {
    const l = threaded({ flushIntervalMs: 1000 })
    for (let i = 0; i < 10; i++) l.record(row())
    expect(count(l)).toBe(0)
    l.flushAll()
    expect(count(l)).toBe(10)
    expect(l.health()).toMatchObject({ state: 'ok', backlog: 0 })
  })

  it('flushes within the window on its own', async () => {
    const l = threaded({ flushIntervalMs: 100 })
    l.record(row())
    await until(() => count(l) === 1, 2000, 'the row written within the window')
  })

  it('an in-flight marker is on disk within the 1 s a crash may lose, with the default window', async () => {
    const l = threaded()
    const r = row()
    const started = Date.now()
    l.begin(inFlight(r))
    await until(() => countOnDisk("state = 'in_flight'") === 1, 1000, 'the marker on disk')
    expect(Date.now() - started).toBeLessThan(1000)
    l.record(r)
    l.flushAll()
    expect(count(l)).toBe(1)
    expect(count(l, "state = 'ok'")).toBe(1)
  })

  it('rows survive a clean close: every acknowledged row is on disk afterwards', () => {
    const l = openLedger({ dataDir: tmp.dir, flushIntervalMs: 1000 })
    const r = row()
    l.begin(inFlight(r))
    for (let i = 0; i < 1234; i++) l.record(row())
    l.record(r)
    l.close()
    l.record(row())
    expect(l.health().state).toBe('closed')
    // A clean close leaves no WAL behind (checkpointed by the writer, removed with the last connection).
    expect(fs.existsSync(path.join(tmp.dir, 'usage.db-wal'))).toBe(false)
    expect(countOnDisk()).toBe(1235)
    expect(countOnDisk("state = 'in_flight'")).toBe(0)
  })

  it('in-flight markers and final rows: one row per request, rollups equal to the rows', () => {
    const l = threaded()
    const a = row({ promptTokens: 7 })
    const b = row({ promptTokens: 9 })
    l.begin(inFlight(a))
    l.begin(inFlight(b))
    l.flushAll()
    expect(count(l, "state = 'in_flight'")).toBe(2)
    l.record(a)
    l.record({ ...a, promptTokens: 999 })
    l.record(b)
    l.flushAll()
    expect(l.db.prepare('SELECT state, prompt_tokens FROM requests ORDER BY id').all()).toEqual([
      { state: 'ok', prompt_tokens: 7 },
      { state: 'ok', prompt_tokens: 9 },
    ])
    expect(l.db.prepare('SELECT sum(requests) AS n, sum(prompt_tokens) AS p FROM rollups_hourly').get()).toEqual({ n: 2, p: 16 })
  })

  it('a row with a value no thread can receive is written with what can be copied; the rest of its turn too', () => {
    const l = threaded()
    l.record(row({ app: (() => 'x') as never }))
    l.record(row({ app: 'fine' }))
    l.flushAll()
    expect(count(l)).toBe(2)
    expect(count(l, "app = 'fine'")).toBe(1)
  })

  it('retention runs in the writer and applies at once; the setting reads back', () => {
    const now = Date.now()
    const l = threaded({ retentionDays: 365 })
    l.record(row({ ts: now - 400 * 86_400_000 }))
    l.record(row({ ts: now - 10 * 86_400_000 }))
    l.flushAll()
    expect(count(l)).toBe(2)
    l.setRetentionDays(30)
    expect(l.retentionDays).toBe(30)
    expect(count(l)).toBe(1)
    expect((l.db.prepare('SELECT sum(requests) AS n FROM rollups_hourly').get() as { n: number }).n).toBe(2)
    l.record(row({ ts: now - 100 * 86_400_000 }))
    l.flushAll()
    expect(l.applyRetention()).toBe(1)
  })

  it('a pragma reaches the writing connection, not only the reading one', () => {
    const l = threaded()
    l.record(row())
    l.flushAll()
    const pages = l.db.pragma('page_count', { simple: true }) as number
    expect(l.writerPragma(`max_page_count = ${pages}`)).toEqual([{ max_page_count: pages }])
    expect(l.db.pragma('max_page_count', { simple: true })).not.toBe(pages)
  })
})

describe('when the writer thread dies', () => {
  it('rows not yet written are handed to its replacement: none lost, none twice', async () => {
    const l = threaded({ flushIntervalMs: 1000 })
    const a = row()
    l.begin(inFlight(a))
    l.flushAll() // a's in-flight marker is written by the first thread
    for (let i = 0; i < 100; i++) l.record(row({ app: 'before' }))
    await new Promise((r) => setImmediate(r)) // handed over, waiting in the first thread's batch
    await killWriter(l)
    expect(l.health()).toMatchObject({ writer: 'worker', writerRestarts: 1 })
    l.record(a) // finishes on the replacement, which took over a's marker
    for (let i = 0; i < 50; i++) l.record(row({ app: 'after' }))
    l.flushAll()
    expect(count(l, "app = 'before'")).toBe(100)
    expect(count(l, "app = 'after'")).toBe(50)
    expect(count(l, `request_id = '${a.requestId}'`)).toBe(1)
    expect(count(l, "state = 'in_flight'")).toBe(0)
    expect((l.db.prepare('SELECT sum(requests) AS n FROM rollups_hourly').get() as { n: number }).n).toBe(151)
  })

  it('rows its predecessor already committed are not written again (the progress mark)', async () => {
    const l = threaded()
    for (let i = 0; i < 300; i++) l.record(row())
    l.flushAll() // committed; this thread still holds them until it next hands rows over
    await killWriter(l)
    l.flushAll()
    expect(count(l)).toBe(300)
  })

  it('after dying again and again, writing moves to the main thread without losing rows', async () => {
    const l = threaded()
    let sent = 0
    for (let death = 0; death < 4; death++) {
      l.flushAll() // answered once this writer runs (one that dies before it started is not given another chance)
      for (let i = 0; i < 20; i++, sent++) l.record(row())
      await new Promise((r) => setImmediate(r))
      await killWriter(l)
    }
    expect(l.health()).toMatchObject({ writer: 'main', writerRestarts: 3, state: 'ok' })
    for (let i = 0; i < 20; i++, sent++) l.record(row())
    l.flushAll()
    expect(count(l)).toBe(sent)
  })

  it('a writer script that cannot start: the main thread writes, from the first row on', async () => {
    const broken = path.join(tmp.dir, 'broken-worker.mjs')
    fs.writeFileSync(broken, "throw new Error('cannot start')\n")
    const opts = { dataDir: tmp.dir, flushIntervalMs: 50 }
    const l = new LedgerThread({ ...opts, script: broken }, openLedgerConnection(opts))
    open.push(l)
    l.record(row())
    await until(() => l.health().writer === 'main', 3000, 'the main-thread writer')
    await until(() => count(l) === 1, 2000, 'the row written')
  })

  it('a writer that hangs is replaced, and in the end the main thread writes what it held', async () => {
    const hung = path.join(tmp.dir, 'hung-worker.mjs')
    fs.writeFileSync(hung, "import { parentPort, workerData } from 'node:worker_threads'\nworkerData.events.postMessage({ t: 'ready' })\nparentPort.on('message', () => { for (;;) {} })\n")
    const opts = { dataDir: tmp.dir, flushIntervalMs: 50, stallMs: 1000 } // longer than a worker takes to start on a busy machine
    const l = new LedgerThread({ ...opts, script: hung }, openLedgerConnection(opts))
    open.push(l)
    for (let i = 0; i < 10; i++) l.record(row())
    await until(() => l.health().writer === 'main', 20_000, 'the main-thread writer')
    expect(l.health().writerRestarts).toBe(3)
    await until(() => count(l) === 10, 2000, 'the rows written')
  })
})

describe('health reflects the database', () => {
  it('locked by another connection: degraded with the error and a backlog, then ok once it is free', async () => {
    const changes: LedgerHealth[] = []
    const l = threaded({ flushIntervalMs: 50, busyTimeoutMs: 0, onHealthChange: (h) => changes.push(h) })
    const blocker = new Database(path.join(tmp.dir, 'usage.db'))
    blocker.exec('BEGIN EXCLUSIVE')
    try {
      for (let i = 0; i < 40; i++) l.record(row())
      await until(() => l.health().state === 'degraded', 3000, 'degraded')
      const h = l.health()
      expect(h.lastError).toMatch(/SQLITE_BUSY/)
      expect(h.backlog).toBe(40)
      expect(h.since).toBeGreaterThan(0)
      await until(() => changes.some((c) => c.state === 'degraded'), 5000, 'the health change told')
    } finally {
      blocker.exec('COMMIT')
      blocker.close()
    }
    await until(() => l.health().state === 'ok' && l.health().backlog === 0, 8000, 'recovery')
    expect(l.health().lastError).toBeUndefined()
    expect(count(l)).toBe(40)
    await until(() => changes.at(-1)?.state === 'ok', 5000, 'the recovery told')
  })

  it('a full disk: degraded, and nothing lost once there is room again', async () => {
    const l = threaded({ flushIntervalMs: 50, busyTimeoutMs: 0 })
    l.record(row())
    l.flushAll()
    const pages = l.db.pragma('page_count', { simple: true }) as number
    l.writerPragma(`max_page_count = ${pages}`)
    for (let i = 0; i < 3000; i++) l.record(row({ errorClass: 'x'.repeat(100) }))
    await until(() => l.health().state === 'degraded', 3000, 'degraded')
    expect(l.health().lastError).toMatch(/SQLITE_FULL/)
    l.writerPragma('max_page_count = 1073741823')
    l.flushAll()
    expect(l.health()).toMatchObject({ state: 'ok', backlog: 0, dropped: 0 })
    expect(count(l)).toBe(3001)
  })
})

describe('who writes', () => {
  it('an in-memory ledger (unwritable data dir) and a custom clock stay on the calling thread', () => {
    const l = threaded({ now: () => Date.UTC(2026, 0, 1) })
    expect(l).toBeInstanceOf(UsageLedger)
    expect(l.health().writer).toBe('main')
    const file = path.join(tmp.dir, 'blocked')
    fs.mkdirSync(path.join(file, 'usage.db'), { recursive: true }) // a directory where the file should be
    const memory = openLedger({ dataDir: file })
    open.push(memory)
    expect(memory.health()).toMatchObject({ storage: 'memory', writer: 'main' })
  })
})

describe('a host whose main thread may not block', () => {
  it('control calls still complete: the reply is polled for (last: it switches the module to polling)', () => {
    const wait = Atomics.wait
    Atomics.wait = () => {
      throw new TypeError('Atomics.wait cannot be called in this context')
    }
    try {
      const l = threaded({ flushIntervalMs: 1000 })
      for (let i = 0; i < 25; i++) l.record(row())
      l.flushAll()
      expect(count(l)).toBe(25)
      l.close()
      expect(countOnDisk()).toBe(25)
    } finally {
      Atomics.wait = wait
    }
  })
})
