// RPM limits through the real gateway on loopback: requests beyond the limit wait in the queue
// until the sliding window lets them through, or get a 429 with Retry-After in the caller's
// protocol when the queue timeout is shorter. The window is shortened to 1 s (GatewayOptions
// admission.windowMs) so the tests need not wait a minute; the logic is the same.
import { afterEach, describe, expect, it } from 'vitest'
import { startMockBackend, type MockBackend } from '../../helpers/mockBackend'
import { startTestGateway, type TestGateway } from '../../helpers/gateway'
import { postJson } from '../../helpers/http'
import { chat, instrument, messages, MODEL, queued, until } from './helpers'

const WINDOW_MS = 1_000

describe('admission: rpm on loopback', () => {
  let mock: MockBackend
  let gw: TestGateway
  afterEach(async () => {
    await gw?.close()
    await mock?.close()
  })

  async function setup(queue: object): Promise<ReturnType<typeof instrument>> {
    mock = await startMockBackend({ flavor: 'vllm', models: [MODEL] })
    const seen = instrument(mock)
    gw = await startTestGateway({ providers: [{ id: 'gpu', kind: 'vllm', baseUrl: mock.baseUrl, models: [MODEL], limits: { rpm: 2 }, queue }] }, { admission: { windowMs: WINDOW_MS } })
    return seen
  }

  it('rpm=2, three rapid requests: two go at once, the third waits until the window slides', async () => {
    const seen = await setup({ timeoutMs: 5_000 })
    const t0 = Date.now()
    const answers = ['a', 'b', 'c'].map((tag) => postJson(gw.url, '/v1/chat/completions', chat(tag)).then((r) => ({ r, at: Date.now() - t0 })))
    await until(() => seen.order.length === 2 && queued(gw, 'gpu') === 1, 2_000, 'two sent, one queued')
    const [first, second, third] = await Promise.all(answers)
    expect([first!.r.status, second!.r.status, third!.r.status]).toEqual([200, 200, 200])
    expect(first!.at).toBeLessThan(WINDOW_MS / 2)
    expect(second!.at).toBeLessThan(WINDOW_MS / 2)
    // The mock saw the third only once the oldest of the first two (admitted after t0) left the window.
    expect(seen.arrivedAt.size).toBe(3)
    const last = Math.max(...seen.arrivedAt.values())
    expect(last - t0).toBeGreaterThanOrEqual(WINDOW_MS - 2)
    expect(third!.at).toBeLessThan(WINDOW_MS + 1_000)
    const snap = gw.gateway.admission.snapshot().gpu!
    expect(snap).toMatchObject({ admitted: 3, rejected: 0, queued: 0, rpm: { limit: 2 } })
    expect(snap.queueWaitMs.p95).toBeGreaterThanOrEqual(WINDOW_MS / 2)
  })

  it('a queue timeout shorter than the window answers 429 with Retry-After (OpenAI shape); the mock never sees it', async () => {
    const seen = await setup({ timeoutMs: 200 })
    const t0 = Date.now()
    const [a, b, c] = await Promise.all(['a', 'b', 'c'].map((tag) => postJson(gw.url, '/v1/chat/completions', chat(tag))))
    const elapsed = Date.now() - t0
    expect(elapsed).toBeGreaterThanOrEqual(190) // it waited its queue timeout...
    expect(elapsed).toBeLessThan(200 + 300) // ...and not much longer (the issue asks for +100 ms; slack for 2 shared cores)
    const statuses = [a!, b!, c!].map((r) => r.status).sort()
    expect(statuses).toEqual([200, 200, 429])
    const limited = [a!, b!, c!].find((r) => r.status === 429)!
    expect(Number(limited.headers['retry-after'])).toBeGreaterThanOrEqual(1)
    expect(Number(limited.headers['retry-after'])).toBeLessThanOrEqual(Math.ceil(WINDOW_MS / 1000))
    const body = limited.json<{ error: { type: string; code: string; message: string } }>()
    expect(body.error.type).toBe('rate_limit_error')
    expect(body.error.message).toMatch(/requests-per-minute/)
    expect(seen.order).toHaveLength(2)
    expect(gw.gateway.admission.snapshot().gpu).toMatchObject({ admitted: 2, timedOut: 1, rejected: 1, queued: 0 })
  })

  it('the same 429 reaches an Anthropic /v1/messages caller in Anthropic shape', async () => {
    const seen = await setup({ timeoutMs: 200 })
    const rs = await Promise.all(['a', 'b', 'c'].map((tag) => postJson(gw.url, '/v1/messages', messages(tag), { 'anthropic-version': '2023-06-01' })))
    expect(rs.map((r) => r.status).sort()).toEqual([200, 200, 429])
    const limited = rs.find((r) => r.status === 429)!
    expect(Number(limited.headers['retry-after'])).toBeGreaterThanOrEqual(1)
    expect(limited.json()).toMatchObject({ type: 'error', error: { type: 'rate_limit_error' } })
    expect(seen.order).toHaveLength(2)
  })

  it('queue.maxSize 0 (queueing disabled) answers 429 at once with Retry-After from the window', async () => {
    const seen = await setup({ maxSize: 0 })
    const t0 = Date.now()
    const rs = await Promise.all(['a', 'b', 'c'].map((tag) => postJson(gw.url, '/v1/chat/completions', chat(tag))))
    expect(Date.now() - t0).toBeLessThan(WINDOW_MS / 2)
    expect(rs.map((r) => r.status).sort()).toEqual([200, 200, 429])
    const limited = rs.find((r) => r.status === 429)!
    expect(Number(limited.headers['retry-after'])).toBe(1)
    expect(limited.json<{ error: { message: string } }>().error.message).toMatch(/queueing is disabled/)
    expect(seen.order).toHaveLength(2)
  })
})
