import http from 'node:http'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { startMockBackend, type MockBackend } from '../../helpers/mockBackend'
import { startTestGateway, type TestGateway } from '../../helpers/gateway'
import { postJson, sseData } from '../../helpers/http'

const MiB = 1024 * 1024

describe('client aborts, backpressure and config reload', () => {
  let a: MockBackend
  let b: MockBackend
  let gw: TestGateway

  beforeAll(async () => {
    a = await startMockBackend({ flavor: 'vllm', name: 'a', models: ['m'] })
    b = await startMockBackend({ flavor: 'vllm', name: 'b', models: ['m'] })
    gw = await startTestGateway(config('a'))
  })
  afterAll(async () => {
    await gw.close()
    await Promise.all([a.close(), b.close()])
  })
  afterEach(async () => {
    for (const m of [a, b]) {
      m.behavior = { words: ['one', ' two'], chunkDelayMs: 0, headerDelayMs: 0 }
      m.requests.length = 0
    }
    await gw.store.set(config('a'))
  })

  function config(active: 'a' | 'b') {
    return {
      activeProvider: active,
      providers: [
        { id: 'a', kind: 'vllm', baseUrl: a.baseUrl },
        { id: 'b', kind: 'vllm', baseUrl: b.baseUrl },
      ],
    }
  }

  it('aborts the upstream at once when the client disconnects mid-stream', async () => {
    a.behavior.words = Array.from({ length: 200 }, (_, i) => ` w${i}`)
    a.behavior.chunkDelayMs = 20
    const url = new URL('/v1/chat/completions', gw.url)
    let closedAt = 0
    await new Promise<void>((resolve, reject) => {
      const req = http.request(url, { method: 'POST', headers: { 'content-type': 'application/json' } }, (res) => {
        let events = 0
        res.on('data', () => {
          events++
          if (events === 3) {
            closedAt = Date.now()
            req.destroy()
            resolve()
          }
        })
      })
      req.on('error', () => undefined)
      req.end(JSON.stringify({ model: 'm', stream: true, messages: [] }))
      setTimeout(() => reject(new Error('no data')), 3000)
    })
    const aborted = await a.waitForAbort(1000)
    expect(aborted.abortedAt! - closedAt).toBeLessThan(200)
    await waitFor(() => gw.gateway.stats.snapshot().inFlight === 0)
  })

  it('never dispatches a request whose client left while the body was being sent', async () => {
    const url = new URL('/v1/chat/completions', gw.url)
    const req = http.request(url, { method: 'POST', headers: { 'content-type': 'application/json', 'content-length': '100000' } })
    req.on('error', () => undefined)
    req.write('{"model":"m","messages":[')
    await new Promise((r) => setTimeout(r, 50))
    req.destroy()
    await new Promise((r) => setTimeout(r, 100))
    expect(a.requests.length).toBe(0)
  })

  it('pauses the upstream read for a slow client instead of buffering', async () => {
    const total = 64 * MiB
    let written = 0
    let upstreamDone = false
    a.behavior.custom = async (_req, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' })
      const event = Buffer.from(`data: ${JSON.stringify({ pad: 'x'.repeat(64 * 1024 - 20) })}\n\n`)
      while (written < total && !res.destroyed) {
        written += event.length
        if (!res.write(event)) await new Promise((r) => res.once('drain', r))
      }
      res.end()
      upstreamDone = true
    }
    const url = new URL('/v1/chat/completions', gw.url)
    let received = 0
    await new Promise<void>((resolve, reject) => {
      const req = http.request(url, { method: 'POST', headers: { 'content-type': 'application/json' } }, (res) => {
        res.pause() // a client that reads nothing for a while
        setTimeout(() => {
          // Socket buffers on both hops hold a few MiB at most; the rest must wait upstream.
          expect(written).toBeLessThan(24 * MiB)
          expect(upstreamDone).toBe(false)
          res.on('data', (c: Buffer) => (received += c.length))
          res.on('end', () => resolve())
          res.resume()
        }, 700)
      })
      req.on('error', reject)
      req.end(JSON.stringify({ model: 'm', stream: true, messages: [] }))
    })
    expect(upstreamDone).toBe(true)
    expect(received).toBe(written)
  }, 30_000)

  it('applies a config change to the next request without restart', async () => {
    const first = await postJson(gw.url, '/v1/chat/completions', { model: 'm', messages: [] })
    expect(first.headers['x-switchyard-provider']).toBe('a')
    await gw.store.set(config('b'))
    const second = await postJson(gw.url, '/v1/chat/completions', { model: 'm', messages: [] })
    expect(second.headers['x-switchyard-provider']).toBe('b')
  })

  it('lets an in-flight stream finish on the config it started with', async () => {
    a.behavior.words = ['x', 'y', 'z', 'w']
    a.behavior.chunkDelayMs = 80
    const pending = postJson(gw.url, '/v1/chat/completions', { model: 'm', stream: true, messages: [] })
    await new Promise((r) => setTimeout(r, 100))
    await gw.store.set({
      activeProvider: 'b',
      providers: [{ id: 'b', kind: 'vllm', baseUrl: b.baseUrl }], // provider a is gone
    })
    const res = await pending
    expect(res.headers['x-switchyard-provider']).toBe('a')
    expect(sseData(res.text).at(-1)).toBe('[DONE]')
    const next = await postJson(gw.url, '/v1/chat/completions', { model: 'm', messages: [] })
    expect(next.headers['x-switchyard-provider']).toBe('b')
  })

  it('returns 404 model_not_found listing usable models when nothing serves the model', async () => {
    await gw.store.set({ providers: [{ id: 'a', kind: 'vllm', baseUrl: a.baseUrl, models: ['m'] }], routes: [{ model: 'fast', targets: [{ provider: 'a', model: 'm' }] }] })
    const res = await postJson(gw.url, '/v1/chat/completions', { model: 'gpt-5', messages: [] })
    expect(res.status).toBe(404)
    const body = res.json<{ error: { code: string; message: string; param: string } }>()
    expect(body.error.code).toBe('model_not_found')
    expect(body.error.param).toBe('model')
    expect(body.error.message).toContain('fast, m')
  })
})

