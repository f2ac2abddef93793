import { afterEach, describe, expect, it } from 'vitest'
import { DEFAULT_PRICES } from '../../../../src/main/gateway/usage/pricing'
import { RequestMeter, type AttemptTarget, type MeterSink } from '../../../../src/main/gateway/usage/requestMeter'
import type { InFlightRow, UsageRow } from '../../../../src/main/gateway/usage/types'
import { UsageService } from '../../../../src/main/gateway/usage/usageService'
import { seededRandom } from '../../../helpers/random'
import { anthropicStream, openAIStream, randomSplit } from './fixtures'
import { tempDir } from './ledgerHelpers'

function sink() {
  const begun: InFlightRow[] = []
  const recorded: UsageRow[] = []
  const s: MeterSink = { begin: (r) => begun.push(r), record: (r) => recorded.push(r) }
  return { s, begun, recorded }
}

let clock = 1_000
const now = () => clock
const start = { requestId: 'req-1', app: 'aider', routeModel: 'smart', endpoint: '/chat/completions', stream: true, requestBody: { messages: [{ role: 'user', content: 'Tell me a story about a yard full of switches.' }] } }
const openai: AttemptTarget = { provider: 'openai', providerKind: 'openai-compatible', upstreamModel: 'gpt-4o', protocol: 'openai', injectedUsage: true }

function pump(meter: RequestMeter, stream: string, seed = 3): Buffer {
  const client: Buffer[] = []
  for (const piece of randomSplit(Buffer.from(stream), seededRandom(seed), 9)) {
    clock += 5
    meter.upstreamChunk(piece)
    client.push(meter.clientChunk(piece))
  }
  const rest = meter.clientFlush()
  if (rest) client.push(rest)
  return Buffer.concat(client)
}

