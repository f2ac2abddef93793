// Issue 6 across the pipeline: failover between an Anthropic provider and an OpenAI-compatible
// one (passthrough on one attempt, translation on the next), keep-alives followed by an upstream
// error, and a client that leaves mid-stream stopping the upstream — for both SDKs.
import Anthropic from '@anthropic-ai/sdk'
import OpenAI from 'openai'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { startTestGateway, type TestGateway } from '../../helpers/gateway'
import { postJson } from '../../helpers/http'
import { startMockAnthropic, type MockAnthropic } from '../../helpers/mockAnthropic'
import { startMockBackend, type MockBackend } from '../../helpers/mockBackend'
import { until } from '../../helpers/wait'
import { serveOpenAI } from './openaiScript'

describe('protocol bridge across failover, keep-alives and disconnects', () => {
  let overloaded: MockAnthropic
  let errFirst: MockAnthropic
  let slowClaude: MockAnthropic
  let vllm: MockBackend
  let single: MockBackend
  let gw: TestGateway
  let anthropic: Anthropic
  let openai: OpenAI

  beforeAll(async () => {
    overloaded = await startMockAnthropic({ models: ['claude-opus-4-1'] })
    errFirst = await startMockAnthropic({ models: ['claude-opus-4-1'] })
    slowClaude = await startMockAnthropic({ models: ['claude-haiku-4-5'] })
    vllm = await startMockBackend({ flavor: 'vllm', name: 'vllm', models: ['qwen2.5-7b'] })
    single = await startMockBackend({ flavor: 'vllm', name: 'single', models: ['single-7b'] })
    gw = await startTestGateway(
      {
        providers: [
          { id: 'claude-overloaded', kind: 'anthropic', baseUrl: overloaded.baseUrl, apiKey: 'k1' },
          { id: 'claude-errfirst', kind: 'anthropic', baseUrl: errFirst.baseUrl, apiKey: 'k2' },
          { id: 'claude-slow', kind: 'anthropic', baseUrl: slowClaude.baseUrl, apiKey: 'k3', models: ['claude-haiku-4-5'] },
          { id: 'vllm', kind: 'vllm', baseUrl: vllm.baseUrl, models: ['qwen2.5-7b'] },
          // One request at a time: the next one waits in the queue (up to 1.5 s).
          { id: 'single', kind: 'vllm', baseUrl: single.baseUrl, models: ['single-7b'], limits: { maxConcurrent: 1 }, queue: { maxSize: 10, timeoutMs: 1500 } },
        ],
        routes: [
          { model: 'claude-opus-*', strategy: 'failover', targets: [{ provider: 'claude-overloaded', model: 'claude-opus-4-1' }, { provider: 'vllm', model: 'qwen2.5-7b' }] },
          { model: 'sniffed', strategy: 'failover', targets: [{ provider: 'claude-errfirst', model: 'claude-opus-4-1' }, { provider: 'vllm', model: 'qwen2.5-7b' }] },
          { model: 'gpt-4.1', strategy: 'failover', targets: [{ provider: 'claude-overloaded', model: 'claude-opus-4-1' }, { provider: 'vllm', model: 'qwen2.5-7b' }] },
        ],
      },
      { keepAlive: { graceMs: 150, everyMs: 100 } },
    )
    anthropic = new Anthropic({ baseURL: gw.url, apiKey: 'client', maxRetries: 0 })
    openai = new OpenAI({ baseURL: `${gw.url}/v1`, apiKey: 'client', maxRetries: 0 })
  })
  afterAll(async () => {
    await gw.close()
    await Promise.all([overloaded.close(), errFirst.close(), slowClaude.close(), vllm.close(), single.close()])
  })
  afterEach(() => {
    for (const m of [overloaded, errFirst, slowClaude]) m.reset()
    overloaded.behavior.errorStatus = 529
    vllm.requests.length = 0
    vllm.behavior.custom = undefined
    vllm.behavior.errorStatus = undefined
    vllm.behavior.headerDelayMs = 0
  })

  it('Anthropic client: an overloaded Anthropic provider fails over to vLLM, translated, streamed and not', async () => {
    overloaded.behavior.errorStatus = 529
    vllm.behavior.custom = serveOpenAI({ content: 'answered by qwen' })
    const plain = await anthropic.messages.create({ model: 'claude-opus-4-1', max_tokens: 20, messages: [{ role: 'user', content: 'hi' }] })
    expect(plain.content).toEqual([{ type: 'text', text: 'answered by qwen' }])
    expect(plain.model).toBe('claude-opus-4-1')
    const streamed = await anthropic.messages.stream({ model: 'claude-opus-4-1', max_tokens: 20, messages: [{ role: 'user', content: 'hi' }] }).finalMessage()
    expect(streamed.content[0]).toMatchObject({ type: 'text', text: 'answered by qwen' })
    expect(vllm.requests.filter((r) => r.path.endsWith('/chat/completions'))).toHaveLength(2)
  })

  it('Anthropic client: a stream whose first event is `event: error` fails over before anything reached the client', async () => {
    errFirst.behavior.midStreamError = { afterEvents: 0, type: 'overloaded_error', message: 'Overloaded' }
    vllm.behavior.custom = serveOpenAI({ content: 'the fallback answer' })
    const res = await postJson(gw.url, '/v1/messages', { model: 'sniffed', max_tokens: 20, stream: true, messages: [{ role: 'user', content: 'hi' }] }, { 'anthropic-version': '2023-06-01' })
    expect(res.status).toBe(200)
    expect(res.headers['x-switchyard-provider']).toBe('vllm')
    expect(res.text).not.toContain('event: error')
    const text = [...res.text.matchAll(/"text_delta","text":"([^"]*)"/g)].map((m) => m[1]).join('')
    expect(text).toBe('the fallback answer')
    expect(errFirst.requests).toHaveLength(1)
  })

  it('OpenAI client: an overloaded Anthropic provider fails over to vLLM (passthrough)', async () => {
    overloaded.behavior.errorStatus = 529
    vllm.behavior.custom = serveOpenAI({ content: 'qwen via passthrough' })
    const res = await openai.chat.completions.create({ model: 'gpt-4.1', messages: [{ role: 'user', content: 'hi' }] })
    expect(res.choices[0]!.message.content).toBe('qwen via passthrough')
    expect(res.model).toBe('gpt-4.1')
    const stream = await openai.chat.completions.create({ model: 'gpt-4.1', messages: [{ role: 'user', content: 'hi' }], stream: true })
    let text = ''
    for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? ''
    expect(text).toBe('qwen via passthrough')
  })

  it('Anthropic client: pings, then an upstream error becomes the stream\'s `event: error` in Anthropic shape', async () => {
    vllm.behavior.errorStatus = 429
    vllm.behavior.headerDelayMs = 500
    const res = await postJson(gw.url, '/v1/messages', { model: 'qwen2.5-7b', max_tokens: 20, stream: true, messages: [{ role: 'user', content: 'hi' }] }, { 'anthropic-version': '2023-06-01' })
    expect(res.status).toBe(200)
    const blocks = res.text.split('\n\n').filter(Boolean)
    expect(blocks.length).toBeGreaterThanOrEqual(3)
    for (const b of blocks.slice(0, -1)) expect(b).toBe('event: ping\ndata: {"type": "ping"}')
    const last = blocks.at(-1)!
    expect(last.startsWith('event: error\ndata: ')).toBe(true)
    expect(JSON.parse(last.slice('event: error\ndata: '.length))).toMatchObject({ type: 'error', error: { type: 'rate_limit_error', message: 'mock failure for qwen2.5-7b' } })
    const err = await anthropic.messages.stream({ model: 'qwen2.5-7b', max_tokens: 20, messages: [{ role: 'user', content: 'hi' }] }).finalMessage().catch((e: unknown) => e)
    expect(err).toBeInstanceOf(Anthropic.APIError)
  })

  it('OpenAI client: keep-alive comments while Anthropic is slow, then a translated stream the SDK reads', async () => {
    slowClaude.behavior.headerDelayMs = 500
    const raw = await postJson(gw.url, '/v1/chat/completions', { model: 'claude-haiku-4-5', stream: true, messages: [{ role: 'user', content: 'hi' }] })
    expect(raw.status).toBe(200)
    expect(raw.text.startsWith(': keep-alive\n\n: keep-alive\n\n')).toBe(true)
    expect(raw.text.endsWith('data: [DONE]\n\n')).toBe(true)
    const stream = await openai.chat.completions.create({ model: 'claude-haiku-4-5', messages: [{ role: 'user', content: 'hi' }], stream: true })
    let text = ''
    for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? ''
    expect(text).toBe('Hello from Claude')
  })

  it('Anthropic client: pings while queued behind another request, then its answer; a queue timeout ends with `event: error`', async () => {
    single.behavior.custom = serveOpenAI({ content: 'slow answer in many pieces', pieceChars: 2 }, { chunkDelayMs: 50 })
    const body = { model: 'single-7b', max_tokens: 20, stream: true, messages: [{ role: 'user', content: 'hi' }] }
    const hdrs = { 'anthropic-version': '2023-06-01' }
    const [first, second] = await Promise.all([postJson(gw.url, '/v1/messages', body, hdrs), new Promise((r) => setTimeout(r, 20)).then(() => postJson(gw.url, '/v1/messages', body, hdrs))])
    expect(first.status).toBe(200)
    expect(second.status).toBe(200)
    const blocks = second.text.split('\n\n').filter(Boolean)
    const firstReal = blocks.findIndex((b) => !b.startsWith('event: ping'))
    expect(firstReal).toBeGreaterThanOrEqual(2)
    expect(blocks[firstReal]!.startsWith('event: message_start')).toBe(true)
    expect(blocks.at(-1)).toBe('event: message_stop\ndata: {"type":"message_stop"}')

    // Held for longer than the queue allows: pings, then the 429 as the stream's error event.
    single.behavior.custom = serveOpenAI({ content: 'x'.repeat(80), pieceChars: 1 }, { chunkDelayMs: 30 })
    const [, timedOut] = await Promise.all([postJson(gw.url, '/v1/messages', body, hdrs), new Promise((r) => setTimeout(r, 20)).then(() => postJson(gw.url, '/v1/messages', body, hdrs))])
    expect(timedOut.status).toBe(200)
    const tail = timedOut.text.split('\n\n').filter(Boolean)
    expect(tail.slice(0, -1).every((b) => b.startsWith('event: ping'))).toBe(true)
    expect(tail.at(-1)!.startsWith('event: error\ndata: ')).toBe(true)
    expect(JSON.parse(tail.at(-1)!.slice('event: error\ndata: '.length))).toMatchObject({ type: 'error', error: { type: 'rate_limit_error' } })
  })

  it('Anthropic client leaving a translated stream aborts the vLLM request', async () => {
    vllm.behavior.custom = serveOpenAI({ content: 'a long answer that keeps going and going', pieceChars: 2 }, { chunkDelayMs: 40 })
    const stream = anthropic.messages.stream({ model: 'qwen2.5-7b', max_tokens: 200, messages: [{ role: 'user', content: 'hi' }] })
    const ended = stream.done().catch((e: unknown) => e)
    await new Promise<void>((resolve) => stream.once('text', () => resolve()))
    stream.abort()
    expect(await ended).toBeInstanceOf(Anthropic.APIUserAbortError)
    const aborted = await vllm.waitForAbort(3000)
    expect(aborted.abortedAt).toBeDefined()
  })

  it('OpenAI client leaving a translated stream aborts the Anthropic request', async () => {
    slowClaude.behavior.reply = { content: [{ type: 'text', text: 'a long answer that keeps going and going' }] }
    slowClaude.behavior.deltaChars = 2
    slowClaude.behavior.chunkDelayMs = 40
    const controller = new AbortController()
    const stream = await openai.chat.completions.create({ model: 'claude-haiku-4-5', messages: [{ role: 'user', content: 'hi' }], stream: true }, { signal: controller.signal })
    const reading = (async () => {
      for await (const chunk of stream) if (chunk.choices[0]?.delta.content) controller.abort()
    })().catch(() => undefined)
    await reading
    await until(() => slowClaude.requests.at(-1)?.abortedAt !== undefined)
  })
})
