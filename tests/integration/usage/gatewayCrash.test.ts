// The built gateway as users run it (`switchyard serve`, needs `npm run build`) is SIGKILLed under
// load. Restarted on the same data dir, its ledger holds every request that completed more than
// one batch window (1 s) before the kill, exactly once and with its usage; requests that were in
// flight at the kill (and old enough for their marker to be written) are `interrupted`; nothing
// is left in flight; the rollups still equal the rows.
import { spawn, type ChildProcess } from 'node:child_process'
import fs from 'node:fs'
import http from 'node:http'
import os from 'node:os'
import path from 'node:path'
import Database from 'better-sqlite3'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { request } from '../../helpers/http'
import { listenOnLoopback } from '../../helpers/server'

const root = path.resolve(__dirname, '../../..')
const bin = path.join(root, 'bin/switchyard.js')
const TOKEN = 'crash-test-token'
const BATCH_WINDOW_MS = 1000 // DESIGN §5a: a crash loses at most the last second of accounting
const SLACK_MS = 150 // timer lateness under load, and the time a flush takes
const TOTAL = 300
const CONCURRENCY = 8
const HANGING = 6

/** An OpenAI-style backend: answers after a short delay with fixed usage; "slow" ones after 600 ms, "hang" ones never. */
async function startBackend(): Promise<{ baseUrl: string; close(): Promise<void> }> {
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => {
      const body = JSON.parse(Buffer.concat(chunks).toString() || '{}') as { model?: string; messages?: Array<{ content?: string }> }
      if (req.url === '/v1/models') return void res.writeHead(200, { 'content-type': 'application/json' }).end('{"object":"list","data":[{"id":"m","object":"model"}]}')
      if (body.messages?.[0]?.content === 'hang') return // the gateway dies before this ever answers
      setTimeout(() => {
        const payload = JSON.stringify({ id: 'c1', object: 'chat.completion', created: 1, model: body.model, choices: [{ index: 0, message: { role: 'assistant', content: 'ok' }, finish_reason: 'stop' }], usage: { prompt_tokens: 13, completion_tokens: 3, total_tokens: 16 } })
        res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) }).end(payload)
      }, body.messages?.[0]?.content === 'slow' ? 600 : 80 + Math.floor(Math.random() * 40)) // ~80 requests/s at concurrency 8: the load spans seconds
    })
  })
  const { url, close } = await listenOnLoopback(server)
  return { baseUrl: `${url}/v1`, close }
}

function serve(configFile: string, dataDir: string): { child: ChildProcess; url: Promise<string>; exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>; stderr(): string } {
  const child = spawn(process.execPath, [bin, 'serve', '--config', configFile, '--data-dir', dataDir, '--host', '127.0.0.1', '--port', '0', '--admin-token', TOKEN, '--log-level', 'error'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let out = ''
  let err = ''
  child.stderr!.on('data', (c: Buffer) => (err += c.toString()))
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })))
  const url = new Promise<string>((resolve, reject) => {
    child.stdout!.on('data', (c: Buffer) => {
      out += c.toString()
      const m = /listening on (http:\/\/\S+)/.exec(out)
      if (m) resolve(m[1]!)
    })
    void exited.then(({ code, signal }) => reject(new Error(`gateway exited (${code ?? signal}) before listening: ${err}`)))
    setTimeout(() => reject(new Error(`gateway not listening after 15 s: ${err}`)), 15_000).unref()
  })
  url.catch(() => undefined)
  return { child, url, exited, stderr: () => err }
}

/** One chat request; resolves with its request id and when it completed (or undefined if the gateway died). */
function chat(url: string, content: string): Promise<{ id: string; doneAt: number; status: number } | undefined> {
  return new Promise((resolve) => {
    const payload = JSON.stringify({ model: 'm', messages: [{ role: 'user', content }] })
    const u = new URL('/v1/chat/completions', url)
    const req = http.request({ host: u.hostname, port: u.port, path: u.pathname, method: 'POST', agent: false, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload), 'x-switchyard-app': 'crash-load' } }, (res) => {
      res.resume()
      res.on('end', () => resolve({ id: String(res.headers['x-request-id']), doneAt: Date.now(), status: res.statusCode ?? 0 }))
      res.on('error', () => resolve(undefined))
    })
    req.on('error', () => resolve(undefined))
    req.end(payload)
  })
}

