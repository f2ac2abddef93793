// Failover through the real gateway on loopback: every fault of issue 3, each asserting what the
// client sees AND which backends were contacted.
import type http from 'node:http'
import { describe, expect, it } from 'vitest'
import { HealthRegistry } from '../../../src/main/gateway/health/healthRegistry'
import { FailoverPolicy, RetryBudget } from '../../../src/main/gateway/routing/failoverPolicy'
import { postJson, sseData } from '../../helpers/http'
import type { MockBackend } from '../../helpers/mockBackend'
import { startMockAnthropic } from '../../helpers/mockAnthropic'
import { chat, completions, counts, gateway, hangUpAfter, ledgerRow, mocks, onCleanup, sleep, useCleanup } from './harness'
import { refusedPort, until } from './loopback'

useCleanup()

type ErrorBody = { error: { message: string; type: string; code: string | number | null } }

/** One vLLM provider per mock (plus extra raw providers), and a failover route `local` over them in order. */
function config(ms: MockBackend[], opts: { extra?: object[]; timeouts?: object; strategy?: string; order?: string[] } = {}) {
  const providers = [...ms.map((m, i) => ({ id: `p${i}`, kind: 'vllm', baseUrl: m.baseUrl, timeouts: opts.timeouts ?? { firstByteMs: 400, idleMs: 400 } })), ...(opts.extra ?? [])]
  const order = opts.order ?? providers.map((p) => (p as { id: string }).id)
  return { providers, routes: [{ model: 'local', strategy: opts.strategy ?? 'failover', targets: order.map((provider) => ({ provider, model: 'qwen' })) }] }
}

/** Answers with a JSON status of our choosing, vLLM's error shape. */
function failWith(status: number, headers: Record<string, string> = {}, message = `failure ${status}`): (req: http.IncomingMessage, res: http.ServerResponse) => void {
  return (_req, res) => {
    const payload = JSON.stringify({ object: 'error', message, type: status === 400 ? 'BadRequestError' : 'InternalServerError', param: null, code: status })
    res.writeHead(status, { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(payload)), ...headers })
    res.end(payload)
  }
}

