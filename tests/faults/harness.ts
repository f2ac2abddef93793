// The fault suite's world: the built gateway as users run it (`switchyard serve`, a child process,
// so "the process is alive" means something), a hostile upstream behind two providers (an
// OpenAI-style one and an Anthropic one, each with maxConcurrent 1 so a leaked lease shows at
// once), and the checks every case ends with.
import fs from 'node:fs'
import http from 'node:http'
import os from 'node:os'
import path from 'node:path'
import { expect } from 'vitest'
import { isBuilt, spawnServe, type ServeProcess } from '../helpers/serveProcess'
import { startHostileUpstream, type HostileUpstream } from './hostileUpstream'

export const ADMIN_TOKEN = 'fault-admin-token-0000'
export const SECRETS = ['sk-fault-SECRET-provider-key-0123456789', 'goog-fault-SECRET-header-987654321', 'sk-ant-fault-SECRET-9876543210', 'pw-fault-SECRET-in-url']
/** Any trace of a secret: the common marker all of them carry. */
const SECRET_MARK = /SECRET/

export type ClientDialect = 'chat' | 'completions' | 'embeddings' | 'messages'

export interface Exchange {
  status: number
  headers: http.IncomingHttpHeaders
  body: Buffer
  text: string
  /** The connection broke before a complete answer (no status, or a cut body). */
  broken: boolean
  app: string
}

export interface FaultWorld {
  gateway: ServeProcess
  url: string
  port: number
  upstream: HostileUpstream
  dir: string
  /** Everything a client saw, for the final secret check. */
  seenByClients: string[]
  close(): Promise<void>
}

let appCounter = 0

export async function startFaultWorld(opts: { configExtra?: Record<string, unknown>; maxConcurrent?: number } = {}): Promise<FaultWorld> {
  expect(isBuilt(), 'run `npm run build` before the fault suite').toBe(true)
  const upstream = await startHostileUpstream()
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sy-faults-'))
  const limits = { maxConcurrent: opts.maxConcurrent ?? 1 }
  const timeouts = { connectMs: 1000, firstByteMs: 1500, idleMs: 1000 }
  const queue = { maxSize: 50, timeoutMs: 4000 }
  const withPassword = new URL(upstream.baseUrl)
  withPassword.username = 'fault'
  withPassword.password = SECRETS[3]!
  const config = {
    server: { shutdownGraceMs: 1000 },
    providers: [
      { id: 'hostile', kind: 'vllm', baseUrl: `${withPassword.href.replace(/\/$/, '')}/v1`, apiKey: SECRETS[0], headers: { 'x-goog-api-key': SECRETS[1] }, limits, timeouts, queue },
      { id: 'hostile-claude', kind: 'anthropic', baseUrl: upstream.baseUrl, apiKey: SECRETS[2], limits, timeouts, queue },
    ],
    routes: [
      { model: 'claude-*', targets: [{ provider: 'hostile-claude' }] },
      { model: '*', targets: [{ provider: 'hostile' }] },
    ],
    ...opts.configExtra,
  }
  const configFile = path.join(dir, 'config.json')
  fs.writeFileSync(configFile, JSON.stringify(config))
  const gateway = spawnServe(['--config', configFile, '--data-dir', path.join(dir, 'data'), '--port', '0', '--admin-token', ADMIN_TOKEN, '--log-level', 'info'])
  const url = await gateway.url
  return {
    gateway,
    url,
    port: Number(new URL(url).port),
    upstream,
    dir,
    seenByClients: [],
    async close() {
      if (gateway.alive()) {
        gateway.child.kill('SIGTERM')
        await Promise.race([gateway.exited, new Promise((r) => setTimeout(r, 5000))])
        if (gateway.alive()) gateway.child.kill('SIGKILL')
      }
      await upstream.close()
      fs.rmSync(dir, { recursive: true, force: true })
    },
  }
}

export function nextApp(): string {
  return `fault-${process.pid}-${++appCounter}`
}

/** Sends raw bytes as a request body; never throws: a broken exchange is an answer too. */
export function exchange(world: FaultWorld, opts: { path: string; body?: Buffer | string; headers?: Record<string, string>; method?: string; timeoutMs?: number; app?: string }): Promise<Exchange> {
  const app = opts.app ?? nextApp()
  const body = opts.body === undefined ? undefined : Buffer.isBuffer(opts.body) ? opts.body : Buffer.from(opts.body)
  return new Promise((resolve) => {
    const chunks: Buffer[] = []
    let settled = false
    let gotResponse = false
    const done = (status: number, headers: http.IncomingHttpHeaders, broken: boolean): void => {
      if (settled) return
      settled = true
      clearTimeout(timer)
      const all = Buffer.concat(chunks)
      const text = all.toString('utf8')
      world.seenByClients.push(JSON.stringify(headers), text)
      resolve({ status, headers, body: all, text, broken, app })
    }
    const req = http.request(
      {
        host: '127.0.0.1',
        port: world.port,
        path: opts.path,
        method: opts.method ?? 'POST',
        agent: false,
        headers: { 'content-type': 'application/json', 'x-switchyard-app': app, ...(body ? { 'content-length': String(body.length) } : {}), ...opts.headers },
      },
      (res) => {
        gotResponse = true
        res.on('data', (c: Buffer) => chunks.push(c))
        res.on('end', () => done(res.statusCode ?? 0, res.headers, false))
        res.on('error', () => done(res.statusCode ?? 0, res.headers, true))
        res.on('close', () => done(res.statusCode ?? 0, res.headers, !res.complete))
      },
    )
    // A server that answers early (413) and closes makes our upload fail: the answer still counts.
    req.on('error', () => {
      if (!gotResponse) setTimeout(() => done(0, {}, true), 200)
    })
    const timer = setTimeout(() => {
      req.destroy()
      done(0, {}, true)
    }, opts.timeoutMs ?? 15_000)
    req.end(body)
  })
}