describe('gateway process killed under load (built CLI)', () => {
  let backend: Awaited<ReturnType<typeof startBackend>>
  let dir: string
  const children: ChildProcess[] = []

  beforeAll(async () => {
    expect(fs.existsSync(path.join(root, 'out/main/cli.js')), 'run `npm run build` before this suite').toBe(true)
    backend = await startBackend()
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sy-gateway-crash-'))
  })
  afterAll(async () => {
    for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL')
    await backend?.close()
    fs.rmSync(dir, { recursive: true, force: true })
  })

  it('keeps everything older than one batch window and marks in-flight requests interrupted', async () => {
    const configFile = path.join(dir, 'config.json')
    fs.writeFileSync(configFile, JSON.stringify({ providers: [{ id: 'local', kind: 'vllm', baseUrl: backend.baseUrl, models: ['m'] }] }))
    const dataDir = path.join(dir, 'data')

    const first = serve(configFile, dataDir)
    children.push(first.child)
    const url = await first.url

    // Requests that will still be waiting for the backend when the gateway dies.
    const hanging = Array.from({ length: HANGING }, () => chat(url, 'hang'))
    // Bounded load: TOTAL requests, CONCURRENCY at a time, until the kill stops them.
    const completed: Array<{ id: string; doneAt: number; status: number }> = []
    let next = 0
    let killedAt = 0
    const worker = async (): Promise<void> => {
      while (next < TOTAL && killedAt === 0) {
        next++
        const r = await chat(url, `request ${next}`)
        if (r && killedAt === 0) completed.push(r)
      }
    }
    const workers = Array.from({ length: CONCURRENCY }, () => worker())
    // Kill mid-load, well after the hanging requests began (their markers are on disk by then).
    const deadline = Date.now() + 20_000
    while (completed.length < TOTAL * 0.7 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5))
    expect(completed.length).toBeGreaterThan(TOTAL * 0.5)
    killedAt = Date.now()
    first.child.kill('SIGKILL')
    expect((await first.exited).signal).toBe('SIGKILL')
    await Promise.all(workers)
    await Promise.all(hanging)
    expect(completed.every((r) => r.status === 200)).toBe(true)

    // Restart on the same data dir: the ledger reconciles what the crash left in flight.
    const second = serve(configFile, dataDir)
    children.push(second.child)
    const url2 = await second.url
    const res = await request(url2, { path: '/admin/api/requests?limit=1000', headers: { authorization: `Bearer ${TOKEN}` } })
    expect(res.status).toBe(200)
    const items = res.json<{ items: Array<{ requestId: string; state: string; app: string; promptTokens: number; completionTokens: number; routeModel: string }> }>().items
    const byId = new Map<string, typeof items>()
    for (const r of items) byId.set(r.requestId, [...(byId.get(r.requestId) ?? []), r])

    const mustHave = completed.filter((r) => r.doneAt < killedAt - BATCH_WINDOW_MS - SLACK_MS)
    expect(mustHave.length).toBeGreaterThan(50)
    const missing = mustHave.filter((r) => byId.get(r.id)?.[0]?.state !== 'ok')
    expect(missing, 'requests completed more than a batch window before the kill but not in the ledger').toEqual([])
    for (const r of mustHave) {
      expect(byId.get(r.id)).toHaveLength(1) // exactly once
      expect(byId.get(r.id)![0]).toMatchObject({ promptTokens: 13, completionTokens: 3, app: 'crash-load' })
    }
    // Every request the gateway still had in flight is `interrupted` (the hanging ones began long before the kill).
    const interrupted = items.filter((r) => r.state === 'interrupted')
    expect(interrupted.length).toBeGreaterThanOrEqual(HANGING)
    expect(interrupted.length).toBeLessThanOrEqual(HANGING + CONCURRENCY)
    expect(interrupted.every((r) => r.promptTokens === 0 && r.completionTokens === 0)).toBe(true)
    expect(items.some((r) => r.state === 'in_flight')).toBe(false)
    // Nothing the clients never saw completed is reported ok... except rows of the last window.
    const completedIds = new Set(completed.map((r) => r.id))
    const unknownOk = items.filter((r) => r.state === 'ok' && !completedIds.has(r.requestId))
    expect(unknownOk.length).toBeLessThanOrEqual(CONCURRENCY)

    const exited = second.exited
    second.child.kill('SIGTERM')
    expect((await exited).code, second.stderr()).toBe(0)

    // The file is intact and the rollups still equal the rows.
    const db = new Database(path.join(dataDir, 'usage.db'), { readonly: true })
    try {
      expect(db.pragma('integrity_check', { simple: true })).toBe('ok')
      const sums = (sql: string) => db.prepare(sql).get()
      expect(sums('SELECT sum(requests) AS n, sum(errors) AS e, sum(prompt_tokens) AS p FROM rollups_hourly')).toEqual(
        sums("SELECT count(*) AS n, sum(state <> 'ok') AS e, sum(prompt_tokens) AS p FROM requests"),
      )
    } finally {
      db.close()
    }
  }, 60_000)

  it('a graceful stop (SIGTERM) lets the running request finish, flushes every row and exits 0', async () => {
    const configFile = path.join(dir, 'config-graceful.json')
    fs.writeFileSync(configFile, JSON.stringify({ providers: [{ id: 'local', kind: 'vllm', baseUrl: backend.baseUrl, models: ['m'] }] }))
    const dataDir = path.join(dir, 'data-graceful')
    const gw = serve(configFile, dataDir)
    children.push(gw.child)
    const url = await gw.url
    const done = (await Promise.all(Array.from({ length: 20 }, (_, i) => chat(url, `graceful ${i}`)))).filter((r) => r !== undefined)
    expect(done).toHaveLength(20)
    const slow = chat(url, 'slow')
    await new Promise((r) => setTimeout(r, 100))
    gw.child.kill('SIGTERM') // well inside the batch window: only the shutdown flush can write these
    expect((await slow)?.status).toBe(200) // in flight at the signal: it may finish
    const { code } = await gw.exited
    expect(code, gw.stderr()).toBe(0)
    const db = new Database(path.join(dataDir, 'usage.db'), { readonly: true })
    try {
      const stored = db.prepare("SELECT count(*) AS n FROM requests WHERE state = 'ok' AND prompt_tokens = 13").get() as { n: number }
      expect(stored.n).toBe(21)
    } finally {
      db.close()
    }
  }, 30_000)
})
