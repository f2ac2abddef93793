// Hostile upstreams, through every client dialect: whatever the backend does, the gateway lives,
// releases the lease, answers in the caller's protocol, writes one final ledger row that says
// what the client actually got, and never shows a provider secret.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { FAULTS } from './hostileUpstream'
import { assertHealthy, assertNoSecretsAnywhere, exchange, finalRows, modelRequest, startFaultWorld, type ClientDialect, type Exchange, type FaultWorld } from './harness'

/** Faults after which the client must have a whole, good answer (in the mode it asked for). */
const GOOD_EITHER_WAY = new Set(['ok', 'echo-model', 'drip', 'latin1-header', 'many-headers', 'echo-secrets-200'])
/** Good upstream answers that are a stream whatever was asked, or JSON whatever was asked. */
const GOOD_STREAM = new Set(['sse-giant-event', 'sse-crlf-and-cr', 'gzip-stream'])
const GOOD_JSON = new Set(['gzip-json'])
/** Faults that only make sense for one kind of answer are still sent both ways: the gateway must cope. */
const ALL = Object.keys(FAULTS)
const ANTHROPIC_UPSTREAM = ['ok', 'status-500', 'status-429', 'status-401-echo-key', 'sse-error-first', 'sse-error-mid', 'sse-reset-mid', 'sse-no-done', 'stall-before-headers', 'stall-after-headers', 'json-truncated', 'gzip-json', 'html-200', 'echo-secrets-200']
const OTHER_ENDPOINTS = ['ok', 'status-500', 'json-truncated', 'stall-before-headers', 'gzip-json', 'html-200', 'status-401-echo-key']

type Case = [name: string, dialect: ClientDialect, stream: boolean, model: string]

const cases: Case[] = []
for (const fault of ALL) for (const dialect of ['chat', 'messages'] as const) for (const stream of [true, false]) cases.push([fault, dialect, stream, `fault:${fault}`])
for (const fault of ANTHROPIC_UPSTREAM) for (const dialect of ['chat', 'messages'] as const) for (const stream of [true, false]) cases.push([`${fault} (Anthropic upstream)`, dialect, stream, `claude-fault:${fault}`])
for (const fault of OTHER_ENDPOINTS) for (const dialect of ['completions', 'embeddings'] as const) cases.push([fault, dialect, false, `fault:${fault}`])

/**
 * What a client of this dialect would call a good answer. Judged by what came (an upstream may
 * stream to a request that did not ask, or not stream to one that did; it is relayed as it is).
 */
function clientGotAnAnswer(dialect: ClientDialect, ex: Exchange): boolean {
  if (ex.broken || ex.status < 200 || ex.status >= 300) return false
  if (String(ex.headers['content-type'] ?? '').startsWith('text/event-stream')) {
    if (dialect === 'messages') return ex.text.includes('event: message_stop') && !ex.text.includes('event: error')
    return ex.text.trimEnd().endsWith('data: [DONE]') && !/^data: \{"error"/m.test(ex.text)
  }
  try {
    const doc = JSON.parse(ex.text) as Record<string, unknown>
    return typeof doc === 'object' && doc !== null && !Array.isArray(doc) && !('error' in doc) && doc.type !== 'error'
  } catch {
    return false
  }
}

/** An error answer must be in the caller's protocol. */
function inCallerShape(dialect: ClientDialect, ex: Exchange): boolean {
  if (ex.status < 400 || ex.broken) return true
  try {
    const doc = JSON.parse(ex.text) as { type?: string; error?: { type?: string; message?: string } }
    return dialect === 'messages' ? doc.type === 'error' && typeof doc.error?.type === 'string' : typeof doc.error?.message === 'string'
  } catch {
    return false
  }
}

describe('fault suite: hostile upstreams', () => {
  let world: FaultWorld

  beforeAll(async () => {
    world = await startFaultWorld()
  })
  afterAll(async () => {
    await world?.close()
  })

  it.each(cases)('%s via %s (stream: %s)', async (name, dialect, stream, model) => {
    const ex = await exchange(world, modelRequest(dialect, model, stream))
    await assertHealthy(world, ex)
    expect(ex.text).not.toMatch(/at \S+\.(ts|js|mjs):\d+|node:internal/) // no stack traces
    expect(inCallerShape(dialect, ex), `error body not in the ${dialect} shape: ${ex.status} ${ex.text.slice(0, 300)}`).toBe(true)
    const rows = await finalRows(world, ex.app)
    expect(rows).toHaveLength(1)
    const row = rows[0]!
    if (ex.status > 0) expect(row.status).toBe(ex.status)
    const answered = clientGotAnAnswer(dialect, ex)
    expect(row.state === 'ok', `ledger says ${row.state}/${row.errorClass}, client ${answered ? 'got' : 'did not get'} an answer: ${ex.status} ${ex.text.slice(0, 200)}`).toBe(answered)
    const fault = name.split(' ')[0]!
    const good = dialect === 'embeddings' ? fault === 'ok' || fault === 'gzip-json' : GOOD_EITHER_WAY.has(fault) || (stream ? GOOD_STREAM : GOOD_JSON).has(fault)
    if (good) {
      expect(answered, `a good upstream answer must reach the client: ${ex.status} ${ex.text.slice(0, 300)}`).toBe(true)
    }
    if (fault === 'stall-before-headers') expect(ex.status === 504 || (stream && ex.status === 200)).toBe(true)
  })

  it('no secret appears in any output, log, stored row or admin answer', async () => {
    await assertNoSecretsAnywhere(world)
  })
})