describe('failover before the first byte', () => {
  it('a refused connection moves on to the next target', async () => {
    const [good] = await mocks(1)
    const dead = await refusedPort()
    const gw = await gateway(config([good!], { extra: [{ id: 'dead', kind: 'vllm', baseUrl: `http://127.0.0.1:${dead}/v1` }], order: ['dead', 'p0'] }))
    const res = await postJson(gw.url, '/v1/chat/completions', chat('local'))
    expect(res.status).toBe(200)
    expect(res.json<{ answeredBy: string }>().answeredBy).toBe('m0')
    expect(res.headers['x-switchyard-provider']).toBe('p0')
    expect(completions(good!)).toBe(1)
    const row = await ledgerRow(gw, res.headers['x-request-id'] as string)
    expect(row).toMatchObject({ provider: 'p0', status: 200, attempts: 2 })
    const dead0 = gw.gateway.router.status().find((s) => s.providerId === 'dead')!
    expect(dead0.health.consecutiveFailures).toBe(1)
    expect(dead0.health.lastError).toMatchObject({ code: 'upstream_unreachable', message: 'provider "dead" refused the connection' })
  })

  it('a connection reset in the middle of the response headers moves on', async () => {
    const [a, b] = await mocks(2)
    a!.behavior.custom = (req) => {
      req.socket.write('HTTP/1.1 200 OK\r\ncontent-type: text/event-str')
      req.socket.destroy()
    }
    const gw = await gateway(config([a!, b!]))
    for (const stream of [false, true]) {
      const res = await postJson(gw.url, '/v1/chat/completions', chat('local', { stream }))
      expect(res.status).toBe(200)
      expect(res.headers['x-switchyard-provider']).toBe('p1')
      if (stream) expect(sseData(res.text).at(-1)).toBe('[DONE]')
      else expect(res.json<{ answeredBy: string }>().answeredBy).toBe('m1')
    }
    expect(counts([a!, b!])).toEqual([2, 2])
  })

  it('a 500 moves on; the client sees only the good answer, and the ledger keeps the path', async () => {
    const [a, b, c] = await mocks(3)
    a!.behavior.errorStatus = 500
    b!.behavior.errorStatus = 502
    const gw = await gateway(config([a!, b!, c!]))
    const res = await postJson(gw.url, '/v1/chat/completions', chat('local'))
    expect(res.status).toBe(200)
    expect(res.json<{ answeredBy: string }>().answeredBy).toBe('m2')
    expect(counts([a!, b!, c!])).toEqual([1, 1, 1])
    const row = await ledgerRow(gw, res.headers['x-request-id'] as string)
    expect(row).toMatchObject({ provider: 'p2', status: 200, attempts: 3, errorClass: null })
    expect(row.promptTokens).toBe(12)
  })

  it('when every target fails, the client gets the last upstream error, once per target', async () => {
    const [a, b] = await mocks(2)
    a!.behavior.errorStatus = 500
    b!.behavior.errorStatus = 503
    const gw = await gateway(config([a!, b!]))
    const res = await postJson(gw.url, '/v1/chat/completions', chat('local'))
    expect(res.status).toBe(503)
    expect(res.json<ErrorBody>().error.message).toContain('mock failure')
    expect(counts([a!, b!])).toEqual([1, 1])
    const row = await ledgerRow(gw, res.headers['x-request-id'] as string)
    expect(row).toMatchObject({ status: 503, attempts: 2 })
  })

  it('a 429 with Retry-After moves on and cools the provider down: the next request skips it', async () => {
    const [a, b] = await mocks(2)
    a!.behavior.custom = failWith(429, { 'retry-after': '2' }, 'rate limited')
    const gw = await gateway(config([a!, b!]))
    const first = await postJson(gw.url, '/v1/chat/completions', chat('local'))
    expect(first.status).toBe(200)
    expect(first.headers['x-switchyard-provider']).toBe('p1')
    const health = gw.gateway.router.status().find((s) => s.providerId === 'p0')!.health
    expect(health.state).toBe('closed') // busy is not dead
    expect(health.cooldownUntil! - Date.now()).toBeGreaterThan(1_000)
    expect(health.cooldownUntil! - Date.now()).toBeLessThanOrEqual(2_000)
    for (let i = 0; i < 3; i++) {
      const res = await postJson(gw.url, '/v1/chat/completions', chat('local', { stream: i === 1 }))
      expect(res.status).toBe(200)
      expect(res.headers['x-switchyard-provider']).toBe('p1')
    }
    expect(counts([a!, b!])).toEqual([1, 4])
  })

  it('when every target is busy, the client gets the 429 with a Retry-After from the providers\' cooldown', async () => {
    const [a, b] = await mocks(2)
    a!.behavior.custom = failWith(429, { 'retry-after': '7' }, 'slow down')
    b!.behavior.custom = failWith(429, { 'retry-after': '3' }, 'slow down')
    const gw = await gateway(config([a!, b!]))
    const res = await postJson(gw.url, '/v1/chat/completions', chat('local'))
    expect(res.status).toBe(429)
    expect(res.json<ErrorBody>().error.message).toBe('slow down')
    expect(res.headers['retry-after']).toBe('3') // the sooner of the two
    expect(counts([a!, b!])).toEqual([1, 1])
    // A busy single target (no failover possible) says when to come back as well.
    const one = await gateway({ providers: [{ id: 'solo', kind: 'vllm', baseUrl: a!.baseUrl, models: ['qwen'] }] })
    const solo = await postJson(one.url, '/v1/chat/completions', chat('qwen'))
    expect(solo.status).toBe(429)
    expect(solo.headers['retry-after']).toBe('7')
  })

  it('a stall before the first byte times out and moves on; the stalled upstream request is aborted', async () => {
    const [a, b] = await mocks(2)
    a!.behavior.custom = () => undefined // never answers
    const gw = await gateway(config([a!, b!], { timeouts: { firstByteMs: 300, idleMs: 300 } }))
    const started = Date.now()
    const res = await postJson(gw.url, '/v1/chat/completions', chat('local', { stream: true }))
    expect(res.status).toBe(200)
    expect(res.headers['x-switchyard-provider']).toBe('p1')
    expect(sseData(res.text).at(-1)).toBe('[DONE]')
    expect(Date.now() - started).toBeGreaterThanOrEqual(290)
    expect(Date.now() - started).toBeLessThan(2_000)
    expect(counts([a!, b!])).toEqual([1, 1])
    await a!.waitForAbort()
    const row = await ledgerRow(gw, res.headers['x-request-id'] as string)
    expect(row).toMatchObject({ provider: 'p1', status: 200, attempts: 2 })
  })

  it('an HTTP 200 whose first SSE event is an error moves on; the client sees only the good stream', async () => {
    const [a, b] = await mocks(2)
    a!.behavior.custom = (_req, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' })
      res.write(`data: ${JSON.stringify({ error: { object: 'error', message: 'CUDA out of memory', type: 'InternalServerError', code: 500 } })}\n\n`)
      setTimeout(() => res.end('data: [DONE]\n\n'), 50)
    }
    const gw = await gateway(config([a!, b!]))
    const res = await postJson(gw.url, '/v1/chat/completions', chat('local', { stream: true }))
    expect(res.status).toBe(200)
    expect(res.headers['x-switchyard-provider']).toBe('p1')
    expect(res.text).not.toContain('CUDA')
    const events = sseData(res.text)
    expect(events.at(-1)).toBe('[DONE]')
    const text = events.slice(0, -1).map((e) => (JSON.parse(e) as { choices: Array<{ delta: { content?: string } }> }).choices[0]?.delta.content ?? '').join('')
    expect(text).toBe('Hello from the mock')
    expect(counts([a!, b!])).toEqual([1, 1])
    const row = await ledgerRow(gw, res.headers['x-request-id'] as string)
    expect(row).toMatchObject({ provider: 'p1', status: 200, attempts: 2, promptTokens: 12, completionTokens: 4 })
    expect(gw.gateway.router.status().find((s) => s.providerId === 'p0')!.health.lastError?.message).toContain('CUDA out of memory')
  })

  it('the first event is judged whole even when it arrives in pieces (error split across reads -> next; ok split -> kept)', async () => {
    const [a, b] = await mocks(2)
    const errorEvent = `data: ${JSON.stringify({ error: { message: 'engine overloaded', type: 'server_error', code: 503 } })}\n\n`
    a!.behavior.custom = (_req, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' })
      res.write(errorEvent.slice(0, 12))
      setTimeout(() => res.write(errorEvent.slice(12, 40)), 20)
      setTimeout(() => res.end(errorEvent.slice(40)), 40)
    }
    const gw = await gateway(config([a!, b!]))
    const res = await postJson(gw.url, '/v1/chat/completions', chat('local', { stream: true }))
    expect(res.headers['x-switchyard-provider']).toBe('p1')
    expect(res.text).not.toContain('overloaded')
    expect(counts([a!, b!])).toEqual([1, 1])
    // 503 in the event: busy, a cooldown rather than a strike.
    expect(gw.gateway.router.status().find((s) => s.providerId === 'p0')!.health).toMatchObject({ state: 'closed', consecutiveFailures: 0 })
    expect(gw.gateway.router.status().find((s) => s.providerId === 'p0')!.health.cooldownUntil).toBeGreaterThan(Date.now())

    // A good first event that arrives in pieces is committed as soon as it is complete.
    const [c, d] = await mocks(2)
    c!.behavior.custom = (_req, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' })
      const first = `data: ${JSON.stringify({ id: 'x', object: 'chat.completion.chunk', created: 1, model: 'qwen', choices: [{ index: 0, delta: { role: 'assistant', content: 'Piece' }, finish_reason: null }] })}\n\n`
      res.write(first.slice(0, 30))
      setTimeout(() => res.write(first.slice(30)), 20)
      setTimeout(() => res.end('data: [DONE]\n\n'), 40)
    }
    const gw2 = await gateway(config([c!, d!]))
    const ok = await postJson(gw2.url, '/v1/chat/completions', chat('local', { stream: true }))
    expect(ok.headers['x-switchyard-provider']).toBe('p0')
    expect(ok.text).toContain('Piece')
    expect(counts([c!, d!])).toEqual([1, 0])
  })

  it("Anthropic upstreams: an `event: error` (overloaded) first event moves on; an Anthropic client sees one clean stream", async () => {
    const a1 = await startMockAnthropic()
    const a2 = await startMockAnthropic()
    onCleanup(() => a1.close())
    onCleanup(() => a2.close())
    a1.behavior.midStreamError = { afterEvents: 0, type: 'overloaded_error', message: 'Overloaded' }
    a2.behavior.reply = { content: [{ type: 'text', text: 'Second opinion' }], stopReason: 'end_turn', usage: { input_tokens: 9, output_tokens: 3 } }
    const gw = await gateway({
      providers: [
        { id: 'c1', kind: 'anthropic', baseUrl: a1.baseUrl, apiKey: 'sk-ant-test' },
        { id: 'c2', kind: 'anthropic', baseUrl: a2.baseUrl, apiKey: 'sk-ant-test' },
      ],
      routes: [{ model: 'claude-*', strategy: 'failover', targets: [{ provider: 'c1' }, { provider: 'c2' }] }],
    })
    const res = await postJson(gw.url, '/v1/messages', { model: 'claude-sonnet-4-5', max_tokens: 64, stream: true, messages: [{ role: 'user', content: 'hi' }] }, { 'anthropic-version': '2023-06-01' })
    expect(res.status).toBe(200)
    expect(res.headers['x-switchyard-provider']).toBe('c2')
    expect(res.text).not.toContain('Overloaded')
    expect(res.text.match(/event: message_start/g)).toHaveLength(1)
    expect(res.text).toContain('event: message_stop')
    expect(a1.requests.filter((r) => r.path.startsWith('/v1/messages')).length).toBe(1)
    expect(a2.requests.filter((r) => r.path.startsWith('/v1/messages')).length).toBe(1)
    const health = gw.gateway.router.status().find((s) => s.providerId === 'c1')!.health
    expect(health.state).toBe('closed') // overloaded is busy, not dead
    expect(health.cooldownUntil).toBeGreaterThan(Date.now())
    const row = await ledgerRow(gw, res.headers['x-request-id'] as string)
    expect(row).toMatchObject({ provider: 'c2', attempts: 2, promptTokens: 9, completionTokens: 3 })
  })

  it('a 4xx (context too long) is not retried: the client gets it, nobody else is asked, health is untouched', async () => {
    const [a, b] = await mocks(2)
    a!.behavior.custom = failWith(400, {}, "This model's maximum context length is 32768 tokens. However, you requested 40000 tokens.")
    const gw = await gateway(config([a!, b!]))
    const res = await postJson(gw.url, '/v1/chat/completions', chat('local'))
    expect(res.status).toBe(400)
    expect(res.json<ErrorBody>().error.message).toContain('maximum context length')
    expect(counts([a!, b!])).toEqual([1, 0])
    const health = gw.gateway.router.status().find((s) => s.providerId === 'p0')!.health
    expect(health).toMatchObject({ state: 'closed', consecutiveFailures: 0 })
    const row = await ledgerRow(gw, res.headers['x-request-id'] as string)
    expect(row).toMatchObject({ provider: 'p0', status: 400, attempts: 1 })
  })
})

