// Issue 11, defect 11: the HTTP server ran on Node's defaults (headers 60 s, whole request 300 s,
// no connection cap). The limits are deliberate and configurable, and none of them cuts a long
// stream: they bound what the client sends, not how long the answer runs.
import net from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startMockBackend, type MockBackend } from '../../helpers/mockBackend'
import { startTestGateway, type TestGateway } from '../../helpers/gateway'
import { postJson } from '../../helpers/http'

describe('HTTP server limits', () => {
  let mock: MockBackend
  let gw: TestGateway

  beforeAll(async () => {
    mock = await startMockBackend({ flavor: 'vllm', models: ['m'] })
    gw = await startTestGateway({
      server: { http: { headersTimeoutMs: 300, requestTimeoutMs: 600, maxConnections: 4 } },
      providers: [{ id: 'v', kind: 'vllm', baseUrl: mock.baseUrl, models: ['m'] }],
    })
  })
  afterAll(async () => {
    await gw.close()
    await mock.close()
  })

  /** Connects and sends `data`; resolves with what came back and when the server closed (or null after waitMs). */
  function rawClient(data: string, waitMs: number): Promise<{ reply: string; closedAfterMs: number | null }> {
    return new Promise((resolve) => {
      const started = Date.now()
      let reply = ''
      const socket = net.connect(gw.port, '127.0.0.1', () => socket.write(data))
      socket.on('data', (c) => (reply += c.toString()))
      const timer = setTimeout(() => {
        socket.destroy()
        resolve({ reply, closedAfterMs: null })
      }, waitMs)
      socket.on('close', () => {
        clearTimeout(timer)
        resolve({ reply, closedAfterMs: Date.now() - started })
      })
      socket.on('error', () => undefined)
    })
  }

  it('cuts a client that never finishes its headers, soon after headersTimeoutMs', async () => {
    const { reply, closedAfterMs } = await rawClient('POST /v1/chat/completions HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ', 5000)
    expect(closedAfterMs).not.toBeNull()
    expect(closedAfterMs!).toBeLessThan(2000)
    expect(reply).toMatch(/^HTTP\/1\.1 408/)
  })

  it('cuts a client that never finishes its body, soon after requestTimeoutMs', async () => {
    const { closedAfterMs } = await rawClient('POST /v1/chat/completions HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"model":', 5000)
    expect(closedAfterMs).not.toBeNull()
    expect(closedAfterMs!).toBeLessThan(2500)
  })

  it('a stream that runs far longer than requestTimeoutMs completes', async () => {
    mock.behavior.words = Array.from({ length: 30 }, (_, i) => ` w${i}`)
    mock.behavior.chunkDelayMs = 50 // 1.5 s of stream, 2.5× the request timeout
    try {
      const res = await postJson(gw.url, '/v1/chat/completions', { model: 'm', stream: true, messages: [{ role: 'user', content: 'hi' }] })
      expect(res.status).toBe(200)
      expect(res.text).toContain(' w29')
      expect(res.text).toContain('data: [DONE]')
    } finally {
      mock.behavior.chunkDelayMs = 0
    }
  })

  it('refuses connections beyond maxConnections while the others stay open', async () => {
    const sockets = await Promise.all(Array.from({ length: 4 }, () => new Promise<net.Socket>((resolve) => {
      const s = net.connect(gw.port, '127.0.0.1', () => resolve(s))
      s.on('error', () => undefined)
    })))
    try {
      await new Promise((r) => setTimeout(r, 50))
      const fifth = await rawClient('GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n', 2000)
      expect(fifth.reply).toBe('')
      expect(fifth.closedAfterMs).not.toBeNull()
    } finally {
      sockets.forEach((s) => s.destroy())
    }
    await new Promise((r) => setTimeout(r, 50))
    const after = await rawClient('GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n', 2000)
    expect(after.reply).toMatch(/^HTTP\/1\.1 200/)
  })
})
