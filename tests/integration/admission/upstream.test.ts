// What the gateway learns from a cloud upstream, and TPM reconciliation, on loopback: an
// exhausted x-ratelimit budget holds the next request until its reset, a 429 with Retry-After
// puts the provider in cooldown, and the TPM reservation is replaced by the usage the upstream
// reported once the response ends (under- and over-estimates alike).
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterEach, describe, expect, it } from 'vitest'
import { startMockBackend, type MockBackend } from '../../helpers/mockBackend'
import { startTestGateway, type TestGateway } from '../../helpers/gateway'
import { postJson, sseData } from '../../helpers/http'
import { chat, instrument, messages, MODEL, queued, until } from './helpers'

describe('admission: learned upstream limits on loopback', () => {
  let mock: MockBackend
  let gw: TestGateway
  afterEach(async () => {
    await gw?.close()
    await mock?.close()
  })

  async function cloud(provider: object = {}): Promise<ReturnType<typeof instrument>> {
    mock = await startMockBackend({ flavor: 'openai', models: [MODEL] })
    const seen = instrument(mock)
    gw = await startTestGateway({ providers: [{ id: 'cloud', kind: 'openai-compatible', baseUrl: mock.baseUrl, apiKey: 'sk-test', models: [MODEL], ...provider }] })
    return seen
  }

  it('x-ratelimit-remaining-requests: 0 with reset 2s holds the next request until the reset', async () => {
    const seen = await cloud()
    seen.headers = { 'x-ratelimit-remaining-requests': '0', 'x-ratelimit-reset-requests': '2s', 'x-ratelimit-limit-requests': '100' }
    const t0 = Date.now() // the budget is learned after this, so its reset is at least t0 + 2 s
    const first = await postJson(gw.url, '/v1/chat/completions', chat('first'))
    expect(first.status).toBe(200)
    seen.headers = {}
    expect(gw.gateway.admission.snapshot().cloud!.upstream).toMatchObject({ requestsRemaining: 0 })
    const second = postJson(gw.url, '/v1/chat/completions', chat('second'))
    await until(() => queued(gw, 'cloud') === 1, 2_000, 'second held')
    await new Promise((r) => setTimeout(r, 1_000))
    expect(seen.order).toEqual(['first']) // still held: the upstream said it has nothing left
    expect((await second).status).toBe(200)
    expect(seen.order).toEqual(['first', 'second'])
    expect(seen.arrivedAt.get('second')! - t0).toBeGreaterThanOrEqual(2_000)
    expect(seen.arrivedAt.get('second')! - t0).toBeLessThan(3_000)
  })

  it('a 429 with Retry-After puts the provider in cooldown: the next request waits it out', async () => {
    const seen = await cloud()
    seen.failNext = [429]
    seen.headers = { 'retry-after': '1' }
    const t0 = Date.now()
    const limited = await postJson(gw.url, '/v1/chat/completions', chat('first'))
    const at = Date.now()
    seen.headers = {}
    expect(limited.status).toBe(429)
    expect(gw.gateway.admission.snapshot().cloud!.upstream?.cooldownUntil).toBeGreaterThan(at)
    const next = await postJson(gw.url, '/v1/chat/completions', chat('second'))
    expect(next.status).toBe(200)
    expect(seen.order).toEqual(['first', 'second'])
    expect(seen.arrivedAt.get('second')! - t0).toBeGreaterThanOrEqual(1_000)
    // Held by admission (not failed over or refused): it waited in the queue for the cooldown.
    expect(gw.gateway.admission.snapshot().cloud!.queueWaitMs.p95).toBeGreaterThanOrEqual(500)
  })

  it('in cooldown with a short queue timeout, the caller gets 429 + Retry-After from the gateway; the upstream is not asked', async () => {
    const seen = await cloud({ queue: { timeoutMs: 150 } })
    seen.failNext = [429]
    seen.headers = { 'retry-after': '3' }
    expect((await postJson(gw.url, '/v1/chat/completions', chat('first'))).status).toBe(429)
    const r = await postJson(gw.url, '/v1/chat/completions', chat('second'))
    expect(r.status).toBe(429)
    expect(Number(r.headers['retry-after'])).toBeGreaterThanOrEqual(2)
    expect(Number(r.headers['retry-after'])).toBeLessThanOrEqual(3)
    expect(r.json<{ error: { message: string } }>().error.message).toMatch(/upstream asked to retry later/)
    expect(seen.order).toEqual(['first'])
  })
})