describe('after the first byte: no retry', () => {
  it('a stall mid-stream ends the OpenAI stream with an error event, no [DONE], no second backend, partial usage kept', async () => {
    const [a, b] = await mocks(2)
    a!.behavior.custom = (_req, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' })
      const chunk = (delta: object) => `data: ${JSON.stringify({ id: 'x', object: 'chat.completion.chunk', created: 1, model: 'qwen', choices: [{ index: 0, delta, logprobs: null, finish_reason: null }], usage: null })}\n\n`
      res.write(chunk({ role: 'assistant', content: '' }))
      res.write(chunk({ content: 'The answer is a very long' }))
      res.write(chunk({ content: ' story about routers' }))
      // ...and then nothing: the GPU hung.
    }
    const gw = await gateway(config([a!, b!], { timeouts: { firstByteMs: 1_000, idleMs: 300 } }))
    const res = await postJson(gw.url, '/v1/chat/completions', chat('local', { stream: true }))
    expect(res.status).toBe(200)
    const events = sseData(res.text)
    expect(events).not.toContain('[DONE]')
    expect(res.text).toContain('story about routers')
    const last = JSON.parse(events.at(-1)!) as ErrorBody
    expect(last.error.code).toBe('upstream_timeout')
    expect(counts([a!, b!])).toEqual([1, 0])
    await a!.waitForAbort()
    const row = await ledgerRow(gw, res.headers['x-request-id'] as string)
    expect(row).toMatchObject({ provider: 'p0', attempts: 1, errorClass: 'upstream_timeout' })
    expect(row.completionTokens).toBeGreaterThan(0) // what was delivered is accounted for (estimated)
    expect(row.promptTokens).toBeGreaterThan(0)
  })

  it('a stall mid-stream ends an Anthropic stream with `event: error`', async () => {
    const [a, b] = await mocks(2)
    a!.behavior.custom = (_req, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' })
      const chunk = (delta: object) => `data: ${JSON.stringify({ id: 'x', object: 'chat.completion.chunk', created: 1, model: 'qwen', choices: [{ index: 0, delta, logprobs: null, finish_reason: null }] })}\n\n`
      res.write(chunk({ role: 'assistant', content: '' }))
      res.write(chunk({ content: 'Partial' }))
    }
    const gw = await gateway(config([a!, b!], { timeouts: { firstByteMs: 1_000, idleMs: 300 } }))
    const res = await postJson(gw.url, '/v1/messages', { model: 'local', max_tokens: 64, stream: true, messages: [{ role: 'user', content: 'hi' }] })
    expect(res.status).toBe(200)
    expect(res.text).toContain('event: message_start')
    expect(res.text).toContain('Partial')
    expect(res.text).not.toContain('event: message_stop')
    const tail = res.text.trimEnd().split('\n\n').at(-1)!
    expect(tail).toContain('event: error')
    expect(tail).toContain('"type":"error"')
    expect(counts([a!, b!])).toEqual([1, 0])
  })

  it('a stream that breaks after the first byte is not retried (connection reset mid-body)', async () => {
    const [a, b] = await mocks(2)
    a!.behavior.custom = (req, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' })
      res.write(`data: ${JSON.stringify({ id: 'x', object: 'chat.completion.chunk', created: 1, model: 'qwen', choices: [{ index: 0, delta: { content: 'Half' }, finish_reason: null }] })}\n\n`)
      setTimeout(() => req.socket.destroy(), 50)
    }
    const gw = await gateway(config([a!, b!]))
    const res = await postJson(gw.url, '/v1/chat/completions', chat('local', { stream: true }))
    expect(res.status).toBe(200)
    expect(res.text).toContain('Half')
    expect(sseData(res.text)).not.toContain('[DONE]')
    expect(JSON.parse(sseData(res.text).at(-1)!)).toHaveProperty('error')
    expect(counts([a!, b!])).toEqual([1, 0])
  })
})

