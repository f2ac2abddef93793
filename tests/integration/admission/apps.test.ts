// Per-app limits and priority through the real gateway: an app key created with its own RPM is
// throttled on its own (others, keyed or not, are not held behind it), and a 'high' priority app
// jumps requests of 'normal' apps already waiting.
import { afterEach, describe, expect, it } from 'vitest'
import { startMockBackend, type MockBackend } from '../../helpers/mockBackend'
import { startTestGateway, type TestGateway } from '../../helpers/gateway'
import { postJson } from '../../helpers/http'
import { chat, instrument, MODEL, queued, until } from './helpers'

const WINDOW_MS = 1_000
const bearer = (key: string) => ({ authorization: `Bearer ${key}` })

describe('admission: per-app limits and priority on loopback', () => {
  let mock: MockBackend
  let gw: TestGateway
  afterEach(async () => {
    await gw?.close()
    await mock?.close()
  })

  async function setup(provider: object, delayMs = 0): Promise<ReturnType<typeof instrument>> {
    mock = await startMockBackend({ flavor: 'vllm', models: [MODEL] })
    const seen = instrument(mock, delayMs)
    gw = await startTestGateway({ providers: [{ id: 'gpu', kind: 'vllm', baseUrl: mock.baseUrl, models: [MODEL], ...provider }] }, { admission: { windowMs: WINDOW_MS } })
    return seen
  }

  it('an app key with rpm=1 is throttled (429 in its own name) while other callers go straight through', async () => {
    const seen = await setup({ queue: { timeoutMs: 200 } })
    const batch = await gw.gateway.api.createApp({ name: 'batch', rpm: 1 })
    const other = await gw.gateway.api.createApp({ name: 'other' })
    expect(batch.key).toMatch(/^sy-/)
    expect((await postJson(gw.url, '/v1/chat/completions', chat('b1'), bearer(batch.key))).status).toBe(200)
    const limited = await postJson(gw.url, '/v1/chat/completions', chat('b2'), bearer(batch.key))
    expect(limited.status).toBe(429)
    expect(Number(limited.headers['retry-after'])).toBeGreaterThanOrEqual(1)
    expect(limited.json<{ error: { message: string } }>().error.message).toMatch(/app "batch" is over its requests-per-minute limit/)
    for (const [tag, headers] of [['o1', bearer(other.key)], ['o2', bearer(other.key)], ['anon1', {}], ['anon2', {}]] as const) {
      expect((await postJson(gw.url, '/v1/chat/completions', chat(tag), headers)).status).toBe(200)
    }
    expect(seen.order).toEqual(['b1', 'o1', 'o2', 'anon1', 'anon2'])
    expect(gw.gateway.admission.appLimiter('batch')!.snapshot()).toMatchObject({ rpm: { used: 1, limit: 1 } })
  })

  it('a throttled app waits for its own window without holding the provider line for others', async () => {
    const seen = await setup({ queue: { timeoutMs: 5_000 } })
    const batch = await gw.gateway.api.createApp({ name: 'batch', rpm: 1 })
    const t0 = Date.now()
    expect((await postJson(gw.url, '/v1/chat/completions', chat('b1'), bearer(batch.key))).status).toBe(200)
    const waiting = postJson(gw.url, '/v1/chat/completions', chat('b2'), bearer(batch.key))
    await until(() => queued(gw, 'gpu') === 1, 2_000, 'b2 queued')
    const quick = Date.now()
    expect((await postJson(gw.url, '/v1/chat/completions', chat('anon'))).status).toBe(200)
    expect(Date.now() - quick).toBeLessThan(300)
    expect((await waiting).status).toBe(200)
    expect(seen.order).toEqual(['b1', 'anon', 'b2'])
    expect(seen.arrivedAt.get('b2')! - t0).toBeGreaterThanOrEqual(WINDOW_MS - 50)
  })

  it("a 'high' priority app jumps a 'normal' request already waiting", async () => {
    const seen = await setup({ limits: { maxConcurrent: 1 }, queue: { timeoutMs: 5_000 } }, 200)
    const ui = await gw.gateway.api.createApp({ name: 'ui', priority: 'high' })
    const batch = await gw.gateway.api.createApp({ name: 'batch' })
    const blocker = postJson(gw.url, '/v1/chat/completions', chat('blocker'))
    await until(() => seen.inFlight === 1, 2_000, 'blocker in flight')
    const normal = postJson(gw.url, '/v1/chat/completions', chat('normal'), bearer(batch.key))
    await until(() => queued(gw, 'gpu') === 1, 2_000, 'normal queued')
    const high = postJson(gw.url, '/v1/chat/completions', chat('high'), bearer(ui.key))
    await until(() => queued(gw, 'gpu') === 2, 2_000, 'high queued')
    const rs = await Promise.all([blocker, normal, high])
    expect(rs.map((r) => r.status)).toEqual([200, 200, 200])
    expect(seen.order).toEqual(['blocker', 'high', 'normal'])
    expect(seen.maxInFlight).toBe(1)
  })
})
