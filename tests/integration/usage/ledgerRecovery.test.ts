// Issue 11, defect 3: a corrupt or unwritable usage.db stopped proxying entirely (headless exited
// 1 with a line that did not name the file). Accounting trouble degrades accounting only.
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startMockBackend, type MockBackend } from '../../helpers/mockBackend'
import { postJson, request } from '../../helpers/http'
import { isBuilt, spawnServe, type ServeProcess } from '../../helpers/serveProcess'

const TOKEN = 'ledger-recovery-token'

describe('usage.db that cannot be used (built CLI)', () => {
  let mock: MockBackend
  let dir: string
  const running: ServeProcess[] = []

  beforeAll(async () => {
    expect(isBuilt(), 'run `npm run build` before this suite').toBe(true)
    mock = await startMockBackend({ flavor: 'vllm', models: ['m'] })
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sy-ledger-recovery-'))
  })
  afterAll(async () => {
    for (const p of running) if (p.alive()) p.child.kill('SIGKILL')
    await mock.close()
    fs.rmSync(dir, { recursive: true, force: true })
  })

  function serveWith(dataDir: string): ServeProcess {
    const config = path.join(dir, `config-${running.length}.json`)
    fs.writeFileSync(config, JSON.stringify({ providers: [{ id: 'local', kind: 'vllm', baseUrl: mock.baseUrl, models: ['m'] }] }))
    const p = spawnServe(['--config', config, '--data-dir', dataDir, '--port', '0', '--admin-token', TOKEN, '--log-level', 'warn'])
    running.push(p)
    return p
  }

  async function health(url: string): Promise<{ status: string; warnings: string[]; ledger: { storage: string } }> {
    return (await request(url, { path: '/health' })).json()
  }

  it('moves a corrupt usage.db aside, starts a fresh ledger, names both files, and keeps proxying and recording', async () => {
    const dataDir = path.join(dir, 'corrupt')
    fs.mkdirSync(dataDir)
    fs.writeFileSync(path.join(dataDir, 'usage.db'), Buffer.alloc(8192, 'this is not an sqlite database '))
    const gw = serveWith(dataDir)
    const url = await gw.url
    const answer = await postJson(url, '/v1/chat/completions', { model: 'm', messages: [{ role: 'user', content: 'hi' }] })
    expect(answer.status).toBe(200)
    const aside = fs.readdirSync(dataDir).filter((f) => f.startsWith('usage.db.corrupt-'))
    expect(aside).toHaveLength(1)
    expect(fs.readFileSync(path.join(dataDir, aside[0]!)).toString()).toContain('this is not an sqlite database')
    expect(gw.stderr()).toContain(path.join(dataDir, aside[0]!))
    expect(gw.stderr()).toContain(path.join(dataDir, 'usage.db'))
    const h = await health(url)
    expect(h.status).toBe('ok')
    expect(h.ledger.storage).toBe('file')
    expect(h.warnings.join(' ')).toContain(aside[0]!)
    // The fresh ledger records.
    const rows = await waitForRows(url, 1)
    expect(rows[0]).toMatchObject({ routeModel: 'm', promptTokens: 12, completionTokens: 4, state: 'ok' })
    gw.child.kill('SIGTERM')
    expect((await gw.exited).code).toBe(0)
  })

  it('an unwritable usage.db: the gateway serves with usage kept in memory, and says so in logs, /health and the status', async () => {
    const dataDir = path.join(dir, 'unwritable')
    // A directory where the database file should be: no user, root included, can open it as a file.
    fs.mkdirSync(path.join(dataDir, 'usage.db'), { recursive: true })
    const gw = serveWith(dataDir)
    const url = await gw.url
    const answer = await postJson(url, '/v1/chat/completions', { model: 'm', messages: [{ role: 'user', content: 'hi' }] })
    expect(answer.status).toBe(200)
    expect(gw.stderr()).toMatch(/usage is not being saved/)
    expect(gw.stderr()).toContain(path.join(dataDir, 'usage.db'))
    const h = await health(url)
    expect(h.ledger.storage).toBe('memory')
    expect(h.warnings[0]).toMatch(/usage is not being saved/)
    const status = (await request(url, { path: '/admin/api/status', headers: { authorization: `Bearer ${TOKEN}` } })).json<{ ledgerWarning?: string }>()
    expect(status.ledgerWarning).toMatch(/usage is not being saved/)
    // This run's requests are still visible in the dashboard's request log.
    expect((await waitForRows(url, 1))[0]).toMatchObject({ routeModel: 'm', state: 'ok' })
    gw.child.kill('SIGTERM')
    expect((await gw.exited).code).toBe(0)
  })

  async function waitForRows(url: string, n: number): Promise<Array<Record<string, unknown>>> {
    const deadline = Date.now() + 5000
    for (;;) {
      const res = await request(url, { path: '/admin/api/requests?limit=10', headers: { authorization: `Bearer ${TOKEN}` } })
      const items = res.json<{ items: Array<Record<string, unknown>> }>().items.filter((r) => r.state !== 'in_flight')
      if (items.length >= n) return items
      if (Date.now() > deadline) throw new Error(`fewer than ${n} final rows after 5 s`)
      await new Promise((r) => setTimeout(r, 100))
    }
  }
})
