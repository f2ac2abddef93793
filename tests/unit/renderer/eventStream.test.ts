import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { openEventStream } from '../../../src/renderer/src/api/eventStream'

/** A fetch whose responses are SSE bodies the test writes to. */
function sseFetch() {
  const streams: ReadableStreamDefaultController<Uint8Array>[] = []
  const requests: { headers: Record<string, string>; signal: AbortSignal }[] = []
  let nextStatus = 200
  const fetch = vi.fn(async (_url: string, init: { headers: Record<string, string>; signal: AbortSignal }) => {
    requests.push(init)
    if (nextStatus !== 200) return new Response('{}', { status: nextStatus })
    const body = new ReadableStream<Uint8Array>({
      start: (c) => {
        streams.push(c)
        init.signal.addEventListener('abort', () => c.error(new DOMException('aborted', 'AbortError')))
      },
    })
    return new Response(body, { status: 200, headers: { 'content-type': 'text/event-stream' } })
  })
  const write = (text: string, i = streams.length - 1): void => streams[i]!.enqueue(new TextEncoder().encode(text))
  return { fetch, requests, write, end: (i = streams.length - 1) => streams[i]!.close(), setStatus: (s: number) => (nextStatus = s) }
}

beforeEach(() => vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] }))
afterEach(() => vi.useRealTimers())

describe('openEventStream', () => {
  it('opens one authenticated stream for all listeners and dispatches named events to the right ones', async () => {
    const f = sseFetch()
    const stream = openEventStream({ url: 'http://x/admin/api/events', headers: { authorization: 'Bearer t' }, fetch: f.fetch as never })
    const stats = vi.fn()
    const status = vi.fn()
    stream.on('stats', stats)
    stream.on('status', status)
    await vi.waitFor(() => expect(f.fetch).toHaveBeenCalledTimes(1))
    expect(f.requests[0]!.headers).toEqual({ authorization: 'Bearer t', accept: 'text/event-stream' })
    f.write(': connected\n\nevent: stats\ndata: {"requestsTotal":1}\n\nevent: sta')
    f.write('tus\ndata: {"state":"paused"}\n\nevent: other\ndata: {}\n\nevent: stats\ndata: not json\n\n')
    await vi.waitFor(() => expect(status).toHaveBeenCalledTimes(1))
    expect(stats.mock.calls).toEqual([[{ requestsTotal: 1 }]])
    expect(status.mock.calls).toEqual([[{ state: 'paused' }]])
  })

  it('closes the stream when the last listener leaves', async () => {
    const f = sseFetch()
    const stream = openEventStream({ url: 'http://x/e', headers: {}, fetch: f.fetch as never })
    const off1 = stream.on('stats', () => undefined)
    const off2 = stream.on('status', () => undefined)
    await vi.waitFor(() => expect(f.fetch).toHaveBeenCalledTimes(1))
    off1()
    expect(f.requests[0]!.signal.aborted).toBe(false)
    off2()
    expect(f.requests[0]!.signal.aborted).toBe(true)
    await vi.advanceTimersByTimeAsync(60_000)
    expect(f.fetch).toHaveBeenCalledTimes(1) // no reconnect after a deliberate close
  })

  it('reconnects with growing backoff when the gateway drops the stream', async () => {
    const f = sseFetch()
    const stream = openEventStream({ url: 'http://x/e', headers: {}, fetch: f.fetch as never, retryMs: 100, maxRetryMs: 250 })
    stream.on('stats', () => undefined)
    await vi.waitFor(() => expect(f.fetch).toHaveBeenCalledTimes(1))
    f.setStatus(503)
    f.end()
    await vi.advanceTimersByTimeAsync(99)
    expect(f.fetch).toHaveBeenCalledTimes(1)
    await vi.advanceTimersByTimeAsync(1)
    expect(f.fetch).toHaveBeenCalledTimes(2) // 503: retry again, later
    await vi.advanceTimersByTimeAsync(199)
    expect(f.fetch).toHaveBeenCalledTimes(2)
    f.setStatus(200)
    await vi.advanceTimersByTimeAsync(1)
    expect(f.fetch).toHaveBeenCalledTimes(3)
    stream.close()
  })

  it('gives up on 401: a wrong token will not fix itself', async () => {
    const f = sseFetch()
    f.setStatus(401)
    const stream = openEventStream({ url: 'http://x/e', headers: {}, fetch: f.fetch as never, retryMs: 10 })
    stream.on('stats', () => undefined)
    await vi.waitFor(() => expect(f.fetch).toHaveBeenCalledTimes(1))
    await vi.advanceTimersByTimeAsync(10_000)
    expect(f.fetch).toHaveBeenCalledTimes(1)
  })
})
