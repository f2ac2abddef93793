// A `gemini` provider (Google's Generative Language API) behind the real gateway: OpenAI chat and
// Anthropic clients are translated through the gemini codec onto v1beta generateContent /
// streamGenerateContent?alt=sse, with the key only in x-goog-api-key, and the usage Google reports
// (usageMetadata: prompt, candidates, thoughts, cached) lands in the ledger exactly, priced from
// the shipped Gemini prices. A spent quota (429 RESOURCE_EXHAUSTED with a RetryInfo) cools the
// provider down for the delay Google asked for.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { startTestGateway, type TestGateway } from '../../helpers/gateway'
import { postJson, sseData } from '../../helpers/http'
import { startMockBackend } from '../../helpers/mockBackend'
import { startMockGemini, type MockGemini } from '../../helpers/mockGemini'
import { ledgerRow } from '../usage/usageHelpers'

const MODEL = 'gemini-2.5-flash'

describe('gemini provider kind: chat clients translated through the gemini codec, exact usage', () => {
  let google: MockGemini
  let gw: TestGateway

  beforeAll(async () => {
    google = await startMockGemini({ models: [MODEL, 'gemini-2.5-pro'] })
    gw = await startTestGateway(
      {
        providers: [{ id: 'google', kind: 'gemini', baseUrl: google.baseUrl, apiKey: 'env:GEMINI_API_KEY' }],
        routes: [{ model: 'smart', targets: [{ provider: 'google', model: MODEL }] }],
      },
      { secrets: { resolve: (stored) => (stored === 'env:GEMINI_API_KEY' ? google.key : undefined) } },
    )
  })
  afterAll(async () => {
    await gw?.close()
    await google?.close()
  })
  afterEach(() => {
    google.requests.length = 0
    google.behavior.quotaExhaustedRetrySec = undefined
    google.behavior.usage = { promptTokenCount: 8, candidatesTokenCount: 12, thoughtsTokenCount: 25 }
  })

  const chat = (extra: object = {}) => ({ model: 'smart', messages: [{ role: 'system', content: 'Be brief.' }, { role: 'user', content: 'Say hello.' }], ...extra })

  it('a plain chat request: generateContent with the key header only, the answer in OpenAI shape, usage exact in the ledger', async () => {
    google.behavior.usage = { promptTokenCount: 1200, candidatesTokenCount: 12, thoughtsTokenCount: 25, cachedContentTokenCount: 1000 }
    const res = await postJson(gw.url, '/v1/chat/completions', chat({ max_tokens: 100 }), { authorization: 'Bearer sk-client' })
    expect(res.status).toBe(200)
    expect(res.headers['x-switchyard-provider']).toBe('google')
    expect(res.json()).toMatchObject({
      object: 'chat.completion',
      model: 'smart',
      choices: [{ message: { role: 'assistant', content: 'Hello from Gemini' }, finish_reason: 'stop' }],
      usage: { prompt_tokens: 1200, completion_tokens: 37 },
    })

    const [up] = google.requests
    expect(up).toMatchObject({ method: 'POST', path: `/v1beta/models/${MODEL}:generateContent` })
    expect([...up!.query.keys()]).toEqual([])
    expect(up!.headers['x-goog-api-key']).toBe(google.key)
    expect(up!.headers.authorization).toBeUndefined()
    expect(up!.body).toEqual({
      contents: [{ role: 'user', parts: [{ text: 'Say hello.' }] }],
      systemInstruction: { parts: [{ text: 'Be brief.' }] },
      generationConfig: { maxOutputTokens: 100 },
    })

    const row = await ledgerRow(gw.gateway, res.headers['x-request-id'])
    expect(row).toMatchObject({ provider: 'google', routeModel: 'smart', upstreamModel: MODEL, state: 'ok', promptTokens: 1200, completionTokens: 37, cachedTokens: 1000, reasoningTokens: 25, cacheCreationTokens: 0, estimated: false })
    // Shipped Gemini 2.5 Flash prices: 200 x $0.30 + 1000 x $0.03 (cached) + 37 x $2.50, per million.
    expect(row.costUsd).toBeCloseTo((200 * 0.3 + 1000 * 0.03 + 37 * 2.5) / 1e6, 12)
  })

  it('a streamed chat request: streamGenerateContent?alt=sse, translated event by event, usage exact', async () => {
    const res = await postJson(gw.url, '/v1/chat/completions', chat({ stream: true, stream_options: { include_usage: true } }))
    expect(res.status).toBe(200)
    expect(res.headers['content-type']).toMatch(/^text\/event-stream/)
    const data = sseData(res.text)
    expect(data.at(-1)).toBe('[DONE]')
    const chunks = data.slice(0, -1).map((d) => JSON.parse(d) as { model: string; choices: Array<{ delta: { content?: string }; finish_reason?: string | null }>; usage?: { prompt_tokens: number; completion_tokens: number } })
    expect(chunks.every((c) => c.model === 'smart')).toBe(true)
    expect(chunks.map((c) => c.choices[0]?.delta.content ?? '').join('')).toBe('Hello from Gemini')
    expect(chunks.flatMap((c) => c.choices.map((x) => x.finish_reason)).filter(Boolean)).toEqual(['stop'])
    expect(chunks.at(-1)!.usage).toMatchObject({ prompt_tokens: 8, completion_tokens: 37 })

    const [up] = google.requests
    expect(up).toMatchObject({ method: 'POST', path: `/v1beta/models/${MODEL}:streamGenerateContent` })
    expect(Object.fromEntries(up!.query)).toEqual({ alt: 'sse' })
    const row = await ledgerRow(gw.gateway, res.headers['x-request-id'])
    expect(row).toMatchObject({ state: 'ok', stream: true, promptTokens: 8, completionTokens: 37, reasoningTokens: 25, cachedTokens: 0, estimated: false, errorClass: null })
    expect(row.costUsd).toBeCloseTo((8 * 0.3 + 37 * 2.5) / 1e6, 12)
  })

  it('an Anthropic Messages client reaches Gemini translated too, with exact usage', async () => {
    google.behavior.usage = { promptTokenCount: 31, candidatesTokenCount: 7 }
    const res = await postJson(gw.url, '/v1/messages', { model: 'smart', max_tokens: 64, stream: true, messages: [{ role: 'user', content: 'Say hello.' }] }, { 'anthropic-version': '2023-06-01' })
    expect(res.status).toBe(200)
    expect(res.text).toContain('event: message_stop')
    expect(google.requests[0]!.path).toBe(`/v1beta/models/${MODEL}:streamGenerateContent`)
    expect(await ledgerRow(gw.gateway, res.headers['x-request-id'])).toMatchObject({ state: 'ok', promptTokens: 31, completionTokens: 7, reasoningTokens: 0, estimated: false })
  })

  it('discovers the models Google lists (paged), with the key header', async () => {
    const result = await gw.gateway.api.testProvider({ id: 'google' })
    expect(result).toMatchObject({ ok: true, models: [MODEL, 'gemini-2.5-pro'] })
    expect(google.requests.map((r) => `${r.method} ${r.path}`)).toEqual(['GET /v1beta/models', 'GET /v1beta/models'])
    expect(google.requests.every((r) => r.headers['x-goog-api-key'] === google.key && !r.query.has('key'))).toBe(true)
  })

  it('a spent quota (429 RESOURCE_EXHAUSTED) cools the provider down for the RetryInfo delay', async () => {
    google.behavior.quotaExhaustedRetrySec = 24
    // Alone on its route, the client gets Google's 429 and a Retry-After from the cooldown.
    const res = await postJson(gw.url, '/v1/chat/completions', chat())
    expect(res.status).toBe(429)
    expect(res.json()).toMatchObject({ error: { message: expect.stringContaining('exceeded your current quota') } })
    const retryAfter = Number(res.headers['retry-after'])
    expect(retryAfter).toBeGreaterThan(20)
    expect(retryAfter).toBeLessThanOrEqual(24)
    const [health] = gw.gateway.router.health.snapshot(['google'], Date.now())
    expect(health!.state).toBe('closed') // out of quota is busy, not dead
    expect(health!.cooldownUntil! - Date.now()).toBeGreaterThan(20_000)

    // With a failover target, the request moves on, and later ones skip Google while it cools down.
    const backup = await startMockBackend({ flavor: 'openai', name: 'backup', models: ['gpt-4o-mini'] })
    const two = await startTestGateway(
      {
        providers: [
          { id: 'google', kind: 'gemini', baseUrl: google.baseUrl, apiKey: google.key },
          { id: 'backup', kind: 'openai-compatible', baseUrl: backup.baseUrl },
        ],
        routes: [{ model: 'smart', strategy: 'failover', targets: [{ provider: 'google', model: MODEL }, { provider: 'backup', model: 'gpt-4o-mini' }] }],
      },
    )
    try {
      google.requests.length = 0
      for (let i = 0; i < 3; i++) {
        const r = await postJson(two.url, '/v1/chat/completions', chat({ stream: i === 1 }))
        expect(r.status).toBe(200)
        expect(r.headers['x-switchyard-provider']).toBe('backup')
      }
      expect(google.requests).toHaveLength(1)
      const [cooling] = two.gateway.router.health.snapshot(['google'], Date.now())
      expect(cooling!.cooldownUntil! - Date.now()).toBeGreaterThan(20_000)
    } finally {
      await two.close()
      await backup.close()
    }
  })
})
