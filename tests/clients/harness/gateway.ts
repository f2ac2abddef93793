// The built gateway as a user runs it (`switchyard serve --port 0 --config FILE`), one per case,
// with its own data dir (so its ledger holds that case's requests only) and admin token; plus the
// probe that tells "this dialect's path is not served yet" (a route 404) from everything else.
import { randomBytes } from 'node:crypto'
import fs from 'node:fs'
import path from 'node:path'
import type { RequestLogEntry } from '../../../src/shared/api'
import { request } from '../../helpers/http'
import { spawnServe, type ServeProcess } from '../../helpers/serveProcess'
import { trackChild } from './cliProcess'

/** A ledger row as the admin API's request log returns it. */
export type LedgerRow = RequestLogEntry

export interface RunningGateway {
  url: string
  process: ServeProcess
  ledger(): Promise<LedgerRow[]>
  stop(): Promise<void>
}

export async function startGateway(config: unknown, dir: string): Promise<RunningGateway> {
  fs.mkdirSync(dir, { recursive: true })
  const configFile = path.join(dir, 'switchyard.json')
  fs.writeFileSync(configFile, JSON.stringify(config, null, 2))
  const token = randomBytes(16).toString('hex')
  const proc = spawnServe(['--config', configFile, '--data-dir', path.join(dir, 'data'), '--host', '127.0.0.1', '--port', '0', '--admin-token', token], {
    env: { SWITCHYARD_ADMIN_TOKEN: '' },
    readyMs: 30_000,
  })
  trackChild(proc.child)
  let url: string
  try {
    url = await proc.url
  } catch (err) {
    proc.child.kill('SIGKILL')
    throw err
  }
  return {
    url,
    process: proc,
    async ledger() {
      const res = await request(url, { path: '/admin/api/requests?limit=500', headers: { authorization: `Bearer ${token}` } })
      if (res.status !== 200) throw new Error(`GET /admin/api/requests answered ${res.status}: ${res.text.slice(0, 300)}`)
      return res.json<{ items: LedgerRow[] }>().items
    },
    async stop() {
      if (!proc.alive()) return
      proc.child.kill('SIGTERM')
      const timeout = new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), 15_000).unref())
      if ((await Promise.race([proc.exited, timeout])) === 'timeout') proc.child.kill('SIGKILL')
    },
  }
}

/** Client dialects another engineer is adding to the gateway; their cases skip while the path is a 404. */
export type PendingDialect = 'openai-responses' | 'gemini'

export const PENDING_PATHS: Record<PendingDialect, { method: string; path: (model: string) => string; headers: Record<string, string>; body: (model: string) => object; issue: string }> = {
  'openai-responses': {
    method: 'POST',
    path: () => '/v1/responses',
    headers: { authorization: 'Bearer switchyard-probe' },
    body: (model) => ({ model, input: 'ping', max_output_tokens: 16, stream: false }),
    issue: 'issue 13',
  },
  gemini: {
    method: 'POST',
    path: (model) => `/v1beta/models/${model}:streamGenerateContent?alt=sse`,
    headers: { 'x-goog-api-key': 'switchyard-probe' },
    body: () => ({ contents: [{ role: 'user', parts: [{ text: 'ping' }] }] }),
    issue: 'issue 14',
  },
}

export interface ProbeResult {
  dialect: PendingDialect
  /** The path answered 404 with a route error (not a model error): the dialect is not served. */
  missing: boolean
  status: number
  body: string
  /** `POST /v1/responses`, for titles and messages. */
  what: string
}

/**
 * Asks the running gateway whether it serves a dialect's path. Only a 404 that is not about the
 * model counts as "not served"; any other answer (even an error) means the path exists and the
 * case must run (and fail if the dialect is broken). A refused connection throws.
 */
export async function probeDialect(url: string, dialect: PendingDialect, model = 'probe-model'): Promise<ProbeResult> {
  const p = PENDING_PATHS[dialect]
  const res = await request(url, { method: p.method, path: p.path(model), headers: { 'content-type': 'application/json', ...p.headers }, body: JSON.stringify(p.body(model)) })
  const modelError = /model_not_found|model.{0,40}not (found|exist)/i.test(res.text)
  const what = `${p.method} ${p.path(model).split('?')[0]!.replace(model, '{model}')}`
  return { dialect, missing: res.status === 404 && !modelError, status: res.status, body: res.text.slice(0, 500), what }
}