describe('a backend that keeps failing mid-stream', () => {
  it('counts toward its circuit: after consecutive mid-stream stalls it is ejected and new requests go elsewhere', async () => {
    const [a, b] = await mocks(2)
    a!.behavior.custom = (_req, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' })
      res.write(`data: ${JSON.stringify({ id: 'x', object: 'chat.completion.chunk', created: 1, model: 'qwen', choices: [{ index: 0, delta: { content: 'Hal' }, finish_reason: null }] })}\n\n`)
    }
    const gw = await gateway(config([a!, b!], { timeouts: { firstByteMs: 1_000, idleMs: 200 } }), {
      routing: { health: new HealthRegistry({ breaker: { failureThreshold: 2, baseEjectionMs: 10_000 } }) },
    })
    for (let i = 0; i < 2; i++) {
      const res = await postJson(gw.url, '/v1/chat/completions', chat('local', { stream: true }))
      expect(res.headers['x-switchyard-provider']).toBe('p0')
      expect(JSON.parse(sseData(res.text).at(-1)!)).toMatchObject({ error: { code: 'upstream_timeout' } })
    }
    const health = gw.gateway.router.status().find((s) => s.providerId === 'p0')!.health
    expect(health).toMatchObject({ state: 'open' })
    expect(health.lastError!.message).toContain('stalled')
    const res = await postJson(gw.url, '/v1/chat/completions', chat('local', { stream: true }))
    expect(res.headers['x-switchyard-provider']).toBe('p1')
    expect(sseData(res.text).at(-1)).toBe('[DONE]')
    expect(counts([a!, b!])).toEqual([2, 1])
  })

  it('a client that leaves mid-stream says nothing against the backend', async () => {
    const [a, b] = await mocks(2)
    a!.behavior.words = Array.from({ length: 50 }, (_, i) => ` w${i}`)
    a!.behavior.chunkDelayMs = 20
    const gw = await gateway(config([a!, b!]), { routing: { health: new HealthRegistry({ breaker: { failureThreshold: 1, baseEjectionMs: 10_000 } }) } })
    await hangUpAfter(gw.url, '/v1/chat/completions', chat('local', { stream: true }), 150)
    await a!.waitForAbort()
    await sleep(50)
    expect(gw.gateway.router.status().find((s) => s.providerId === 'p0')!.health).toMatchObject({ state: 'closed', consecutiveFailures: 0 })
  })
})

