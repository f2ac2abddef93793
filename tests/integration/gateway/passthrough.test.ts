import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { startMockBackend, type MockBackend } from '../../helpers/mockBackend'
import { envSecrets, startTestGateway, type TestGateway } from '../../helpers/gateway'
import { postJson, request, sseData } from '../../helpers/http'

describe('OpenAI-compatible passthrough', () => {
  let vllm: MockBackend
  let ollama: MockBackend
  let openai: MockBackend
  let gw: TestGateway

  beforeAll(async () => {
    vllm = await startMockBackend({ flavor: 'vllm', name: 'vllm-a', models: ['qwen2.5-7b'] })
    ollama = await startMockBackend({ flavor: 'ollama', name: 'ollama', models: ['llama3.2:latest', 'qwen2.5:7b'] })
    openai = await startMockBackend({ flavor: 'openai', name: 'openai', models: ['gpt-4o-mini'] })
    gw = await startTestGateway(
      {
        providers: [
          { id: 'vllm-a', kind: 'vllm', baseUrl: vllm.baseUrl, models: ['qwen2.5-7b'], apiKey: 'vllm-secret-key' },
          { id: 'ollama', kind: 'ollama', baseUrl: ollama.baseUrl, models: ['llama3.2:latest'], modelMap: { 'llama3.2': 'llama3.2:latest' } },
          { id: 'openai', kind: 'openai-compatible', baseUrl: openai.baseUrl, models: ['gpt-4o-mini'], apiKey: 'env:OPENAI_KEY', headers: { 'OpenAI-Organization': 'org-mock' } },
        ],
        routes: [{ model: 'local', targets: [{ provider: 'ollama', model: 'qwen2.5:7b' }] }],
      },
      { secrets: envSecrets({ OPENAI_KEY: 'sk-from-env' }) },
    )
  })
  afterAll(async () => {
    await gw.close()
    await Promise.all([vllm.close(), ollama.close(), openai.close()])
  })
  afterEach(() => {
    for (const m of [vllm, ollama, openai]) {
      m.requests.length = 0
      m.behavior.chunkDelayMs = 0
    }
  })

  const chat = (model: string, extra: object = {}) => ({ model, messages: [{ role: 'user', content: 'hi' }], ...extra })

  it.each([
    ['vllm', 'qwen2.5-7b', () => vllm],
    ['ollama', 'llama3.2:latest', () => ollama],
    ['openai', 'gpt-4o-mini', () => openai],
  ])('forwards a non-streamed %s answer byte for byte', async (_name, model, backend) => {
    const direct = await postJson(backend().url, '/v1/chat/completions', chat(model))
    const viaGateway = await postJson(gw.url, '/v1/chat/completions', chat(model))
    expect(viaGateway.status).toBe(200)
    expect(viaGateway.body.equals(direct.body)).toBe(true)
    expect(viaGateway.headers['content-type']).toBe('application/json')
    expect(viaGateway.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/)
    expect(viaGateway.headers['x-switchyard-provider']).toBe(backend().name)
    expect(viaGateway.headers['x-switchyard-model']).toBe(model)
  })

  it.each([
    ['vllm', 'qwen2.5-7b', () => vllm],
    ['ollama', 'llama3.2:latest', () => ollama],
  ])('streams a %s answer byte for byte with SSE headers', async (_name, model, backend) => {
    const body = chat(model, { stream: true, stream_options: { include_usage: true } })
    const direct = await postJson(backend().url, '/v1/chat/completions', body)
    const viaGateway = await postJson(gw.url, '/v1/chat/completions', body)
    expect(viaGateway.status).toBe(200)
    expect(viaGateway.text).toBe(direct.text)
    expect(sseData(viaGateway.text).at(-1)).toBe('[DONE]')
    expect(viaGateway.headers['content-type']).toMatch(/^text\/event-stream/)
    expect(viaGateway.headers['cache-control']).toBe('no-cache')
    expect(viaGateway.headers['x-accel-buffering']).toBe('no')
    expect(viaGateway.headers['content-encoding']).toBeUndefined()
  })

  it('preserves chunk timing: chunks sent 100 ms apart arrive 100 ms apart', async () => {
    vllm.behavior.chunkDelayMs = 100
    const res = await postJson(gw.url, '/v1/chat/completions', chat('qwen2.5-7b', { stream: true }))
    expect(res.status).toBe(200)
    // role chunk + 4 words + finish + [DONE] = 7 events, written 100 ms apart
    expect(res.chunks.length).toBeGreaterThanOrEqual(6)
    const gaps = res.chunkTimes.slice(1).map((t, i) => t - res.chunkTimes[i]!)
    for (const gap of gaps.slice(0, 5)) {
      expect(gap).toBeGreaterThan(70)
      expect(gap).toBeLessThan(160)
    }
  })

  it('forwards /v1/completions and /v1/embeddings, and accepts paths without /v1', async () => {
    const completion = await postJson(gw.url, '/v1/completions', { model: 'qwen2.5-7b', prompt: 'Say hi' })
    expect(completion.status).toBe(200)
    expect(completion.json().object).toBe('text_completion')
    const embedding = await postJson(gw.url, '/embeddings', { model: 'gpt-4o-mini', input: 'hello' })
    expect(embedding.status).toBe(200)
    expect(embedding.json().object).toBe('list')
    expect(openai.requests.at(-1)!.path).toBe('/v1/embeddings')
  })

  it('sends the provider key, never the client credentials, and strips hop-by-hop headers', async () => {
    await postJson(gw.url, '/v1/chat/completions', chat('gpt-4o-mini'), {
      authorization: 'Bearer client-secret',
      'x-api-key': 'client-anthropic-key',
      cookie: 'session=abc',
      'proxy-authorization': 'Basic xyz',
      'x-forwarded-for': '10.0.0.1',
      'user-agent': 'my-tool/1.2',
      te: 'trailers',
    })
    const seen = openai.requests.at(-1)!.headers
    expect(seen.authorization).toBe('Bearer sk-from-env')
    expect(seen['x-api-key']).toBeUndefined()
    expect(seen.cookie).toBeUndefined()
    expect(seen['proxy-authorization']).toBeUndefined()
    expect(seen['x-forwarded-for']).toBeUndefined()
    expect(seen.te).toBeUndefined()
    expect(seen['user-agent']).toBe('my-tool/1.2')
    expect(seen['openai-organization']).toBe('org-mock')
    expect(seen['accept-encoding']).toBe('identity')

    await postJson(gw.url, '/v1/chat/completions', chat('llama3.2:latest'), { authorization: 'Bearer client-secret' })
    expect(ollama.requests.at(-1)!.headers.authorization).toBeUndefined()
  })

  it('rewrites a mapped model upstream and reports the requested name in a non-streamed answer', async () => {
    const res = await postJson(gw.url, '/v1/chat/completions', chat('local'))
    expect(res.status).toBe(200)
    expect(ollama.requests.at(-1)!.body!.model).toBe('qwen2.5:7b')
    expect(res.json().model).toBe('local')
    expect(res.headers['x-switchyard-model']).toBe('qwen2.5:7b')
    expect(Number(res.headers['content-length'])).toBe(res.body.length)

    const alias = await postJson(gw.url, '/v1/chat/completions', chat('llama3.2'))
    expect(ollama.requests.at(-1)!.body!.model).toBe('llama3.2:latest')
    expect(alias.json().model).toBe('llama3.2')
  })

  it('leaves the body untouched when no model mapping applies', async () => {
    const raw = '{"model":"qwen2.5-7b",  "messages":[{"role":"user","content":"hi"}], "x_custom":{"__proto__":{"polluted":1}}}'
    const res = await request(gw.url, { path: '/v1/chat/completions', body: raw, headers: { 'content-type': 'application/json' } })
    expect(res.status).toBe(200)
    expect(vllm.requests.at(-1)!.rawBody).toBe(raw)
  })

  it('lists models from every enabled provider plus route names', async () => {
    const res = await request(gw.url, { path: '/v1/models' })
    expect(res.status).toBe(200)
    const ids = res.json<{ data: Array<{ id: string; object: string }> }>().data.map((m) => m.id)
    expect(ids).toEqual(expect.arrayContaining(['qwen2.5-7b', 'llama3.2:latest', 'llama3.2', 'gpt-4o-mini', 'local']))
    expect(res.json<{ object: string }>().object).toBe('list')
  })
})