describe('RequestMeter', () => {
  it('injected include_usage: exact usage and cost for the ledger, untouched bytes for the client', async () => {
    const { s, begun, recorded } = sink()
    clock = 1_000
    const meter = new RequestMeter({ ledger: s, now }, start)
    clock += 10
    meter.attempt(openai)
    expect(begun).toEqual([{ requestId: 'req-1', ts: 1_000, app: 'aider', provider: 'openai', routeModel: 'smart', upstreamModel: 'gpt-4o', endpoint: '/chat/completions', stream: true }])
    meter.responseStarted(200, 'text/event-stream')
    clock += 300
    const client = pump(meter, openAIStream({ flavor: 'openai', includeUsage: true, usage: { prompt_tokens: 1200, completion_tokens: 6, cached: 1024 } }))
    expect(client.toString()).toBe(openAIStream({ flavor: 'openai', includeUsage: false }))
    const row = await meter.finish({ status: 200 })
    expect(recorded).toEqual([row])
    expect(row).toMatchObject({ state: 'ok', status: 200, promptTokens: 1200, completionTokens: 6, cachedTokens: 1024, estimated: false, attempts: 1, ttftMs: 305, errorClass: null })
    expect(row!.latencyMs).toBe(clock - 1_000)
    const p = DEFAULT_PRICES['gpt-4o']
    expect(row!.costUsd).toBeCloseTo((176 * p.inputPerMTok + 1024 * p.cachedInputPerMTok! + 6 * p.outputPerMTok) / 1e6, 12)
    expect(await meter.finish({ status: 200 })).toBeUndefined()
    expect(recorded).toHaveLength(1)
  })

  it('failover: one row, on the target that served, with the attempts counted', async () => {
    const { s, begun, recorded } = sink()
    const meter = new RequestMeter({ ledger: s, now }, { ...start, endpoint: '/v1/messages' })
    meter.attempt({ provider: 'claude-a', providerKind: 'anthropic', upstreamModel: 'claude-sonnet-4-5', protocol: 'anthropic' })
    meter.responseStarted(529, 'application/json')
    meter.upstreamChunk(Buffer.from('{"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}'))
    meter.attempt({ provider: 'claude-b', providerKind: 'anthropic', upstreamModel: 'claude-haiku-4-5', protocol: 'anthropic' })
    meter.responseStarted(200, 'text/event-stream')
    pump(meter, anthropicStream({ input: 30, output: 12 }))
    const row = await meter.finish({ status: 200 })
    expect(begun).toHaveLength(1)
    expect(recorded).toHaveLength(1)
    expect(row).toMatchObject({ provider: 'claude-b', upstreamModel: 'claude-haiku-4-5', attempts: 2, promptTokens: 30, completionTokens: 12, state: 'ok' })
    expect(row!.costUsd).toBeCloseTo((30 * 1 + 12 * 5) / 1e6, 12)
  })

  it('a client that leaves mid-stream: aborted, estimated from what was delivered', async () => {
    const { s } = sink()
    const meter = new RequestMeter({ ledger: s, now }, start)
    meter.attempt({ ...openai, injectedUsage: false, provider: 'vllm-a', providerKind: 'vllm', upstreamModel: 'qwen2.5-7b' })
    meter.responseStarted(200, 'text/event-stream; charset=utf-8')
    pump(meter, openAIStream({ flavor: 'vllm', includeUsage: true, cutAfter: 4 }))
    const row = await meter.finish({ status: 499, errorClass: 'client_aborted', clientAborted: true })
    expect(row).toMatchObject({ state: 'aborted', estimated: true, costUsd: 0, errorClass: 'client_aborted' })
    expect(row!.completionTokens).toBeGreaterThanOrEqual(3)
    expect(row!.promptTokens).toBeGreaterThan(8)
  })

  it('an error answer records zero tokens, never the error text as output', async () => {
    const { s } = sink()
    const meter = new RequestMeter({ ledger: s, now }, start)
    meter.attempt(openai)
    meter.responseStarted(500, 'application/json')
    meter.upstreamChunk(Buffer.from('{"error":{"message":"a long upstream error message that is not a completion"}}'))
    const row = await meter.finish({ status: 500, errorClass: 'upstream_500' })
    expect(row).toMatchObject({ state: 'error', promptTokens: 0, completionTokens: 0, estimated: false, costUsd: 0, errorClass: 'upstream_500' })
  })

  it('a request refused before any upstream is still one row (provider empty)', async () => {
    const { s, begun } = sink()
    const row = await new RequestMeter({ ledger: s, now }, start).finish({ status: 404, errorClass: 'model_not_found' })
    expect(begun).toEqual([])
    expect(row).toMatchObject({ provider: '', upstreamModel: '', state: 'error', attempts: 1, ttftMs: null })
  })
})

describe('UsageService', () => {
  const tmp = tempDir('sy-usage-svc-')
  let service: UsageService | undefined
  afterEach(async () => {
    await service?.close()
    service = undefined
    tmp.cleanup()
  })

  it('meters a request into the ledger, the queries and the metrics', async () => {
    service = new UsageService({ dataDir: tmp.dir, preloadTokenizer: false })
    const meter = service.startRequest({ ...start, requestId: 'svc-1' })
    meter.attempt(openai)
    meter.responseStarted(200, 'text/event-stream')
    pump(meter, openAIStream({ flavor: 'openai', includeUsage: true, usage: { prompt_tokens: 50, completion_tokens: 6 } }))
    await meter.finish({ status: 200 })
    service.ledger.flushAll()
    expect(service.queries.today()).toMatchObject({ requests: 1, promptTokens: 50, completionTokens: 6, totalTokens: 56 })
    expect(service.queries.recent(1)[0]).toMatchObject({ requestId: 'svc-1', app: 'aider', provider: 'openai' })
    expect(await service.metrics.exposition()).toContain('switchyard_tokens_total{provider="openai",app="aider",kind="prompt"} 50')
    expect([...service.export('csv')].join('')).toContain('svc-1')
    expect(service.health().state).toBe('ok')
  })
})

