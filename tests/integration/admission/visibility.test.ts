// What operators see of admission: the stats snapshot (gateway.api.getStats) per provider, and
// switchyard_queue_depth{provider} on /metrics, while requests are in flight and queued.
import { afterEach, describe, expect, it } from 'vitest'
import { startMockBackend, type MockBackend } from '../../helpers/mockBackend'
import { startTestGateway, type TestGateway } from '../../helpers/gateway'
import { postJson, request } from '../../helpers/http'
import { chat, instrument, MODEL, queued, until } from './helpers'

describe('admission: visibility', () => {
  let mock: MockBackend
  let gw: TestGateway
  afterEach(async () => {
    await gw?.close()
    await mock?.close()
  })

  it('getStats and /metrics show in-flight, queued, admitted/rejected, rpm/tpm vs limits and queue wait percentiles', async () => {
    mock = await startMockBackend({ flavor: 'vllm', models: [MODEL] })
    mock.usage = { prompt_tokens: 10, completion_tokens: 5 }
    const seen = instrument(mock, 400)
    gw = await startTestGateway({
      providers: [{ id: 'gpu', kind: 'vllm', baseUrl: mock.baseUrl, models: [MODEL], limits: { maxConcurrent: 1, rpm: 100, tpm: 50_000 }, queue: { maxSize: 1, timeoutMs: 5_000 } }],
    })
    const first = postJson(gw.url, '/v1/chat/completions', chat('first'))
    await until(() => seen.inFlight === 1, 2_000, 'first in flight')
    const second = postJson(gw.url, '/v1/chat/completions', chat('second'))
    await until(() => queued(gw, 'gpu') === 1, 2_000, 'second queued')
    const refused = await postJson(gw.url, '/v1/chat/completions', chat('third'))
    expect(refused.status).toBe(503)

    const live = (await gw.gateway.api.getStats(undefined)).providers.gpu!
    expect(live).toMatchObject({ inFlight: 1, queued: 1, admitted: 1, rejected: 1, maxConcurrent: 1, rpm: { used: 1, limit: 100 }, tpm: { limit: 50_000 } })
    expect(live.tpm.used).toBeGreaterThan(0) // the reservation of the one in flight

    const metrics = await request(gw.url, { path: '/metrics' })
    expect(metrics.status).toBe(200)
    expect(metrics.text).toMatch(/^switchyard_queue_depth\{provider="gpu"\} 1$/m)

    expect((await first).status).toBe(200)
    expect((await second).status).toBe(200)
    await until(() => gw.gateway.admission.snapshot().gpu!.tpm.used === 30, 1_000, 'both settled')
    const after = (await gw.gateway.api.getStats(undefined)).providers.gpu!
    expect(after).toMatchObject({ inFlight: 0, queued: 0, admitted: 2, rejected: 1, rpm: { used: 2, limit: 100 }, tpm: { used: 30, limit: 50_000 } })
    // One went straight through (0 ms), one waited for the slot (~400 ms).
    expect(after.queueWaitMs.p50).toBe(0)
    expect(after.queueWaitMs.p95).toBeGreaterThanOrEqual(200)
    const idle = await request(gw.url, { path: '/metrics' })
    expect(idle.text).toMatch(/^switchyard_queue_depth\{provider="gpu"\} 0$/m)
  })
})
