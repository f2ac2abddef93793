// Issue 11, defect 1: a model name is copied into the x-switchyard-model response header. Names
// outside Latin-1 or with control characters once made writeHead throw — inside a keep-alive
// timer (the process died) or inside undici's handler (the request hung and held its lease).
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startMockBackend, type MockBackend } from '../../helpers/mockBackend'
import { startTestGateway, type TestGateway } from '../../helpers/gateway'
import { postJson } from '../../helpers/http'

const UNICODE = ['llama🦙', 'モデル']

describe('model names HTTP headers cannot carry', () => {
  let backend: MockBackend
  let gw: TestGateway

  beforeAll(async () => {
    // A server that serves whatever name it is given (llama.cpp and LM Studio ignore it).
    backend = await startMockBackend({ flavor: 'openai', models: [...UNICODE, 'plain'] })
    gw = await startTestGateway(
      {
        providers: [{ id: 'lcpp', kind: 'openai-compatible', baseUrl: backend.baseUrl, limits: { maxConcurrent: 1 } }],
        routes: [{ model: '*', targets: [{ provider: 'lcpp' }] }],
      },
      { keepAlive: { graceMs: 30, everyMs: 1000 } },
    )
  })
  afterAll(async () => {
    await gw.close()
    await backend.close()
  })

  it.each(UNICODE)('streams an answer for %s after the keep-alive grace, with the name percent-encoded in the header', async (model) => {
    backend.behavior.headerDelayMs = 200 // longer than the keep-alive grace: the SSE head is written by the timer
    try {
      const res = await postJson(gw.url, '/v1/chat/completions', { model, stream: true, messages: [{ role: 'user', content: 'hi' }] })
      expect(res.status).toBe(200)
      expect(res.headers['x-switchyard-model']).toBe(encodeURIComponent(model))
      expect(decodeURIComponent(String(res.headers['x-switchyard-model']))).toBe(model)
      expect(res.text).toContain('data: [DONE]')
    } finally {
      backend.behavior.headerDelayMs = 0
    }
  })

  it.each(UNICODE)('answers %s non-streamed, and the maxConcurrent=1 provider still serves the next request', async (model) => {
    const res = await postJson(gw.url, '/v1/chat/completions', { model, messages: [{ role: 'user', content: 'hi' }] })
    expect(res.status).toBe(200)
    expect(res.json<{ model: string }>().model).toBe(model)
    const next = await postJson(gw.url, '/v1/chat/completions', { model: 'plain', messages: [{ role: 'user', content: 'hi' }] })
    expect(next.status).toBe(200)
  })

  it('answers an Anthropic client asking for such a model', async () => {
    const res = await postJson(gw.url, '/v1/messages', { model: 'モデル', max_tokens: 16, messages: [{ role: 'user', content: 'hi' }] })
    expect(res.status).toBe(200)
    expect(res.headers['x-switchyard-model']).toBe(encodeURIComponent('モデル'))
  })

  it.each([
    ['CR/LF', 'llama\r\nx-injected: 1'],
    ['NUL', 'llama\u0000'],
    ['a 100k-character name', 'm'.repeat(100_000)],
  ])('refuses a model name with %s with 400 in the caller\'s protocol', async (_what, model) => {
    const before = backend.requests.length
    const openai = await postJson(gw.url, '/v1/chat/completions', { model, messages: [{ role: 'user', content: 'hi' }] })
    expect(openai.status).toBe(400)
    expect(openai.json<{ error: { code: string; param: string } }>().error).toMatchObject({ code: 'invalid_request', param: 'model' })
    expect(openai.headers['x-injected']).toBeUndefined()
    const anthropic = await postJson(gw.url, '/v1/messages', { model, max_tokens: 8, messages: [{ role: 'user', content: 'hi' }] })
    expect(anthropic.status).toBe(400)
    expect(anthropic.json<{ type: string; error: { type: string } }>()).toMatchObject({ type: 'error', error: { type: 'invalid_request_error' } })
    expect(JSON.stringify(anthropic.headers).length).toBeLessThan(4000)
    expect(backend.requests.length).toBe(before)
  })
})