describe('RequestMeter with a body the caller parsed', () => {
  it('takes usage from the parsed body, or estimates from its text when it has none', async () => {
    const { s } = sink()
    const meter = new RequestMeter({ ledger: s, now }, { ...start, stream: false })
    meter.attempt({ ...openai, injectedUsage: false })
    meter.responseStarted(200, 'application/json')
    meter.responseBody({ choices: [{ message: { content: 'hi' } }], usage: { prompt_tokens: 9, completion_tokens: 1 } })
    expect(await meter.finish({ status: 200 })).toMatchObject({ promptTokens: 9, completionTokens: 1, estimated: false })

    const bare = new RequestMeter({ ledger: s, now }, { ...start, stream: false })
    bare.attempt({ ...openai, injectedUsage: false, provider: 'lmstudio', providerKind: 'openai-compatible', upstreamModel: 'local-model' })
    bare.responseStarted(200, 'application/json')
    bare.responseBody({ choices: [{ message: { content: 'A fairly long answer with quite a few words in it.' } }] })
    const row = await bare.finish({ status: 200 })
    expect(row).toMatchObject({ estimated: true })
    expect(row!.completionTokens).toBeGreaterThan(5)
    expect(row!.promptTokens).toBeGreaterThan(5)
  })
})

describe('RequestMeter stripping scope', () => {
  it('passes an error body through untouched even when usage was injected', () => {
    const { s } = sink()
    const meter = new RequestMeter({ ledger: s, now }, start)
    meter.attempt(openai)
    meter.responseStarted(400, 'application/json')
    const body = Buffer.from('{"error":{"message":"bad request","type":"invalid_request_error"}}')
    expect(meter.clientChunk(body)).toBe(body)
    expect(meter.clientFlush()).toBeUndefined()
  })
})

describe('RequestMeter: error events inside a stream', () => {
  it.each([
    ['Anthropic `event: error`', 'anthropic', 'text/event-stream', `${anthropicStream({ input: 30, output: 50, cacheRead: 8 }, { cutAfterDeltas: 2 })}event: error\ndata: {"type":"error","error":{"type":"overloaded_error","message":"Overloaded, try later"}}\n\n`, 'upstream_overloaded_error'],
    ['vLLM `data: {"error": ...}`', 'openai', 'text/event-stream', `data: {"id":"c","object":"chat.completion.chunk","choices":[{"index":0,"delta":{"content":"Hi"},"finish_reason":null}]}\n\ndata: {"error": {"object": "error", "message": "CUDA out of memory", "type": "InternalServerError", "code": 500}}\n\n`, 'upstream_stream_error'],
    ['OpenAI `data: {"error":...}`', 'openai', 'text/event-stream', `data: {"id":"c","object":"chat.completion.chunk","choices":[{"index":0,"delta":{"content":"Hi"},"finish_reason":null}]}\n\ndata: {"error":{"message":"The server had an error","type":"server_error"}}\n\n`, 'upstream_server_error'],
  ] as const)('%s: the row is an error (a code, never the message), with estimated usage', async (_label, protocol, type, stream, errorClass) => {
    const { s } = sink()
    const meter = new RequestMeter({ ledger: s, now }, start)
    meter.attempt({ ...openai, protocol, injectedUsage: false })
    meter.responseStarted(200, type)
    pump(meter, stream)
    const row = await meter.finish({ status: 200 })
    expect(row).toMatchObject({ state: 'error', errorClass, estimated: true, status: 200 })
    expect(JSON.stringify(row)).not.toMatch(/Overloaded|CUDA|server had/)
    if (protocol === 'anthropic') expect(row).toMatchObject({ promptTokens: 38, cachedTokens: 8 })
  })

  it('a clean stream that merely mentions "error" in its text stays ok', async () => {
    const { s } = sink()
    const meter = new RequestMeter({ ledger: s, now }, start)
    meter.attempt({ ...openai, injectedUsage: false })
    meter.responseStarted(200, 'text/event-stream')
    pump(meter, openAIStream({ flavor: 'openai', includeUsage: true, usage: { prompt_tokens: 5, completion_tokens: 6 }, words: ['{"error": no', ' problem'] }))
    expect(await meter.finish({ status: 200 })).toMatchObject({ state: 'ok', errorClass: null, estimated: false })
  })
})
