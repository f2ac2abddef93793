// maxConcurrent and the waiting queue through the real gateway: FIFO service of a flood against
// a slow backend, both overflow policies, limit-aware balancing between a saturated and a free
// target, and a client that gives up while queued.
import { afterEach, describe, expect, it } from 'vitest'
import { startTestGateway, type TestGateway } from '../../helpers/gateway'
import { postJson, type RawResponse } from '../../helpers/http'
import { chat, closeMocks, instrumentedMock, MODEL, openRequest, queued, sleep, until } from './helpers'

let gw: TestGateway | undefined
afterEach(async () => {
  await gw?.close()
  gw = undefined
  await closeMocks()
})

/** Requests that reached admission on `provider` so far: each arrival adds exactly one. */
function arrivals(provider: string): number {
  const s = gw!.gateway.admission.snapshot()[provider]
  return s ? s.admitted + s.queued + s.queueFull + s.timedOut + s.cancelled : 0
}

/** Sends requests one after another, each once the previous one reached admission, so arrival order is known. */
async function flood(tags: string[], provider: string): Promise<Array<Promise<RawResponse>>> {
  const out: Array<Promise<RawResponse>> = []
  for (const tag of tags) {
    const before = arrivals(provider)
    out.push(postJson(gw!.url, '/v1/chat/completions', chat(tag)))
    await until(() => arrivals(provider) > before, 2_000, `${tag} reached admission`)
  }
  return out
}

