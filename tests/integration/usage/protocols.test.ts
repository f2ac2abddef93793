// Exact usage through the real gateway, for every protocol and mode: mock backends report known
// usage and the ledger row must equal it to the token (prompt, completion, cached prompt, cache
// writes, reasoning) — including the stream for which the gateway itself asked for the usage chunk,
// whose client bytes must be exactly those of a client that never got the extra chunk.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { startMockBackend, type MockBackend, type MockUsage } from '../../helpers/mockBackend'
import { startMockAnthropic, streamEvents, type MockAnthropic, type MockUsage as AnthropicUsage } from '../../helpers/mockAnthropic'
import { startTestGateway, type TestGateway } from '../../helpers/gateway'
import { postJson, sseData } from '../../helpers/http'
import { ledgerRow } from './usageHelpers'

describe('usage ledger: exact usage per protocol and mode', () => {
  let vllm: MockBackend
  let ollama: MockBackend
  let openai: MockBackend
  let claude: MockAnthropic
  let gw: TestGateway

  beforeAll(async () => {
    vllm = await startMockBackend({ flavor: 'vllm', name: 'vllm-a', models: ['qwen2.5-7b'] })
    ollama = await startMockBackend({ flavor: 'ollama', name: 'ollama', models: ['llama3.2:latest'] })
    openai = await startMockBackend({ flavor: 'openai', name: 'openai', models: ['gpt-4o-mini'] })
    claude = await startMockAnthropic({ models: ['claude-sonnet-4-5'] })
    gw = await startTestGateway({
      providers: [
        { id: 'vllm-a', kind: 'vllm', baseUrl: vllm.baseUrl, models: ['qwen2.5-7b'] },
        { id: 'ollama', kind: 'ollama', baseUrl: ollama.baseUrl, models: ['llama3.2:latest'] },
        { id: 'openai', kind: 'openai-compatible', baseUrl: openai.baseUrl, models: ['gpt-4o-mini'], apiKey: 'sk-test' },
        { id: 'claude', kind: 'anthropic', baseUrl: claude.baseUrl, models: ['claude-sonnet-4-5'], apiKey: 'sk-ant-test' },
      ],
      routes: [{ model: 'fast', targets: [{ provider: 'vllm-a', model: 'qwen2.5-7b' }] }],
    })
  })
  afterAll(async () => {
    await gw?.close()
    await Promise.all([vllm?.close(), ollama?.close(), openai?.close(), claude?.close()])
  })
  afterEach(() => {
    for (const m of [vllm, ollama, openai]) m.requests.length = 0
    claude.reset()
  })

  /** The Anthropic mock answers with this usage (and a thinking block before the text). */
  const claudeAnswers = (usage: AnthropicUsage): void => {
    claude.behavior.reply = { content: [{ type: 'thinking', thinking: 'Let me think.', signature: 'sig-1' }, { type: 'text', text: 'Hello from Claude' }], usage }
  }
  /**
   * Today's API repeats every count in `message_delta` (cumulative totals); the mock sends
   * output_tokens only, so this rewrites its final usage event to the full form.
   */
  const cumulativeDeltaUsage = (usage: Required<AnthropicUsage>): void => {
    claude.behavior.custom = (_req, res, body) => {
      const events = streamEvents(String(body?.model), { content: [{ type: 'text', text: 'Hello from Claude' }], usage }).map((e) =>
        e.startsWith('event: message_delta') ? `event: message_delta\ndata: ${JSON.stringify({ type: 'message_delta', delta: { stop_reason: 'end_turn', stop_sequence: null }, usage })}\n\n` : e,
      )
      res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8' })
      res.end(events.join(''))
    }
  }
  const anthropicHeaders = { 'anthropic-version': '2023-06-01' }

  const chat = (model: string, extra: object = {}) => ({ model, messages: [{ role: 'user', content: 'Say hello.' }], ...extra })
  const messages = (model: string, extra: object = {}) => ({ model, max_tokens: 256, messages: [{ role: 'user', content: 'Say hello.' }], ...extra })

  // Known usage per backend: distinct numbers, so a row fed from the wrong source cannot match.
  const openAIUsages: Record<string, MockUsage> = {
    vllm: { prompt_tokens: 311, completion_tokens: 29, prompt_tokens_details: { cached_tokens: 256 } },
    ollama: { prompt_tokens: 47, completion_tokens: 13 },
    openai: { prompt_tokens: 2048, completion_tokens: 301, prompt_tokens_details: { cached_tokens: 1024 }, completion_tokens_details: { reasoning_tokens: 192 } },
  }
  const expected = (u: MockUsage) => ({
    promptTokens: u.prompt_tokens,
    completionTokens: u.completion_tokens,
    cachedTokens: u.prompt_tokens_details?.cached_tokens ?? 0,
    cacheCreationTokens: 0,
    reasoningTokens: u.completion_tokens_details?.reasoning_tokens ?? 0,
    estimated: false,
  })
  const backends = (): Array<[string, MockBackend, string]> => [
    ['vllm', vllm, 'qwen2.5-7b'],
    ['ollama', ollama, 'llama3.2:latest'],
    ['openai', openai, 'gpt-4o-mini'],
  ]

  describe.each(['vllm', 'ollama', 'openai'])('%s /v1/chat/completions', (name) => {
    const pick = () => backends().find(([n]) => n === name)!

    it('non-streamed: the row equals the reported usage', async () => {
      const [, mock, model] = pick()
      mock.usage = openAIUsages[name]!
      const res = await postJson(gw.url, '/v1/chat/completions', chat(model))
      expect(res.status).toBe(200)
      const row = await ledgerRow(gw.gateway, res.headers['x-request-id'])
      expect(row).toMatchObject({ ...expected(mock.usage), state: 'ok', status: 200, provider: mock.name, stream: false, attempts: 1, errorClass: null })
    })

    it('streamed without include_usage: usage is injected upstream, stripped for the client (byte-identical), exact in the ledger', async () => {
      const [, mock, model] = pick()
      mock.usage = openAIUsages[name]!
      const direct = await postJson(mock.url, '/v1/chat/completions', chat(model, { stream: true }))
      const res = await postJson(gw.url, '/v1/chat/completions', chat(model, { stream: true }))
      expect(res.status).toBe(200)
      // The gateway asked for the usage chunk...
      expect((mock.requests.at(-1)!.body as { stream_options?: unknown }).stream_options).toEqual({ include_usage: true })
      // ...and the client sees exactly what it would have seen without it.
      expect(res.text).toBe(direct.text)
      expect(res.text).not.toContain('"usage"')
      const row = await ledgerRow(gw.gateway, res.headers['x-request-id'])
      expect(row).toMatchObject({ ...expected(mock.usage), state: 'ok', stream: true })
    })

    it('streamed with include_usage: the client gets its usage chunk untouched, the ledger the same numbers', async () => {
      const [, mock, model] = pick()
      mock.usage = openAIUsages[name]!
      const body = chat(model, { stream: true, stream_options: { include_usage: true } })
      const direct = await postJson(mock.url, '/v1/chat/completions', body)
      const res = await postJson(gw.url, '/v1/chat/completions', body)
      expect(res.text).toBe(direct.text)
      const usageChunk = sseData(res.text).map((d) => (d === '[DONE]' ? undefined : (JSON.parse(d) as { usage?: unknown }))).find((d) => d?.usage)
      expect(usageChunk?.usage).toMatchObject({ prompt_tokens: mock.usage.prompt_tokens, completion_tokens: mock.usage.completion_tokens })
      const row = await ledgerRow(gw.gateway, res.headers['x-request-id'])
      expect(row).toMatchObject({ ...expected(mock.usage), state: 'ok', stream: true })
    })
  })

  it('a route alias (answer re-labelled with the client\'s model name): exact usage, the rest of the answer as sent', async () => {
    vllm.usage = openAIUsages.vllm!
    const direct = await postJson(vllm.url, '/v1/chat/completions', chat('qwen2.5-7b'))
    const res = await postJson(gw.url, '/v1/chat/completions', chat('fast'))
    expect(res.status).toBe(200)
    expect(vllm.requests.at(-1)!.body!.model).toBe('qwen2.5-7b')
    const strip = (b: Record<string, unknown>) => ({ ...b, id: undefined, created: undefined, model: undefined })
    expect(res.json<Record<string, unknown>>().model).toBe('fast')
    expect(strip(res.json())).toEqual(strip(direct.json()))
    const row = await ledgerRow(gw.gateway, res.headers['x-request-id'])
    expect(row).toMatchObject({ ...expected(vllm.usage), state: 'ok', routeModel: 'fast', upstreamModel: 'qwen2.5-7b', provider: 'vllm-a' })
  })

  it('vLLM legacy /v1/completions streamed without include_usage: injected, stripped byte for byte, exact', async () => {
    vllm.usage = { prompt_tokens: 17, completion_tokens: 5 }
    const body = { model: 'qwen2.5-7b', prompt: 'Once upon a time', stream: true }
    const direct = await postJson(vllm.url, '/v1/completions', body)
    const res = await postJson(gw.url, '/v1/completions', body)
    expect(res.text).toBe(direct.text)
    const row = await ledgerRow(gw.gateway, res.headers['x-request-id'])
    expect(row).toMatchObject({ promptTokens: 17, completionTokens: 5, estimated: false, endpoint: '/completions' })
  })

  it('vLLM /v1/embeddings: prompt tokens only', async () => {
    vllm.usage = { prompt_tokens: 42, completion_tokens: 0 }
    const res = await postJson(gw.url, '/v1/embeddings', { model: 'qwen2.5-7b', input: 'embed me' })
    expect(res.status).toBe(200)
    const row = await ledgerRow(gw.gateway, res.headers['x-request-id'])
    expect(row).toMatchObject({ promptTokens: 42, completionTokens: 0, estimated: false, endpoint: '/embeddings', state: 'ok' })
  })

  describe('Anthropic passthrough (/v1/messages -> Anthropic upstream)', () => {
    it('non-streamed: input + cache read + cache write = prompt; each kept separately', async () => {
      claudeAnswers({ input_tokens: 12, output_tokens: 88, cache_read_input_tokens: 4096, cache_creation_input_tokens: 310 })
      const res = await postJson(gw.url, '/v1/messages', messages('claude-sonnet-4-5'), anthropicHeaders)
      expect(res.status).toBe(200)
      const row = await ledgerRow(gw.gateway, res.headers['x-request-id'])
      expect(row).toMatchObject({ promptTokens: 12 + 4096 + 310, completionTokens: 88, cachedTokens: 4096, cacheCreationTokens: 310, reasoningTokens: 0, estimated: false, state: 'ok', provider: 'claude' })
    })

    it('streamed, message_delta with output_tokens only: input and cache counts from message_start', async () => {
      const usage = { input_tokens: 9, output_tokens: 140, cache_read_input_tokens: 2000, cache_creation_input_tokens: 55 }
      claudeAnswers(usage)
      const res = await postJson(gw.url, '/v1/messages', messages('claude-sonnet-4-5', { stream: true }), anthropicHeaders)
      expect(res.status).toBe(200)
      expect(res.text).toBe(claude.last().sent) // passthrough: the bytes are the upstream's
      const row = await ledgerRow(gw.gateway, res.headers['x-request-id'])
      expect(row).toMatchObject({ promptTokens: 9 + 2000 + 55, completionTokens: 140, cachedTokens: 2000, cacheCreationTokens: 55, estimated: false, state: 'ok', stream: true })
    })

    it('streamed, message_delta repeating every count: cumulative totals replace, never add', async () => {
      cumulativeDeltaUsage({ input_tokens: 9, output_tokens: 140, cache_read_input_tokens: 2000, cache_creation_input_tokens: 55 })
      const res = await postJson(gw.url, '/v1/messages', messages('claude-sonnet-4-5', { stream: true }), anthropicHeaders)
      expect(res.status).toBe(200)
      const row = await ledgerRow(gw.gateway, res.headers['x-request-id'])
      expect(row).toMatchObject({ promptTokens: 9 + 2000 + 55, completionTokens: 140, cachedTokens: 2000, cacheCreationTokens: 55, estimated: false, state: 'ok' })
    })
  })

  describe('translated', () => {
    it('Anthropic client -> OpenAI upstream, non-streamed: the upstream\'s usage, cached and reasoning included', async () => {
      openai.usage = openAIUsages.openai!
      const res = await postJson(gw.url, '/v1/messages', messages('gpt-4o-mini'))
      expect(res.status).toBe(200)
      expect(res.json<{ type: string }>().type).toBe('message')
      const row = await ledgerRow(gw.gateway, res.headers['x-request-id'])
      expect(row).toMatchObject({ ...expected(openai.usage), provider: 'openai', endpoint: '/v1/messages', state: 'ok' })
    })

    it('Anthropic client -> OpenAI upstream, streamed: usage from the include_usage chunk the translation asks for', async () => {
      openai.usage = openAIUsages.openai!
      const res = await postJson(gw.url, '/v1/messages', messages('gpt-4o-mini', { stream: true }))
      expect(res.status).toBe(200)
      expect(res.text).toContain('event: message_stop')
      expect((openai.requests.at(-1)!.body as { stream_options?: unknown }).stream_options).toEqual({ include_usage: true })
      const row = await ledgerRow(gw.gateway, res.headers['x-request-id'])
      expect(row).toMatchObject({ ...expected(openai.usage), provider: 'openai', stream: true, state: 'ok' })
    })

    it('OpenAI client -> Anthropic upstream, non-streamed', async () => {
      claudeAnswers({ input_tokens: 30, output_tokens: 12, cache_read_input_tokens: 700, cache_creation_input_tokens: 0 })
      const res = await postJson(gw.url, '/v1/chat/completions', chat('claude-sonnet-4-5'))
      expect(res.status).toBe(200)
      expect(res.json<{ object: string }>().object).toBe('chat.completion')
      const row = await ledgerRow(gw.gateway, res.headers['x-request-id'])
      expect(row).toMatchObject({ promptTokens: 730, completionTokens: 12, cachedTokens: 700, cacheCreationTokens: 0, estimated: false, provider: 'claude', state: 'ok' })
    })

    it('OpenAI client -> Anthropic upstream, streamed (client did not ask for usage: none in its stream)', async () => {
      claudeAnswers({ input_tokens: 30, output_tokens: 64, cache_read_input_tokens: 0, cache_creation_input_tokens: 1200 })
      const res = await postJson(gw.url, '/v1/chat/completions', chat('claude-sonnet-4-5', { stream: true }))
      expect(res.status).toBe(200)
      expect(sseData(res.text).at(-1)).toBe('[DONE]')
      expect(res.text).not.toContain('"usage":{')
      const row = await ledgerRow(gw.gateway, res.headers['x-request-id'])
      expect(row).toMatchObject({ promptTokens: 1230, completionTokens: 64, cachedTokens: 0, cacheCreationTokens: 1200, estimated: false, stream: true, state: 'ok' })
    })
  })

  it('the usage queries add up the same exact numbers (rollups = rows)', async () => {
    const { rows } = await gw.gateway.api.getUsage({ groupBy: 'provider' })
    const recent = (await gw.gateway.api.listRequests({ limit: 1000 })).items.filter((r) => r.state !== 'in_flight')
    for (const provider of ['vllm-a', 'ollama', 'openai', 'claude']) {
      const mine = recent.filter((r) => r.provider === provider)
      const agg = rows.find((r) => r.provider === provider)
      expect(agg, provider).toMatchObject({
        requests: mine.length,
        promptTokens: mine.reduce((s, r) => s + r.promptTokens, 0),
        completionTokens: mine.reduce((s, r) => s + r.completionTokens, 0),
      })
    }
  })
})