describe('graceful shutdown', () => {
  it('lets a stream finish within the grace period, refuses new connections, and cuts what overruns', async () => {
    const slow = await startMockBackend({ flavor: 'vllm', models: ['m'] })
    const gw = await startTestGateway({ activeProvider: 'slow', providers: [{ id: 'slow', kind: 'vllm', baseUrl: slow.baseUrl }] })
    slow.behavior.words = ['a', 'b', 'c']
    slow.behavior.chunkDelayMs = 60
    const finishing = postJson(gw.url, '/v1/chat/completions', { model: 'm', stream: true, messages: [] })
    await new Promise((r) => setTimeout(r, 50))
    const stopped = gw.gateway.stop(2000)
    const res = await finishing
    expect(sseData(res.text).at(-1)).toBe('[DONE]')
    await stopped
    await expect(postJson(gw.url, '/health', {})).rejects.toThrow(/ECONNREFUSED/)
    await slow.close()

    const endless = await startMockBackend({ flavor: 'vllm', models: ['m'] })
    endless.behavior.words = Array.from({ length: 100 }, () => 'w')
    endless.behavior.chunkDelayMs = 50
    const gw2 = await startTestGateway({ activeProvider: 'e', providers: [{ id: 'e', kind: 'vllm', baseUrl: endless.baseUrl }] })
    const cut = postJson(gw2.url, '/v1/chat/completions', { model: 'm', stream: true, messages: [] }).catch((e: Error) => e)
    await new Promise((r) => setTimeout(r, 100))
    const t0 = Date.now()
    await gw2.gateway.stop(300)
    expect(Date.now() - t0).toBeLessThan(1500)
    await cut
    await endless.waitForAbort(1000)
    await endless.close()
  })
})

async function waitFor(cond: () => boolean, timeoutMs = 2000): Promise<void> {
  const until = Date.now() + timeoutMs
  while (!cond()) {
    if (Date.now() > until) throw new Error('condition not met in time')
    await new Promise((r) => setTimeout(r, 10))
  }
}
