// Smaller contracts: model retrieval, request ids for Anthropic clients, unsigned thinking kept
// away from Anthropic, and max_tokens fitted to a vLLM model's context for translated requests.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startMockAnthropic, type MockAnthropic } from '../../helpers/mockAnthropic'
import { startMockBackend, type MockBackend } from '../../helpers/mockBackend'
import { startTestGateway, type TestGateway } from '../../helpers/gateway'
import { postJson, request } from '../../helpers/http'

describe('gateway extras', () => {
  let vllm: MockBackend
  let claude: MockAnthropic
  let gw: TestGateway

  beforeAll(async () => {
    vllm = await startMockBackend({ flavor: 'vllm', name: 'vllm', models: ['qwen2.5-7b'] })
    claude = await startMockAnthropic({ models: ['claude-sonnet-4-5'] })
    gw = await startTestGateway(
      {
        providers: [
          { id: 'vllm', kind: 'vllm', baseUrl: vllm.baseUrl, models: ['qwen2.5-7b'] },
          { id: 'claude', kind: 'anthropic', baseUrl: claude.url, apiKey: 'sk-ant-test', models: ['claude-sonnet-4-5'] },
        ],
        routes: [{ model: 'local-claude', targets: [{ provider: 'vllm', model: 'qwen2.5-7b' }] }],
      },
      // Discovery on: the gateway learns vLLM's max_model_len (32768 in the mock).
      { sideChannels: true },
    )
    await gw.gateway.router.catalog?.refresh()
  })
  afterAll(async () => {
    await gw.close()
    await Promise.all([vllm.close(), claude.close()])
  })

  it('retrieves one model in OpenAI and Anthropic shape, 404 for an unknown one', async () => {
    const openai = await request(gw.url, { path: '/v1/models/qwen2.5-7b' })
    expect(openai.status).toBe(200)
    expect(openai.json()).toMatchObject({ id: 'qwen2.5-7b', object: 'model', owned_by: 'vllm' })
    const anthropic = await request(gw.url, { path: '/v1/models/claude-sonnet-4-5', headers: { 'anthropic-version': '2023-06-01' } })
    expect(anthropic.json()).toMatchObject({ type: 'model', id: 'claude-sonnet-4-5' })
    const missing = await request(gw.url, { path: '/v1/models/nope', headers: { 'anthropic-version': '2023-06-01' } })
    expect(missing.status).toBe(404)
    expect(missing.json()).toMatchObject({ type: 'error', error: { type: 'not_found_error' } })
  })

  it('gives Anthropic clients a request-id on translated answers', async () => {
    const res = await postJson(gw.url, '/v1/messages', { model: 'local-claude', max_tokens: 100, messages: [{ role: 'user', content: 'hi' }] })
    expect(res.status).toBe(200)
    expect(res.headers['request-id']).toBe(res.headers['x-request-id'])
  })

  it('caps max_tokens of a translated request to what fits the model context', async () => {
    await postJson(gw.url, '/v1/messages', { model: 'local-claude', max_tokens: 64000, messages: [{ role: 'user', content: 'hi' }] })
    const sent = vllm.requests.at(-1)!.body!
    expect(sent.max_tokens).toBeLessThan(32768)
    expect(sent.max_tokens).toBeGreaterThan(32000)
  })

  it('drops unsigned thinking blocks before they reach Anthropic, keeps signed ones', async () => {
    const body = {
      model: 'claude-sonnet-4-5',
      max_tokens: 100,
      messages: [
        { role: 'user', content: 'hi' },
        { role: 'assistant', content: [{ type: 'thinking', thinking: 'local thoughts', signature: '' }, { type: 'thinking', thinking: 'real', signature: 'sig-abc' }, { type: 'text', text: 'hello' }] },
        { role: 'user', content: 'again' },
      ],
    }
    const res = await postJson(gw.url, '/v1/messages', body, { 'anthropic-version': '2023-06-01' })
    expect(res.status).toBe(200)
    const sent = claude.requests.at(-1)!.body as { messages: Array<{ content: Array<{ type: string; signature?: string }> | string }> }
    const blocks = sent.messages[1]!.content as Array<{ type: string; signature?: string }>
    expect(blocks.map((b) => b.type)).toEqual(['thinking', 'text'])
    expect(blocks[0]!.signature).toBe('sig-abc')
  })
})

describe('request log path', () => {
  it('records every attempt of a failed-over request', async () => {
    const bad = await startMockBackend({ flavor: 'vllm', name: 'bad', models: ['m'] })
    const good = await startMockBackend({ flavor: 'vllm', name: 'good', models: ['m'] })
    bad.behavior.errorStatus = 500
    const gw = await startTestGateway({
      providers: [
        { id: 'bad', kind: 'vllm', baseUrl: bad.baseUrl },
        { id: 'good', kind: 'vllm', baseUrl: good.baseUrl },
      ],
      routes: [{ model: 'm', strategy: 'failover', targets: [{ provider: 'bad' }, { provider: 'good' }] }],
    })
    try {
      const res = await postJson(gw.url, '/v1/chat/completions', { model: 'm', messages: [] })
      expect(res.status).toBe(200)
      gw.gateway.usage.ledger.flushAll()
      const [entry] = (await gw.gateway.api.listRequests({ limit: 1 })).items
      expect(entry!.attempts).toBe(2)
      expect(entry!.path!.map((s) => [s.provider, s.outcome, s.status])).toEqual([
        ['bad', 'http_error', 500],
        ['good', 'success', 200],
      ])
      const csv = await gw.gateway.api.exportUsage({ format: 'csv' })
      expect(csv.body).toContain('bad:http_error > good:success')
    } finally {
      await gw.close()
      await Promise.all([bad.close(), good.close()])
    }
  })
})

describe('ingress rejections in the request log', () => {
  it('records a 415 and a 401 with their codes and no tokens', async () => {
    const gw = await startTestGateway({ providers: [] })
    try {
      await request(gw.url, { path: '/v1/chat/completions', body: 'x', headers: { 'content-type': 'text/plain', 'x-switchyard-app': 'my-script' } })
      await postJson(gw.url, '/v1/messages', { model: 'x', messages: [] }, { 'x-api-key': 'sy-AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA' })
      gw.gateway.usage.ledger.flushAll()
      const items = (await gw.gateway.api.listRequests({ limit: 10 })).items
      expect(items.map((i) => [i.status, i.errorClass, i.endpoint]).sort()).toEqual([
        [401, 'unauthorized', '/v1/messages'],
        [415, 'unsupported_media_type', '/chat/completions'],
      ])
      expect(items.find((i) => i.status === 415)!.app).toBe('my-script')
      expect(items.every((i) => i.promptTokens === 0 && i.completionTokens === 0)).toBe(true)
    } finally {
      await gw.close()
    }
  })
})
