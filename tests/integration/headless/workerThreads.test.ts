// The built gateway's worker threads: the build ships the ledger writer and the tokenizer as
// entries of their own, and the headless CLI finds and runs them (not the test bundles: the
// variable that points source runs at those is emptied here).
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import Database from 'better-sqlite3'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { request } from '../../helpers/http'
import { startMockBackend, type MockBackend } from '../../helpers/mockBackend'
import { isBuilt, ROOT, spawnServe, type ServeProcess } from '../../helpers/serveProcess'
import { until } from '../../helpers/wait'
import { streamThenHangUp } from '../usage/usageHelpers'

const TOKEN = 'workers-token'
const threads = (pid: number): number => fs.readdirSync(`/proc/${pid}/task`).length

describe('worker threads (built CLI)', () => {
  let mock: MockBackend
  let dir: string
  const running: ServeProcess[] = []

  beforeAll(async () => {
    expect(isBuilt(), 'run `npm run build` before this suite').toBe(true)
    mock = await startMockBackend({ flavor: 'vllm', models: ['m'] })
    mock.behavior.words = Array.from({ length: 200 }, (_, i) => ` word${i}`)
    mock.behavior.chunkDelayMs = 10
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sy-workers-'))
  })
  afterAll(async () => {
    for (const p of running) if (p.alive()) p.child.kill('SIGKILL')
    await mock?.close()
    if (dir) fs.rmSync(dir, { recursive: true, force: true })
  })

  it('ships both worker scripts next to the entries', () => {
    for (const name of ['ledgerWorker.js', 'tokenWorker.js', 'cli.js', 'index.js']) expect(fs.existsSync(path.join(ROOT, 'out/main', name)), name).toBe(true)
  })

  it('writes the ledger from its worker thread and estimates a cut stream with the tokenizer thread', async () => {
    const config = path.join(dir, 'config.json')
    fs.writeFileSync(config, JSON.stringify({ providers: [{ id: 'local', kind: 'vllm', baseUrl: mock.baseUrl, models: ['m'] }] }))
    const dataDir = path.join(dir, 'data')
    const gw = spawnServe(['--config', config, '--data-dir', dataDir, '--port', '0', '--admin-token', TOKEN, '--log-level', 'warn'], { env: { SWITCHYARD_WORKER_DIR: '' } })
    running.push(gw)
    const url = await gw.url
    const health = (await request(url, { path: '/health' })).json() as { ledger: { writer: string; state: string } }
    expect(health.ledger).toMatchObject({ writer: 'worker', state: 'ok' })

    const pid = gw.child.pid!
    const linux = process.platform === 'linux'
    const before = linux ? threads(pid) : 0
    // No usage in a stream cut short: its row is estimated from the text delivered (o200k, in the tokenizer's thread).
    const cut = await streamThenHangUp(url, '/v1/chat/completions', { model: 'm', stream: true, messages: [{ role: 'user', content: 'go' }] }, (t) => (t.match(/word\d+/g) ?? []).length >= 30, { 'x-switchyard-app': 'cut-app' })
    expect(cut.status).toBe(200)
    const rowsFor = async (): Promise<Array<{ app: string; state: string; estimated: boolean; completionTokens: number }>> =>
      ((await request(url, { path: '/admin/api/requests?limit=50', headers: { authorization: `Bearer ${TOKEN}` } })).json() as { items: Array<{ app: string; state: string; estimated: boolean; completionTokens: number }> }).items.filter((r) => r.app === 'cut-app')
    let rows = await rowsFor()
    const deadline = Date.now() + 5000
    while (!(rows.length === 1 && rows[0]!.state !== 'in_flight') && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 100))
      rows = await rowsFor()
    }
    expect(rows).toHaveLength(1)
    expect(rows[0]).toMatchObject({ state: 'aborted', estimated: true })
    expect(rows[0]!.completionTokens).toBeGreaterThanOrEqual(30)
    if (linux) expect(threads(pid)).toBeGreaterThan(before) // the tokenizer's thread started for that estimate

    gw.child.kill('SIGTERM')
    expect((await gw.exited).code).toBe(0)
    const db = new Database(path.join(dataDir, 'usage.db'), { readonly: true })
    try {
      expect(db.prepare("SELECT count(*) AS n FROM requests WHERE state = 'in_flight'").get()).toEqual({ n: 0 })
      expect(db.prepare("SELECT estimated FROM requests WHERE app = 'cut-app'").get()).toEqual({ estimated: 1 })
    } finally {
      db.close()
    }
    await until(() => !gw.alive(), 1000, 'the process gone')
  })
})
