// Issue 11, defect 4: on SIGTERM, streams cut at the drain deadline kept state `in_flight` with 0
// tokens (the ledger closed before their rows were queued), and an open dashboard event stream
// held shutdown for the whole grace period.
import fs from 'node:fs'
import http from 'node:http'
import os from 'node:os'
import path from 'node:path'
import Database from 'better-sqlite3'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startMockBackend, type MockBackend } from '../../helpers/mockBackend'
import { isBuilt, spawnServe, type ServeProcess } from '../../helpers/serveProcess'

const TOKEN = 'shutdown-token'
const GRACE_MS = 1500

describe('SIGTERM (built CLI)', () => {
  let mock: MockBackend
  let dir: string
  const running: ServeProcess[] = []

  beforeAll(async () => {
    expect(isBuilt(), 'run `npm run build` before this suite').toBe(true)
    mock = await startMockBackend({ flavor: 'vllm', models: ['m'] })
    mock.behavior.words = Array.from({ length: 400 }, (_, i) => ` word${i}`)
    mock.behavior.chunkDelayMs = 25 // ten seconds of stream: it is still running at the deadline
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sy-shutdown-'))
  })
  afterAll(async () => {
    for (const p of running) if (p.alive()) p.child.kill('SIGKILL')
    await mock.close()
    fs.rmSync(dir, { recursive: true, force: true })
  })

  function serve(name: string): { gw: ServeProcess; dataDir: string } {
    const config = path.join(dir, `${name}.json`)
    fs.writeFileSync(config, JSON.stringify({ server: { shutdownGraceMs: GRACE_MS }, providers: [{ id: 'local', kind: 'vllm', baseUrl: mock.baseUrl, models: ['m'] }] }))
    const dataDir = path.join(dir, name)
    const gw = spawnServe(['--config', config, '--data-dir', dataDir, '--port', '0', '--admin-token', TOKEN, '--log-level', 'warn'])
    running.push(gw)
    return { gw, dataDir }
  }

  /** Opens a GET stream and resolves once its first bytes arrived; `chunks` counts what came. */
  function openStream(url: string, opts: { path: string; method?: string; body?: string; headers?: Record<string, string> }): Promise<{ chunks: () => number; text: () => string; ended: Promise<void> }> {
    return new Promise((resolve, reject) => {
      const u = new URL(opts.path, url)
      let n = 0
      let text = ''
      const req = http.request({ host: u.hostname, port: u.port, path: u.pathname, method: opts.method ?? 'GET', headers: opts.headers, agent: false }, (res) => {
        const ended = new Promise<void>((done) => {
          res.on('end', done)
          res.on('close', done)
          res.on('error', () => done())
        })
        res.on('data', (c: Buffer) => {
          n++
          text += c.toString()
          if (n === 1) resolve({ chunks: () => n, text: () => text, ended })
        })
      })
      req.on('error', reject)
      req.end(opts.body)
    })
  }

  it('an open dashboard event stream does not hold shutdown', async () => {
    const { gw } = serve('idle')
    const url = await gw.url
    const events = await openStream(url, { path: '/admin/api/events', headers: { authorization: `Bearer ${TOKEN}` } })
    const t0 = Date.now()
    gw.child.kill('SIGTERM')
    const { code } = await gw.exited
    expect(code).toBe(0)
    expect(Date.now() - t0).toBeLessThan(GRACE_MS)
    await events.ended
  })

  it('a stream cut at the deadline gets a final row with the tokens it delivered', async () => {
    const { gw, dataDir } = serve('cut')
    const url = await gw.url
    const body = JSON.stringify({ model: 'm', stream: true, messages: [{ role: 'user', content: 'count' }] })
    const stream = await openStream(url, { path: '/v1/chat/completions', method: 'POST', body, headers: { 'content-type': 'application/json', 'x-switchyard-app': 'cut-test' } })
    const deadline = Date.now() + 5000
    while (stream.chunks() < 20 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10))
    expect(stream.chunks()).toBeGreaterThanOrEqual(20)
    gw.child.kill('SIGTERM')
    const { code } = await gw.exited
    expect(code).toBe(0)
    await stream.ended
    const delivered = (stream.text().match(/word\d+/g) ?? []).length
    expect(delivered).toBeGreaterThan(20)
    const db = new Database(path.join(dataDir, 'usage.db'), { readonly: true })
    try {
      const rows = db.prepare("SELECT state, error_class, completion_tokens, estimated FROM requests WHERE app = 'cut-test'").all() as Array<{ state: string; error_class: string; completion_tokens: number; estimated: number }>
      expect(rows).toHaveLength(1)
      expect(rows[0]!.state).not.toBe('in_flight')
      expect(rows[0]!.error_class).toBe('shutdown')
      expect(rows[0]!.estimated).toBe(1)
      // An estimate of what reached the client: each word is one or two tokens.
      expect(rows[0]!.completion_tokens).toBeGreaterThanOrEqual(delivered * 0.8)
      expect(rows[0]!.completion_tokens).toBeLessThanOrEqual(delivered * 4)
    } finally {
      db.close()
    }
  })
})
