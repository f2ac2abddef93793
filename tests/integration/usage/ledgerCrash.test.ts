// A process recording usage under load is SIGKILLed. After reopening the database: every row
// recorded more than one batch window before the kill is there, every request that was in flight
// is `interrupted`, the rollups still equal the rows, and the file is intact.
import { spawn } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { build } from 'vite'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { UsageLedger } from '../../../src/main/gateway/usage/ledger'

const ROOT = path.resolve(__dirname, '../../..')
// Inside node_modules so the bundle resolves better-sqlite3 from the project.
const OUT = path.join(ROOT, 'node_modules', '.cache', 'switchyard-tests', 'usage-crash')
const WINDOW_MS = 200
// A timer may fire a little late under load, and the flush itself takes a few ms.
const TIMER_SLACK_MS = 50

let dataDir: string

beforeAll(async () => {
  // Node 20 cannot run TypeScript: bundle the ledger (and its imports) to one ES module.
  await build({
    configFile: false,
    root: ROOT,
    logLevel: 'silent',
    build: {
      ssr: path.join(ROOT, 'src/main/gateway/usage/ledger.ts'),
      outDir: OUT,
      emptyOutDir: true,
      minify: false,
      rollupOptions: { output: { format: 'es', entryFileNames: 'ledger.mjs' } },
    },
  })
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'sy-crash-'))
}, 60_000)

afterAll(() => {
  fs.rmSync(dataDir, { recursive: true, force: true })
})

describe('usage ledger crash', () => {
  it('loses at most the open batch window and reconciles in-flight requests', async () => {
    const child = spawn(process.execPath, [path.join(__dirname, 'crashChild.mjs'), path.join(OUT, 'ledger.mjs'), dataDir, String(WINDOW_MS)], {
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let stderr = ''
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()))
    const begun = new Map<string, number>()
    const recorded = new Map<string, number>()
    let buffered = ''
    let readyAt = 0
    child.stdout.on('data', (c: Buffer) => {
      buffered += c.toString()
      const lines = buffered.split('\n')
      buffered = lines.pop() ?? ''
      for (const line of lines) {
        const [kind, id, t] = line.split(' ')
        if (kind === 'READY') readyAt = Number(id)
        else if (kind === 'B') begun.set(id, Number(t))
        else if (kind === 'R') recorded.set(id, Number(t))
      }
    })
    const exited = new Promise<NodeJS.Signals | null>((resolve) => child.on('exit', (_code, signal) => resolve(signal)))

    // Let it run for several batch windows under load (bursts at 1 s and 2 s), then kill it without
    // warning well after the last burst, so only the time window can have written the latest rows.
    const deadline = Date.now() + 10_000
    while ((readyAt === 0 || Date.now() - readyAt < 2700) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20))
    expect(readyAt, stderr).toBeGreaterThan(0)
    const killedAt = Date.now()
    child.kill('SIGKILL')
    expect(await exited).toBe('SIGKILL')

    const ledger = UsageLedger.open({ dataDir })
    try {
      const rows = new Map(
        (ledger.db.prepare('SELECT request_id, state FROM requests').all() as Array<{ request_id: string; state: string }>).map((r) => [r.request_id, r.state]),
      )
      const safeBefore = killedAt - WINDOW_MS - TIMER_SLACK_MS
      const mustHave = [...recorded].filter(([, t]) => t < safeBefore)
      expect(mustHave.length).toBeGreaterThan(1000)
      const missing = mustHave.filter(([id]) => rows.get(id) !== 'ok')
      expect(missing, `rows recorded before the last window but not stored as ok`).toEqual([])

      // Requests begun long enough ago and never finished are interrupted, not lost or in flight.
      const neverFinished = [...begun].filter(([id, t]) => !recorded.has(id) && t < safeBefore)
      expect(neverFinished.length).toBeGreaterThan(50)
      for (const [id] of neverFinished) expect(rows.get(id)).toBe('interrupted')
      expect([...rows.values()]).not.toContain('in_flight')
      expect(ledger.reconciled).toBe([...rows.values()].filter((s) => s === 'interrupted').length)

      expect(ledger.db.pragma('integrity_check', { simple: true })).toBe('ok')
      const sums = (sql: string) => ledger.db.prepare(sql).get() as { n: number; e: number }
      expect(sums('SELECT sum(requests) AS n, sum(errors) AS e FROM rollups_hourly')).toEqual(
        sums("SELECT count(*) AS n, sum(state <> 'ok') AS e FROM requests"),
      )
    } finally {
      ledger.close()
    }
  }, 60_000)
})