describe('limits on retrying', () => {
  it('at most maxAttempts targets are tried per request', async () => {
    const ms = await mocks(3)
    ms[0]!.behavior.errorStatus = 500
    ms[1]!.behavior.errorStatus = 500
    const gw = await gateway(config(ms), { routing: { failover: new FailoverPolicy({ maxAttempts: 2 }) } })
    const res = await postJson(gw.url, '/v1/chat/completions', chat('local'))
    expect(res.status).toBe(500)
    expect(counts(ms)).toEqual([1, 1, 0])
    expect((await ledgerRow(gw, res.headers['x-request-id'] as string)).attempts).toBe(2)
  })

  it('the gateway-wide retry budget stops failover when it is spent', async () => {
    const ms = await mocks(3)
    ms[0]!.behavior.errorStatus = 500
    ms[1]!.behavior.errorStatus = 500
    // One retry saved up, none earned by traffic or time.
    const budget = new RetryBudget({ ratio: 0, minPerSecond: 0, capacity: 1 })
    const gw = await gateway(config(ms), { routing: { failover: new FailoverPolicy({}, budget) } })
    const first = await postJson(gw.url, '/v1/chat/completions', chat('local'))
    expect(first.status).toBe(500) // p0 failed, the one retry went to p1, which failed too
    expect(counts(ms)).toEqual([1, 1, 0])
    const second = await postJson(gw.url, '/v1/chat/completions', chat('local'))
    expect(second.status).toBe(500) // no budget left: p0's failure is final
    expect(counts(ms)).toEqual([2, 1, 0])
  })

  it("the client's deadline (X-Switchyard-Timeout) is respected: no new attempt that could not finish in time", async () => {
    const [a, b] = await mocks(2)
    a!.behavior.errorStatus = 500
    a!.behavior.headerDelayMs = 900
    const gw = await gateway(config([a!, b!], { timeouts: { firstByteMs: 5_000 } }))
    const res = await postJson(gw.url, '/v1/chat/completions', chat('local'), { 'x-switchyard-timeout': '1' })
    expect(res.status).toBe(500)
    expect(counts([a!, b!])).toEqual([1, 0])
    // With time left, the same failure fails over.
    const ok = await postJson(gw.url, '/v1/chat/completions', chat('local'), { 'x-switchyard-timeout': '30' })
    expect(ok.status).toBe(200)
    expect(counts([a!, b!])).toEqual([2, 1])
  })

  it('a client that disconnects while an attempt waits for its first byte aborts it, and nothing else is tried', async () => {
    const [a, b] = await mocks(2)
    a!.behavior.custom = () => undefined // a model still loading
    const gw = await gateway(config([a!, b!], { timeouts: { firstByteMs: 5_000 } }))
    await hangUpAfter(gw.url, '/v1/chat/completions', chat('local', { stream: true }), 200)
    await a!.waitForAbort()
    await sleep(200)
    expect(counts([a!, b!])).toEqual([1, 0])
    // Not the backend's fault: its health is untouched.
    expect(gw.gateway.router.status().find((s) => s.providerId === 'p0')!.health).toMatchObject({ state: 'closed', consecutiveFailures: 0 })
  })

  it('a client that disconnects during the backoff stops further attempts', async () => {
    const [a, b] = await mocks(2)
    a!.behavior.errorStatus = 500
    // Backoff before the 2nd attempt: ~0.99 × 1.5 s, long enough to hang up in the middle of it.
    const gw = await gateway(config([a!, b!]), { routing: { failover: new FailoverPolicy({ baseBackoffMs: 1_500, maxBackoffMs: 1_500 }), random: () => 0.99 } })
    const started = Date.now()
    await hangUpAfter(gw.url, '/v1/chat/completions', chat('local'), 300)
    expect(Date.now() - started).toBeLessThan(1_000)
    await sleep(1_600)
    expect(counts([a!, b!])).toEqual([1, 0])
    gw.gateway.usage.ledger.flushAll()
    const { items } = await gw.gateway.api.listRequests({ limit: 10 })
    expect(items[0]).toMatchObject({ status: 499, errorClass: 'client_aborted', attempts: 1 })
  })
})