describe('admission: maxConcurrent and the queue on loopback', () => {
  it('maxConcurrent=1 with a slow backend and a flood of 8: never 2 in flight at the mock, all served in FIFO order', async () => {
    const { mock: m, seen } = await instrumentedMock('gpu', 60)
    gw = await startTestGateway({ providers: [{ id: 'gpu', kind: 'vllm', baseUrl: m.baseUrl, models: [MODEL], limits: { maxConcurrent: 1 }, queue: { maxSize: 20, timeoutMs: 10_000 } }] })
    const tags = Array.from({ length: 8 }, (_, i) => `r${i}`)
    const answers = await Promise.all(await flood(tags, 'gpu'))
    expect(answers.map((r) => r.status)).toEqual(tags.map(() => 200))
    expect(answers.map((r) => r.json<{ choices: Array<{ message: { content: string } }> }>().choices[0]!.message.content)).toEqual(tags.map((t) => `re: ${t}`))
    expect(seen.maxInFlight).toBe(1)
    expect(seen.order).toEqual(tags)
    const snap = gw.gateway.admission.snapshot().gpu!
    expect(snap).toMatchObject({ admitted: 8, rejected: 0, queued: 0, inFlight: 0, maxConcurrent: 1 })
  })

  it('overflow reject-new: a full queue answers 503 queue_full with Retry-After; the others are served in order', async () => {
    const { mock: m, seen } = await instrumentedMock('gpu', 150)
    gw = await startTestGateway({ providers: [{ id: 'gpu', kind: 'vllm', baseUrl: m.baseUrl, models: [MODEL], limits: { maxConcurrent: 1 }, queue: { maxSize: 2, timeoutMs: 10_000, overflow: 'reject-new' } }] })
    const answers = await Promise.all(await flood(['r0', 'r1', 'r2', 'r3', 'r4'], 'gpu'))
    expect(answers.map((r) => r.status)).toEqual([200, 200, 200, 503, 503])
    for (const r of answers.slice(3)) {
      expect(r.json()).toMatchObject({ error: { code: 'queue_full' } })
      expect(Number(r.headers['retry-after'])).toBeGreaterThanOrEqual(1)
    }
    expect(seen.order).toEqual(['r0', 'r1', 'r2'])
    expect(seen.maxInFlight).toBe(1)
    expect(gw.gateway.admission.snapshot().gpu).toMatchObject({ admitted: 3, queueFull: 2, rejected: 2 })
  })

  it('overflow drop-oldest: the oldest waiter is answered 503 queue_full and the newcomer keeps its place', async () => {
    const { mock: m, seen } = await instrumentedMock('gpu', 150)
    gw = await startTestGateway({ providers: [{ id: 'gpu', kind: 'vllm', baseUrl: m.baseUrl, models: [MODEL], limits: { maxConcurrent: 1 }, queue: { maxSize: 2, timeoutMs: 10_000, overflow: 'drop-oldest' } }] })
    const answers = await Promise.all(await flood(['r0', 'r1', 'r2', 'r3', 'r4'], 'gpu'))
    // r1 is dropped for r3, then r2 for r4.
    expect(answers.map((r) => r.status)).toEqual([200, 503, 503, 200, 200])
    expect(answers[1]!.json()).toMatchObject({ error: { code: 'queue_full' } })
    expect(Number(answers[1]!.headers['retry-after'])).toBeGreaterThanOrEqual(1)
    expect(seen.order).toEqual(['r0', 'r3', 'r4'])
    expect(seen.maxInFlight).toBe(1)
  })

  it('a route with one saturated and one free target sends to the free one (limit-aware balancing)', async () => {
    const a = await instrumentedMock('a', 400)
    const b = await instrumentedMock('b', 0)
    gw = await startTestGateway({
      providers: [
        { id: 'a', kind: 'vllm', baseUrl: a.mock.baseUrl, models: [MODEL], limits: { maxConcurrent: 1 } },
        { id: 'b', kind: 'vllm', baseUrl: b.mock.baseUrl, models: [MODEL] },
      ],
      routes: [{ model: 'local', strategy: 'failover', targets: [{ provider: 'a', model: MODEL }, { provider: 'b', model: MODEL }] }],
    })
    const slow = postJson(gw.url, '/v1/chat/completions', { ...chat('first'), model: 'local' })
    await until(() => a.seen.inFlight === 1, 2_000, 'a busy')
    const started = Date.now()
    const quick = await postJson(gw.url, '/v1/chat/completions', { ...chat('second'), model: 'local' })
    expect(quick.status).toBe(200)
    expect(quick.headers['x-switchyard-provider']).toBe('b')
    expect(Date.now() - started).toBeLessThan(300) // did not wait for a's slot
    expect((await slow).headers['x-switchyard-provider']).toBe('a')
    expect(a.seen.order).toEqual(['first'])
    expect(b.seen.order).toEqual(['second'])
    expect(gw.gateway.admission.snapshot().a!.queueWaitMs.p95).toBe(0)
  })

  it('a client that disconnects while queued leaves the queue at once and is never dispatched', async () => {
    const { mock: m, seen } = await instrumentedMock('gpu', 300)
    gw = await startTestGateway({ providers: [{ id: 'gpu', kind: 'vllm', baseUrl: m.baseUrl, models: [MODEL], limits: { maxConcurrent: 1 }, queue: { timeoutMs: 10_000 } }] })
    const first = postJson(gw.url, '/v1/chat/completions', chat('first'))
    await until(() => seen.inFlight === 1, 2_000, 'first in flight')
    const leaver = openRequest(gw.url, '/v1/chat/completions', chat('leaver'))
    await until(() => queued(gw!, 'gpu') === 1, 2_000, 'leaver queued')
    const cut = Date.now()
    leaver.req.destroy()
    await until(() => queued(gw!, 'gpu') === 0, 200, 'queue emptied')
    expect(Date.now() - cut).toBeLessThan(150)
    expect(gw.gateway.admission.snapshot().gpu).toMatchObject({ cancelled: 1, queued: 0 })
    expect((await first).status).toBe(200)
    const after = await postJson(gw.url, '/v1/chat/completions', chat('after'))
    expect(after.status).toBe(200)
    await sleep(50)
    expect(seen.order).toEqual(['first', 'after'])
    expect(gw.gateway.admission.snapshot().gpu).toMatchObject({ admitted: 2, inFlight: 0 })
  })
})
