import net from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startMockBackend, type MockBackend } from '../../helpers/mockBackend'
import { startTestGateway, type TestGateway } from '../../helpers/gateway'
import { postJson, request } from '../../helpers/http'

const MiB = 1024 * 1024

describe('hostile and malformed input', () => {
  let vllm: MockBackend
  let gw: TestGateway

  beforeAll(async () => {
    vllm = await startMockBackend({ flavor: 'vllm', models: ['qwen2.5-7b'] })
    gw = await startTestGateway({
      server: { allowedOrigins: ['http://localhost:3000'] },
      providers: [{ id: 'vllm-a', kind: 'vllm', baseUrl: vllm.baseUrl, models: ['qwen2.5-7b'], apiKey: 'provider-key-123' }],
    })
  })
  afterAll(async () => {
    await gw.close()
    await vllm.close()
  })

  const chat = { model: 'qwen2.5-7b', messages: [{ role: 'user', content: 'hi' }] }

  async function expectError(res: Awaited<ReturnType<typeof request>>, status: number, code: string): Promise<void> {
    expect(res.status).toBe(status)
    expect(res.headers['content-type']).toBe('application/json')
    expect(res.headers['x-request-id']).toBeTruthy()
    const body = res.json<{ error: { code: string; message: string; type: string } }>()
    expect(body.error.code).toBe(code)
    expect(body.error.message).toBeTruthy()
    expect(res.text).not.toMatch(/at .*\.ts:\d+|node:internal|provider-key-123/)
  }

  it.each([
    ['a foreign name', 'evil.example.com'],
    ['a rebinding name with our port', 'attacker.test:7171'],
    ['a LAN address', '192.168.1.20'],
    ['garbage', '[::1'],
  ])('rejects Host %s with 403 before routing', async (_what, host) => {
    const before = vllm.requests.length
    const res = await request(gw.url, { path: '/v1/chat/completions', body: chat, headers: { host } })
    await expectError(res, 403, 'forbidden_host')
    expect(vllm.requests.length).toBe(before)
  })

  it('rejects an empty Host header', async () => {
    const raw = await rawExchange(gw.port, 'GET /health HTTP/1.1\r\nHost:\r\nConnection: close\r\n\r\n')
    expect(raw).toMatch(/^HTTP\/1\.1 (403|400)/)
  })

  it.each(['localhost', '127.0.0.1', 'app.localhost', '[::1]'])('accepts loopback Host %s', async (host) => {
    const res = await request(gw.url, { path: '/health', headers: { host: `${host}:${gw.port}` } })
    expect(res.status).toBe(200)
  })

  it('rejects a browser request from a foreign origin, and cross-site fetches without Origin', async () => {
    await expectError(await request(gw.url, { path: '/v1/chat/completions', body: chat, headers: { origin: 'https://evil.example.com' } }), 403, 'forbidden_origin')
    await expectError(await request(gw.url, { path: '/v1/models', headers: { 'sec-fetch-site': 'cross-site' } }), 403, 'forbidden_origin')
    await expectError(await request(gw.url, { path: '/v1/models', headers: { origin: 'null' } }), 403, 'forbidden_origin')
  })

  it('serves an allowed origin with CORS headers and answers its preflight', async () => {
    const res = await request(gw.url, { path: '/v1/chat/completions', body: chat, headers: { origin: 'http://localhost:3000' } })
    expect(res.status).toBe(200)
    expect(res.headers['access-control-allow-origin']).toBe('http://localhost:3000')
    const preflight = await request(gw.url, { method: 'OPTIONS', path: '/v1/chat/completions', headers: { origin: 'http://localhost:3000', 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type,authorization' } })
    expect(preflight.status).toBe(204)
    expect(preflight.headers['access-control-allow-headers']).toBe('content-type,authorization')
  })

  it.each([
    ['text/plain', 'text/plain'],
    ['a form post', 'application/x-www-form-urlencoded'],
    ['multipart', 'multipart/form-data; boundary=x'],
  ])('rejects %s bodies with 415', async (_what, type) => {
    await expectError(await request(gw.url, { path: '/v1/chat/completions', body: JSON.stringify(chat), headers: { 'content-type': type } }), 415, 'unsupported_media_type')
  })

  it('rejects a POST without content type with 415', async () => {
    await expectError(await request(gw.url, { path: '/v1/chat/completions', body: Buffer.from(JSON.stringify(chat)) }), 415, 'unsupported_media_type')
  })

  it.each([
    ['truncated JSON', '{"model":"qwen2.5-7b",'],
    ['not JSON at all', 'hello'],
    ['invalid UTF-8 junk', Buffer.from([0xff, 0xfe, 0x7b, 0x00])],
  ])('answers %s with 400', async (_what, body) => {
    await expectError(await request(gw.url, { path: '/v1/chat/completions', body, headers: { 'content-type': 'application/json' } }), 400, 'invalid_json')
  })

  it.each([
    ['an array body', '[1,2]', 'invalid_request'],
    ['a missing model', '{"messages":[]}', 'invalid_request'],
    ['a non-string model', '{"model":42}', 'invalid_request'],
  ])('answers %s with 400', async (_what, body, code) => {
    await expectError(await request(gw.url, { path: '/v1/chat/completions', body, headers: { 'content-type': 'application/json' } }), 400, code)
  })

  it('answers a body over 32 MiB with 413 (declared length)', async () => {
    const big = Buffer.alloc(33 * MiB, 0x20)
    await expectError(await request(gw.url, { path: '/v1/chat/completions', body: big, headers: { 'content-type': 'application/json' } }), 413, 'body_too_large')
  })

  it('answers a chunked body over 32 MiB with 413, counting while reading', async () => {
    const big = Buffer.alloc(33 * MiB, 0x20)
    const res = await request(gw.url, { path: '/v1/chat/completions', body: big, chunked: true, headers: { 'content-type': 'application/json' } }).catch((err: NodeJS.ErrnoException) => err)
    // The gateway may close the connection while the client is still uploading; either way no 2xx.
    if (res instanceof Error) expect(['ECONNRESET', 'EPIPE']).toContain(res.code)
    else await expectError(res, 413, 'body_too_large')
  })

  it('accepts a large body under the limit', async () => {
    const content = 'x'.repeat(8 * MiB)
    const res = await postJson(gw.url, '/v1/chat/completions', { model: 'qwen2.5-7b', messages: [{ role: 'user', content }] })
    expect(res.status).toBe(200)
  })

  it('keeps __proto__ keys inert', async () => {
    const body = '{"model":"qwen2.5-7b","messages":[],"__proto__":{"polluted":"yes"},"constructor":{"prototype":{"polluted":"yes"}}}'
    const res = await request(gw.url, { path: '/v1/chat/completions', body, headers: { 'content-type': 'application/json' } })
    expect(res.status).toBe(200)
    expect(({} as Record<string, unknown>).polluted).toBeUndefined()
    expect(Object.prototype).not.toHaveProperty('polluted')
  })

  it('answers unknown paths 404 and wrong methods 405 in OpenAI shape', async () => {
    await expectError(await request(gw.url, { path: '/v1/nope' }), 404, 'not_found')
    await expectError(await request(gw.url, { path: '/v1/chat/completions' }), 405, 'method_not_allowed')
    await expectError(await request(gw.url, { path: '/v1/models', method: 'POST', body: {} }), 405, 'method_not_allowed')
  })

  it('survives a client that sends garbage on the socket', async () => {
    const raw = await rawExchange(gw.port, 'NOT HTTP AT ALL\r\n\r\n')
    expect(raw).toMatch(/^HTTP\/1\.1 400/)
  })

  it('is still healthy after all of the above', async () => {
    const health = await request(gw.url, { path: '/health' })
    expect(health.status).toBe(200)
    const res = await postJson(gw.url, '/v1/chat/completions', chat)
    expect(res.status).toBe(200)
  })

  it('never writes the provider key to the logs', () => {
    expect(gw.logs.length).toBeGreaterThan(0)
    expect(gw.logs.join('\n')).not.toContain('provider-key-123')
  })
})

function rawExchange(port: number, payload: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1', () => socket.write(payload))
    let data = ''
    socket.on('data', (d) => (data += d.toString()))
    socket.on('end', () => resolve(data))
    socket.on('close', () => resolve(data))
    socket.on('error', reject)
    setTimeout(() => socket.destroy(), 2000)
  })
}