describe('circuit breaking through the gateway', () => {
  const breaker = { failureThreshold: 2, baseEjectionMs: 600 }

  it('opens after consecutive failures; the ejected backend is not contacted until its ejection ends; a good trial closes it', async () => {
    const [a, b] = await mocks(2)
    a!.behavior.errorStatus = 500
    const gw = await gateway(config([a!, b!]), { routing: { health: new HealthRegistry({ breaker }) } })
    for (let i = 0; i < 2; i++) expect((await postJson(gw.url, '/v1/chat/completions', chat('local'))).status).toBe(200)
    expect(counts([a!, b!])).toEqual([2, 2])
    const open = gw.gateway.router.status().find((s) => s.providerId === 'p0')!.health
    expect(open).toMatchObject({ state: 'open', available: false, ejections: 1 })
    expect(open.ejectedUntil! - Date.now()).toBeGreaterThan(300)

    // Ejected: requests go straight to p1.
    for (let i = 0; i < 3; i++) {
      const res = await postJson(gw.url, '/v1/chat/completions', chat('local'))
      expect(res.status).toBe(200)
      expect((await ledgerRow(gw, res.headers['x-request-id'] as string)).attempts).toBe(1)
    }
    expect(counts([a!, b!])).toEqual([2, 5])

    // The ejection ends: one trial reaches p0, which has recovered, and the circuit closes.
    await sleep(Math.max(0, open.ejectedUntil! - Date.now()) + 20)
    a!.behavior.errorStatus = undefined
    const trial = await postJson(gw.url, '/v1/chat/completions', chat('local'))
    expect(trial.headers['x-switchyard-provider']).toBe('p0')
    expect(counts([a!, b!])).toEqual([3, 5])
    expect(gw.gateway.router.status().find((s) => s.providerId === 'p0')!.health.state).toBe('closed')
  })

  it('half-open lets exactly one request through while the trial is out', async () => {
    const [a, b] = await mocks(2)
    a!.behavior.errorStatus = 500
    const gw = await gateway(config([a!, b!]), { routing: { health: new HealthRegistry({ breaker }) } })
    for (let i = 0; i < 2; i++) await postJson(gw.url, '/v1/chat/completions', chat('local'))
    const open = gw.gateway.router.status().find((s) => s.providerId === 'p0')!.health
    await sleep(Math.max(0, open.ejectedUntil! - Date.now()) + 20)
    a!.behavior.errorStatus = undefined
    a!.behavior.headerDelayMs = 300 // the trial takes a while
    const results = await Promise.all(Array.from({ length: 4 }, () => postJson(gw.url, '/v1/chat/completions', chat('local'))))
    expect(results.map((r) => r.status)).toEqual([200, 200, 200, 200])
    expect(results.filter((r) => r.headers['x-switchyard-provider'] === 'p0')).toHaveLength(1)
    expect(counts([a!, b!])).toEqual([3, 5])
    expect(gw.gateway.router.status().find((s) => s.providerId === 'p0')!.health.state).toBe('closed')
  })

  it('a failed half-open trial reopens the circuit for longer', async () => {
    const [a, b] = await mocks(2)
    a!.behavior.errorStatus = 500
    const gw = await gateway(config([a!, b!]), { routing: { health: new HealthRegistry({ breaker }) } })
    for (let i = 0; i < 2; i++) await postJson(gw.url, '/v1/chat/completions', chat('local'))
    const first = gw.gateway.router.status().find((s) => s.providerId === 'p0')!.health
    await sleep(Math.max(0, first.ejectedUntil! - Date.now()) + 20)
    expect((await postJson(gw.url, '/v1/chat/completions', chat('local'))).status).toBe(200)
    expect(counts([a!, b!])).toEqual([3, 3])
    const again = gw.gateway.router.status().find((s) => s.providerId === 'p0')!.health
    expect(again).toMatchObject({ state: 'open', ejections: 2 })
    expect(again.ejectedUntil! - Date.now()).toBeGreaterThan(900) // 2 × 600 ms
  })

  it('never ejects every target: with all of them open, the least-bad one is still tried', async () => {
    const [a, b] = await mocks(2)
    a!.behavior.errorStatus = 500
    b!.behavior.errorStatus = 500
    const gw = await gateway(config([a!, b!]), { routing: { health: new HealthRegistry({ breaker: { ...breaker, baseEjectionMs: 5_000 } }) } })
    for (let i = 0; i < 2; i++) expect((await postJson(gw.url, '/v1/chat/completions', chat('local'))).status).toBe(500)
    expect(counts([a!, b!])).toEqual([2, 2])
    expect(gw.gateway.router.status().map((s) => s.health.state)).toEqual(['open', 'open'])
    // Both ejected: the request is not refused outright; one of them (the first to recover) is tried.
    const res = await postJson(gw.url, '/v1/chat/completions', chat('local'))
    expect(res.status).toBe(500)
    expect(res.json<ErrorBody>().error.message).toContain('mock failure')
    expect(completions(a!) + completions(b!)).toBe(5)
    // ...and it answers as soon as that backend is back.
    a!.behavior.errorStatus = undefined
    b!.behavior.errorStatus = undefined
    const back = await postJson(gw.url, '/v1/chat/completions', chat('local'))
    expect(back.status).toBe(200)
  })
})