/** A model request in one of the client dialects. */
export function modelRequest(dialect: ClientDialect, model: unknown, stream: boolean): { path: string; body: string } {
  const messages = [{ role: 'user', content: 'hi' }]
  switch (dialect) {
    case 'chat':
      return { path: '/v1/chat/completions', body: JSON.stringify({ model, messages, stream }) }
    case 'completions':
      return { path: '/v1/completions', body: JSON.stringify({ model, prompt: 'hi', stream }) }
    case 'embeddings':
      return { path: '/v1/embeddings', body: JSON.stringify({ model, input: 'hi' }) }
    case 'messages':
      return { path: '/v1/messages', body: JSON.stringify({ model, max_tokens: 16, messages, stream }) }
  }
}

export interface LedgerRow {
  requestId: string
  app: string
  status: number
  state: string
  errorClass: string | null
  promptTokens: number
  completionTokens: number
}

async function admin<T>(world: FaultWorld, apiPath: string): Promise<T> {
  const res = await exchange(world, { path: `/admin/api${apiPath}`, method: 'GET', headers: { authorization: `Bearer ${ADMIN_TOKEN}` }, app: 'admin' })
  if (res.status !== 200) throw new Error(`admin ${apiPath}: ${res.status} ${res.text.slice(0, 200)}`)
  return JSON.parse(res.text) as T
}

/**
 * The ledger rows of one case once none is in flight any more (waits up to 5 s): by request id
 * when the client got one (a caller with a bad key is not credited to the app it names), else by app.
 */
export async function finalRows(world: FaultWorld, app: string, requestId?: string): Promise<LedgerRow[]> {
  const deadline = Date.now() + 5000
  for (;;) {
    const { items } = await admin<{ items: LedgerRow[] }>(world, '/requests?limit=300')
    const rows = items.filter((r) => (requestId ? r.requestId === requestId : r.app === app))
    if (rows.length > 0 && rows.every((r) => r.state !== 'in_flight')) return rows
    if (Date.now() > deadline) throw new Error(`app ${app}: ${rows.length === 0 ? 'no ledger row' : `rows still in flight: ${JSON.stringify(rows)}`}`)
    await new Promise((r) => setTimeout(r, 50))
  }
}

/**
 * After every case: the process lives, both maxConcurrent=1 providers take a request at once (no
 * lease leaked), and nothing the client saw carries a secret.
 */
export async function assertHealthy(world: FaultWorld, seen?: Exchange): Promise<void> {
  expect(world.gateway.alive(), `gateway exited: ${world.gateway.stderr().slice(-2000)}`).toBe(true)
  if (seen) expect(SECRET_MARK.test(seen.text) || SECRET_MARK.test(JSON.stringify(seen.headers)), `secret in what the client got: ${seen.text.slice(0, 500)}`).toBe(false)
  for (const model of ['fault:ok', 'claude-fault:ok']) {
    const follow = await exchange(world, { ...modelRequest('chat', model, false), timeoutMs: 3000 })
    expect(follow.status, `follow-up on ${model} after the case: ${follow.text.slice(0, 300)}`).toBe(200)
  }
}

/** Nothing the gateway printed, stored or exposes holds a secret. */
export async function assertNoSecretsAnywhere(world: FaultWorld): Promise<void> {
  expect(world.seenByClients.filter((t) => SECRET_MARK.test(t)).map((t) => t.slice(0, 300))).toEqual([])
  expect(world.gateway.stdout()).not.toMatch(SECRET_MARK)
  expect(world.gateway.stderr()).not.toMatch(SECRET_MARK)
  for (const p of ['/config', '/providers', '/requests?limit=1000', '/usage/export?format=json']) {
    const res = await exchange(world, { path: `/admin/api${p}`, method: 'GET', headers: { authorization: `Bearer ${ADMIN_TOKEN}` }, app: 'admin' })
    expect(res.text, `admin ${p}`).not.toMatch(SECRET_MARK)
  }
  expect((await exchange(world, { path: '/metrics', method: 'GET', app: 'admin' })).text).not.toMatch(SECRET_MARK)
}