describe('admission: learned Anthropic rate-limit headers on loopback', () => {
  let server: http.Server | undefined
  let gw: TestGateway | undefined
  afterEach(async () => {
    await gw?.close()
    gw = undefined
    await new Promise<void>((r) => (server ? server.close(() => r()) : r()))
    server = undefined
  })

  it('anthropic-ratelimit-requests-remaining: 0 holds the next /v1/messages until its RFC 3339 reset', async () => {
    const arrived: number[] = []
    let resetAt = 0
    server = http.createServer((req, res) => {
      req.resume()
      req.on('end', () => {
        arrived.push(Date.now())
        const headers: Record<string, string> = { 'content-type': 'application/json' }
        if (arrived.length === 1) {
          resetAt = Date.now() + 1_500
          Object.assign(headers, { 'anthropic-ratelimit-requests-limit': '50', 'anthropic-ratelimit-requests-remaining': '0', 'anthropic-ratelimit-requests-reset': new Date(resetAt).toISOString() })
        }
        res.writeHead(200, headers)
        res.end(JSON.stringify({ id: 'msg_1', type: 'message', role: 'assistant', model: 'claude-test', content: [{ type: 'text', text: 'hi' }], stop_reason: 'end_turn', stop_sequence: null, usage: { input_tokens: 7, output_tokens: 3 } }))
      })
    })
    await new Promise<void>((r) => server!.listen(0, '127.0.0.1', r))
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
    gw = await startTestGateway({ providers: [{ id: 'claude', kind: 'anthropic', baseUrl: base, apiKey: 'sk-ant-test', models: ['claude-test'] }] })
    const body = { model: 'claude-test', max_tokens: 16, messages: [{ role: 'user', content: 'hi' }] }
    const headers = { 'anthropic-version': '2023-06-01' }
    expect((await postJson(gw.url, '/v1/messages', body, headers)).status).toBe(200)
    expect(gw.gateway.admission.snapshot().claude!.upstream).toMatchObject({ requestsRemaining: 0 })
    const second = await postJson(gw.url, '/v1/messages', body, headers)
    expect(second.status).toBe(200)
    expect(arrived).toHaveLength(2)
    // Date headers carry whole seconds at best; the gateway waited until the stated reset.
    expect(arrived[1]!).toBeGreaterThanOrEqual(resetAt - 5)
  })
})

describe('admission: TPM reservation reconciles with the real usage', () => {
  let mock: MockBackend
  let gw: TestGateway
  afterEach(async () => {
    await gw?.close()
    await mock?.close()
  })

  async function setup(): Promise<ReturnType<typeof instrument>> {
    mock = await startMockBackend({ flavor: 'vllm', models: [MODEL] })
    mock.usage = { prompt_tokens: 123, completion_tokens: 45 }
    const seen = instrument(mock, 150)
    gw = await startTestGateway({ providers: [{ id: 'gpu', kind: 'vllm', baseUrl: mock.baseUrl, models: [MODEL], limits: { tpm: 100_000 } }] })
    return seen
  }
  const tpmUsed = () => gw.gateway.admission.snapshot().gpu!.tpm.used

  it('non-streamed: the estimate is reserved while in flight, then replaced by prompt + completion', async () => {
    const seen = await setup()
    const pending = postJson(gw.url, '/v1/chat/completions', chat('hello there', { max_tokens: 500 }))
    await until(() => seen.inFlight === 1, 2_000, 'in flight')
    const reserved = tpmUsed()
    expect(reserved).toBeGreaterThanOrEqual(500) // prompt estimate + max_tokens
    expect((await pending).status).toBe(200)
    await until(() => tpmUsed() !== reserved, 1_000, 'settled')
    expect(tpmUsed()).toBe(123 + 45) // released the unused part
  })

  it('an overrun (usage above the estimate) is charged in full', async () => {
    const seen = await setup()
    const pending = postJson(gw.url, '/v1/chat/completions', chat('hi', { max_tokens: 5 }))
    await until(() => seen.inFlight === 1, 2_000, 'in flight')
    expect(tpmUsed()).toBeLessThan(123 + 45)
    await pending
    await until(() => tpmUsed() === 168, 1_000, 'charged the overrun')
  })

  it('streamed (usage injected by the gateway and stripped), OpenAI and Anthropic callers: each settles at its real usage', async () => {
    await setup()
    const r = await postJson(gw.url, '/v1/chat/completions', chat('stream me', { stream: true }))
    expect(r.status).toBe(200)
    expect(sseData(r.text).some((d) => d.includes('"usage"'))).toBe(false) // the client did not ask for it
    await until(() => tpmUsed() === 168, 1_000, 'stream settled')
    const a = await postJson(gw.url, '/v1/messages', messages('stream me too', { stream: true }), { 'anthropic-version': '2023-06-01' })
    expect(a.status).toBe(200)
    await until(() => tpmUsed() === 2 * 168, 1_000, 'anthropic stream settled')
    expect(gw.gateway.admission.snapshot().gpu).toMatchObject({ inFlight: 0, admitted: 2 })
  })
})