describe('health through the app API', () => {
  it('listProviders carries health state, last error and ejection end after failures', async () => {
    const [a, b] = await mocks(2)
    a!.behavior.errorStatus = 500
    const dead = await refusedPort()
    const gw = await gateway(config([a!, b!], { extra: [{ id: 'dead', kind: 'vllm', baseUrl: `http://127.0.0.1:${dead}/v1` }], order: ['dead', 'p0', 'p1'] }), {
      routing: { health: new HealthRegistry({ breaker: { failureThreshold: 2, baseEjectionMs: 10_000 } }) },
    })
    for (let i = 0; i < 2; i++) expect((await postJson(gw.url, '/v1/chat/completions', chat('local'))).status).toBe(200)
    const { items } = await gw.gateway.api.listProviders(undefined)
    const byId = new Map(items.map((p) => [p.id, p]))
    const now = Date.now()
    expect(byId.get('dead')!.health).toMatchObject({ state: 'open', available: false })
    expect(byId.get('dead')!.health!.lastError!.message).toContain('refused the connection')
    expect(byId.get('dead')!.health!.ejectedUntil!).toBeGreaterThan(now + 5_000)
    expect(byId.get('p0')!.health).toMatchObject({ state: 'open', available: false })
    expect(byId.get('p0')!.health!.lastError!.message).toContain('500')
    expect(byId.get('p1')!.health).toMatchObject({ state: 'closed', available: true, consecutiveFailures: 0 })
    expect(byId.get('p1')!.health!.lastError).toBeUndefined()
    // The live stats the tray and dashboard show agree.
    const stats = await gw.gateway.api.getStats(undefined)
    expect(stats.providers.dead?.health).toBe('open')
  })

  it('active probes eject a backend whose /health fails before any request does, and readmit it when it recovers', async () => {
    const [a, b] = await mocks(2)
    a!.behavior.custom = failWith(503, {}, 'engine dead') // /health too
    const gw = await gateway(config([a!, b!]), {
      sideChannels: true,
      routing: { probeIntervalMs: 60, loadIntervalMs: 60_000, discoveryIntervalMs: 60_000, health: new HealthRegistry({ breaker: { failureThreshold: 2, baseEjectionMs: 10_000 } }) },
    })
    const view = async () => (await gw.gateway.api.listProviders(undefined)).items.find((p) => p.id === 'p0')!.health!
    await until(() => gw.gateway.router.status().find((s) => s.providerId === 'p0')!.health.state === 'open')
    const ejected = await view()
    expect(ejected).toMatchObject({ state: 'open', available: false, lastProbe: { ok: false } })
    expect(ejected.lastError!.message).toContain('probe failed')
    expect(ejected.ejectedUntil).toBeGreaterThan(Date.now())
    expect(completions(a!)).toBe(0)
    // Traffic goes around it without touching it.
    expect((await postJson(gw.url, '/v1/chat/completions', chat('local'))).headers['x-switchyard-provider']).toBe('p1')
    expect(completions(a!)).toBe(0)
    // It recovers: the next good probe closes the circuit (on probation) and traffic returns.
    a!.behavior.custom = undefined
    await until(() => gw.gateway.router.status().find((s) => s.providerId === 'p0')!.health.state === 'closed')
    expect(await view()).toMatchObject({ state: 'closed', available: true, lastProbe: { ok: true } })
    expect((await postJson(gw.url, '/v1/chat/completions', chat('local'))).headers['x-switchyard-provider']).toBe('p0')
  })
})
