// The resolver's "available" is a fact about the provider, not about the row it appears in: a
// down provider that is some model's only candidate (kept by routing as the least-bad choice) is
// not reported available there while reported unavailable in a row that has an alternative.
import { afterEach, describe, expect, it } from 'vitest'
import { startTestGateway, type TestGateway } from '../../helpers/gateway'

let gw: TestGateway | undefined
afterEach(async () => {
  await gw?.close()
  gw = undefined
})

describe('resolveModel: a down provider is unavailable in every row', () => {
  it('alone in its row or next to a healthy one, and the live stats say down too', async () => {
    gw = await startTestGateway({
      providers: [
        { id: 'gpu', kind: 'vllm', baseUrl: 'http://127.0.0.1:9/v1', models: ['solo'] },
        { id: 'cloud', kind: 'openai-compatible', baseUrl: 'http://127.0.0.1:9/v1', models: ['other'] },
      ],
      routes: [{ model: 'both', strategy: 'failover', targets: [{ provider: 'gpu', model: 'solo' }, { provider: 'cloud', model: 'other' }] }],
    })
    for (let i = 0; i < 3; i++) gw.gateway.router.health.record({ providerId: 'gpu', outcome: 'connect_error', message: 'connect ECONNREFUSED' })

    const alone = await gw.gateway.api.resolveModel({ model: 'solo' })
    const both = await gw.gateway.api.resolveModel({ model: 'both' })
    expect(alone.candidates).toEqual([{ provider: 'gpu', upstreamModel: 'solo', available: false }])
    expect(both.candidates).toEqual([
      { provider: 'gpu', upstreamModel: 'solo', available: false },
      { provider: 'cloud', upstreamModel: 'other', available: true },
    ])
    expect((await gw.gateway.api.getStats(undefined)).providers.gpu).toMatchObject({ health: 'open' })
  })

  it('a failing probe shows in the live stats at once (probeFailing), and a success since clears it', async () => {
    gw = await startTestGateway({ providers: [{ id: 'gpu', kind: 'vllm', baseUrl: 'http://127.0.0.1:9/v1', models: ['solo'] }] })
    gw.gateway.router.health.recordProbe('gpu', { ok: false, latencyMs: 3, error: 'ECONNREFUSED' })
    expect((await gw.gateway.api.getStats(undefined)).providers.gpu).toMatchObject({ health: 'closed', probeFailing: true })
    gw.gateway.router.health.record({ providerId: 'gpu', outcome: 'success', status: 200 })
    expect((await gw.gateway.api.getStats(undefined)).providers.gpu!.probeFailing).toBeUndefined()
  })
})
