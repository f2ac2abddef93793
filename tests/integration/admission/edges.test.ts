// Edge paths of admission through the real gateway: a streaming client that leaves after
// keep-alives began, a waiter on a route whose targets are all busy, a bounded flood against a
// small queue (no hang, every answer on time), a header-named caller posing as a keyed app, and
// shutdown with requests still queued.
import { afterEach, describe, expect, it } from 'vitest'
import { startTestGateway, type TestGateway } from '../../helpers/gateway'
import { postJson } from '../../helpers/http'
import { chat, closeMocks, instrumentedMock, MODEL, openRequest, queued, sleep, until } from './helpers'

let gw: TestGateway | undefined
afterEach(async () => {
  await gw?.close()
  gw = undefined
  await closeMocks()
})

describe('admission: edge paths on loopback', () => {
  it('a streaming client that disconnects after keep-alives began leaves the queue and is never dispatched', async () => {
    const { mock: m, seen } = await instrumentedMock('gpu', 500)
    gw = await startTestGateway({ providers: [{ id: 'gpu', kind: 'vllm', baseUrl: m.baseUrl, models: [MODEL], limits: { maxConcurrent: 1 } }] }, { keepAlive: { graceMs: 50, everyMs: 50 } })
    const blocker = postJson(gw.url, '/v1/chat/completions', chat('blocker'))
    await until(() => seen.inFlight === 1, 2_000, 'blocker in flight')
    const leaver = openRequest(gw.url, '/v1/chat/completions', chat('leaver', { stream: true }))
    await until(() => leaver.received().includes(': keep-alive'), 2_000, 'keep-alives flowing')
    expect(queued(gw, 'gpu')).toBe(1)
    leaver.req.destroy()
    await until(() => queued(gw!, 'gpu') === 0, 200, 'left the queue')
    expect((await blocker).status).toBe(200)
    await sleep(100)
    expect(seen.order).toEqual(['blocker'])
    expect(gw.gateway.admission.snapshot().gpu).toMatchObject({ cancelled: 1, admitted: 1, inFlight: 0 })
  })

  it('when every target of a route is busy, the waiter goes to whichever frees first', async () => {
    const a = await instrumentedMock('a', 800)
    const b = await instrumentedMock('b', 200)
    gw = await startTestGateway({
      providers: [
        { id: 'a', kind: 'vllm', baseUrl: a.mock.baseUrl, models: [MODEL], limits: { maxConcurrent: 1 } },
        { id: 'b', kind: 'vllm', baseUrl: b.mock.baseUrl, models: [MODEL], limits: { maxConcurrent: 1 } },
      ],
      routes: [{ model: 'local', strategy: 'failover', targets: [{ provider: 'a', model: MODEL }, { provider: 'b', model: MODEL }] }],
    })
    const r1 = postJson(gw.url, '/v1/chat/completions', { ...chat('r1'), model: 'local' })
    await until(() => a.seen.inFlight === 1, 2_000, 'a busy')
    const r2 = postJson(gw.url, '/v1/chat/completions', { ...chat('r2'), model: 'local' })
    await until(() => b.seen.inFlight === 1, 2_000, 'b busy')
    const t = Date.now()
    const r3 = await postJson(gw.url, '/v1/chat/completions', { ...chat('r3'), model: 'local' })
    expect(r3.status).toBe(200)
    expect(r3.headers['x-switchyard-provider']).toBe('b')
    expect(Date.now() - t).toBeLessThan(700) // did not wait for a
    await Promise.all([r1, r2])
    expect(a.seen.order).toEqual(['r1'])
    expect(b.seen.order).toEqual(['r2', 'r3'])
    // It waited in both lines and left both.
    expect(gw.gateway.admission.snapshot()).toMatchObject({ a: { queued: 0 }, b: { queued: 0 } })
  })

  it('a flood of 40 against maxConcurrent=2 and a queue of 5: no hang, never >2 in flight, every answer a 200 or a timely 429/503', async () => {
    const { mock: m, seen } = await instrumentedMock('gpu', 30)
    const timeoutMs = 250
    gw = await startTestGateway({ providers: [{ id: 'gpu', kind: 'vllm', baseUrl: m.baseUrl, models: [MODEL], limits: { maxConcurrent: 2 }, queue: { maxSize: 5, timeoutMs, overflow: 'drop-oldest' } }] })
    const started = Date.now()
    const results = await Promise.all(
      Array.from({ length: 40 }, (_, i) => {
        const t = Date.now()
        return postJson(gw!.url, '/v1/chat/completions', chat(`r${i}`)).then((r) => ({ status: r.status, ms: Date.now() - t, retryAfter: r.headers['retry-after'] }))
      }),
    )
    expect(Date.now() - started).toBeLessThan(5_000)
    expect(seen.maxInFlight).toBeLessThanOrEqual(2)
    const served = results.filter((r) => r.status === 200)
    const refused = results.filter((r) => r.status !== 200)
    expect(served.length).toBe(seen.order.length)
    expect(served.length).toBeGreaterThanOrEqual(2)
    for (const r of refused) {
      expect([429, 503]).toContain(r.status)
      expect(Number(r.retryAfter)).toBeGreaterThanOrEqual(1)
      expect(r.ms).toBeLessThan(timeoutMs + 1_000) // generous for 2 shared cores; the unit tests pin the exact deadline
    }
    const snap = gw.gateway.admission.snapshot().gpu!
    expect(snap.admitted).toBe(served.length)
    expect(snap.queueFull + snap.timedOut).toBe(refused.length)
    expect(snap).toMatchObject({ queued: 0, inFlight: 0 })
  })

  it('a caller that merely names itself after a keyed app (X-Switchyard-App) does not spend that app’s budget', async () => {
    const { mock: m, seen } = await instrumentedMock('gpu', 0)
    gw = await startTestGateway({ providers: [{ id: 'gpu', kind: 'vllm', baseUrl: m.baseUrl, models: [MODEL], queue: { timeoutMs: 150 } }] }, { admission: { windowMs: 5_000 } })
    const batch = await gw.gateway.api.createApp({ name: 'batch', rpm: 1 })
    expect((await postJson(gw.url, '/v1/chat/completions', chat('posing'), { 'x-switchyard-app': 'batch' })).status).toBe(200)
    expect((await postJson(gw.url, '/v1/chat/completions', chat('posing again'), { 'x-switchyard-app': 'batch' })).status).toBe(200)
    expect((await postJson(gw.url, '/v1/chat/completions', chat('keyed'), { authorization: `Bearer ${batch.key}` })).status).toBe(200)
    expect(seen.order).toEqual(['posing', 'posing again', 'keyed'])
  })

  it('stopping the gateway answers queued requests instead of leaving them hanging', async () => {
    const { mock: m, seen } = await instrumentedMock('gpu', 300)
    gw = await startTestGateway({ providers: [{ id: 'gpu', kind: 'vllm', baseUrl: m.baseUrl, models: [MODEL], limits: { maxConcurrent: 1 }, queue: { timeoutMs: 10_000 } }] })
    const first = postJson(gw.url, '/v1/chat/completions', chat('first'))
    await until(() => seen.inFlight === 1, 2_000, 'first in flight')
    const waiter = postJson(gw.url, '/v1/chat/completions', chat('waiter')).catch((err: Error) => ({ status: -1, err }))
    await until(() => queued(gw!, 'gpu') === 1, 2_000, 'waiter queued')
    const t = Date.now()
    const closing = gw.close(2_000)
    gw = undefined
    expect((await first).status).toBe(200)
    const w = await waiter
    // Served once the slot freed during the grace period, or refused; never a hang.
    expect([200, 503, -1]).toContain(w.status)
    await closing
    expect(Date.now() - t).toBeLessThan(2_500)
  })

  it('raising maxConcurrent in the config admits waiting requests at once', async () => {
    const { mock: m, seen } = await instrumentedMock('gpu', 600)
    const provider = { id: 'gpu', kind: 'vllm', baseUrl: m.baseUrl, models: [MODEL], limits: { maxConcurrent: 1 }, queue: { timeoutMs: 10_000 } }
    gw = await startTestGateway({ providers: [provider] })
    const first = postJson(gw.url, '/v1/chat/completions', chat('first'))
    await until(() => seen.inFlight === 1, 2_000, 'first in flight')
    const second = postJson(gw.url, '/v1/chat/completions', chat('second'))
    await until(() => queued(gw!, 'gpu') === 1, 2_000, 'second queued')
    await gw.store.set({ providers: [{ ...provider, limits: { maxConcurrent: 2 } }] })
    await until(() => seen.inFlight === 2, 300, 'second admitted by the new limit')
    expect((await Promise.all([first, second])).map((r) => r.status)).toEqual([200, 200])
    expect(seen.maxInFlight).toBe(2)
  })
})

