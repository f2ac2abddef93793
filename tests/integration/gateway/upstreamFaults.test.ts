import net from 'node:net'
import type { AddressInfo } from 'node:net'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { startMockBackend, type MockBackend } from '../../helpers/mockBackend'
import { startTestGateway, type TestGateway } from '../../helpers/gateway'
import { postJson, sseData } from '../../helpers/http'

describe('upstream errors and faults', () => {
  let vllm: MockBackend
  let ollama: MockBackend
  let openai: MockBackend
  let gw: TestGateway
  let deadPort: number

  beforeAll(async () => {
    vllm = await startMockBackend({ flavor: 'vllm', models: ['qwen2.5-7b'] })
    ollama = await startMockBackend({ flavor: 'ollama', models: ['llama3.2:latest'] })
    openai = await startMockBackend({ flavor: 'openai', models: ['gpt-4o-mini'] })
    deadPort = await unusedPort()
    gw = await startTestGateway({
      providers: [
        { id: 'vllm-a', kind: 'vllm', baseUrl: vllm.baseUrl, models: ['qwen2.5-7b'], timeouts: { firstByteMs: 300, idleMs: 300 } },
        { id: 'ollama', kind: 'ollama', baseUrl: ollama.baseUrl, models: ['llama3.2:latest', 'missing-model'] },
        { id: 'openai', kind: 'openai-compatible', baseUrl: openai.baseUrl, models: ['gpt-4o-mini'] },
        { id: 'dead', kind: 'vllm', baseUrl: `http://127.0.0.1:${deadPort}/v1`, models: ['ghost'] },
      ],
    })
  })
  afterAll(async () => {
    await gw.close()
    await Promise.all([vllm.close(), ollama.close(), openai.close()])
  })
  afterEach(() => {
    for (const m of [vllm, ollama, openai]) m.behavior = { words: ['Hello', ' world'], chunkDelayMs: 0, headerDelayMs: 0 }
  })

  const chat = (model: string, extra: object = {}) => ({ model, messages: [{ role: 'user', content: 'hi' }], ...extra })
  type ErrorBody = { error: { message: string; type: string; code: string | number | null } }

  it('passes an OpenAI-shaped upstream error through with its status and bytes', async () => {
    openai.behavior.errorStatus = 429
    const direct = await postJson(openai.url, '/v1/chat/completions', chat('gpt-4o-mini'))
    const res = await postJson(gw.url, '/v1/chat/completions', chat('gpt-4o-mini'))
    expect(res.status).toBe(429)
    expect(res.text).toBe(direct.text)
    expect(res.headers['x-request-id']).toBeTruthy()
  })

  it("reshapes vLLM's error body into OpenAI's, keeping the status", async () => {
    vllm.behavior.errorStatus = 400
    const res = await postJson(gw.url, '/v1/chat/completions', chat('qwen2.5-7b'))
    expect(res.status).toBe(400)
    const body = res.json<ErrorBody>()
    expect(body.error.message).toBe('mock failure for qwen2.5-7b')
    expect(body.error.type).toBe('BadRequestError')
  })

  it("passes Ollama's model-not-found through as 404", async () => {
    const res = await postJson(gw.url, '/v1/chat/completions', chat('missing-model'))
    expect(res.status).toBe(404)
    expect(res.json<ErrorBody>().error.message).toContain('try pulling it first')
  })

  it('turns an HTML answer into a clean 502', async () => {
    vllm.behavior.custom = (_req, res) => {
      res.writeHead(200, { 'content-type': 'text/html' })
      res.end('<html><body>Captive portal</body></html>')
    }
    const res = await postJson(gw.url, '/v1/chat/completions', chat('qwen2.5-7b'))
    expect(res.status).toBe(502)
    expect(res.json<ErrorBody>().error.code).toBe('upstream_bad_response')
    expect(res.text).not.toContain('Captive')
  })

  it('turns an HTML error page into a clean 502', async () => {
    vllm.behavior.custom = (_req, res) => {
      res.writeHead(404, { 'content-type': 'text/html' })
      res.end('<html>Not Found</html>')
    }
    const res = await postJson(gw.url, '/v1/chat/completions', chat('qwen2.5-7b'))
    expect(res.status).toBe(502)
    expect(res.json<ErrorBody>().error.message).toContain('check its baseUrl')
  })

  it('turns a JSON-typed garbage body into a clean 502 when the body must be read', async () => {
    vllm.behavior.custom = (_req, res) => {
      res.writeHead(200)
      res.end('this is not json')
    }
    const res = await postJson(gw.url, '/v1/chat/completions', chat('qwen2.5-7b'))
    expect(res.status).toBe(502)
  })

  it('answers 502 when the upstream refuses the connection', async () => {
    const res = await postJson(gw.url, '/v1/chat/completions', chat('ghost'))
    expect(res.status).toBe(502)
    const body = res.json<ErrorBody>()
    expect(body.error.code).toBe('upstream_unreachable')
    expect(body.error.message).toContain('refused')
  })

  it('answers 502 when the upstream resets the connection before headers', async () => {
    vllm.behavior.custom = (req) => req.socket.destroy()
    const res = await postJson(gw.url, '/v1/chat/completions', chat('qwen2.5-7b'))
    expect(res.status).toBe(502)
    expect(res.json<ErrorBody>().error.code).toBe('upstream_unreachable')
  })

  it('answers 504 when the first byte does not come in time, and aborts the upstream', async () => {
    vllm.behavior.custom = () => undefined // never answers
    const started = Date.now()
    const res = await postJson(gw.url, '/v1/chat/completions', chat('qwen2.5-7b'))
    expect(res.status).toBe(504)
    expect(res.json<ErrorBody>().error.code).toBe('upstream_timeout')
    expect(Date.now() - started).toBeLessThan(2000)
    await vllm.waitForAbort()
  })

  it('answers 504 when headers come but no body byte follows in time', async () => {
    vllm.behavior.custom = (_req, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' })
      res.flushHeaders()
    }
    const res = await postJson(gw.url, '/v1/chat/completions', chat('qwen2.5-7b', { stream: true }))
    expect(res.status).toBe(504)
  })

  it('ends a stream that stalls mid-way with an error event and no [DONE]', async () => {
    vllm.behavior.custom = (_req, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' })
      res.write('data: {"id":"c1","object":"chat.completion.chunk","model":"qwen2.5-7b","choices":[{"index":0,"delta":{"content":"Hel"}}]}\n\n')
    }
    const res = await postJson(gw.url, '/v1/chat/completions', chat('qwen2.5-7b', { stream: true }))
    expect(res.status).toBe(200)
    const events = sseData(res.text)
    expect(events).not.toContain('[DONE]')
    const last = JSON.parse(events.at(-1)!) as ErrorBody
    expect(last.error.code).toBe('upstream_timeout')
    expect(JSON.parse(events[0]!).choices[0].delta.content).toBe('Hel')
  })

  it('ends a stream whose upstream dies mid-event with a well-formed error event', async () => {
    vllm.behavior.custom = (_req, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' })
      res.write('data: {"id":"c1","object":"chat.completion.chunk","choices":[{"index":0,"delta":{"content":"Hi"}}]}\n\ndata: {"id":"c1","obj')
      setTimeout(() => res.socket?.destroy(), 20)
    }
    const res = await postJson(gw.url, '/v1/chat/completions', chat('qwen2.5-7b', { stream: true }))
    const events = res.text.split('\n\n').filter((e) => e.trim())
    const last = events.at(-1)!
    expect(last.startsWith('data: {"error"')).toBe(true)
    expect(JSON.parse(last.slice(6)).error.code).toBe('upstream_unreachable')
    expect(res.text).not.toContain('[DONE]')
  })

  it('is healthy after the faults', async () => {
    const res = await postJson(gw.url, '/v1/chat/completions', chat('qwen2.5-7b'))
    expect(res.status).toBe(200)
    const stats = gw.gateway.stats.snapshot()
    expect(stats.inFlight).toBe(0)
    expect(stats.providers['vllm-a']!.inFlight).toBe(0)
  })
})

async function unusedPort(): Promise<number> {
  const server = net.createServer()
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  const port = (server.address() as AddressInfo).port
  await new Promise<void>((r) => server.close(() => r()))
  return port
}
