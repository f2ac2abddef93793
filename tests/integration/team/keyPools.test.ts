// Key pools: a provider with several keys spreads requests by weight, rests a key after 401 /
// 429, honours each key's own limits, and the ledger says which key served each request (by
// label, never the key). The same with two instances on one Redis: a key rested by one instance
// is rested for the other.
import { afterEach, describe, expect, it } from 'vitest'
import { postJson } from '../../helpers/http'
import { startTestGateway, type TestGateway } from '../../helpers/gateway'
import { chat, closeMocks, instrumentedMock, MODEL } from '../admission/helpers'
import { redisAvailable, teamSuiteTitle, startTeam, until, useRedis, type Team } from './teamHarness'
import type { RequestLogEntry } from '../../../src/shared/api'

const KEYS = { 'sk-pool-alpha-0001': 'alpha', 'sk-pool-bravo-0002': 'bravo', 'sk-pool-charlie-03': 'charlie' } as const

function keysSeen(mock: { requests: Array<{ path: string; headers: Record<string, unknown> }> }): string[] {
  return mock.requests.filter((r) => r.path.endsWith('/chat/completions')).map((r) => KEYS[String(r.headers.authorization).replace('Bearer ', '') as keyof typeof KEYS] ?? '?')
}

function pooled(baseUrl: string, extra: object = {}): Record<string, unknown> {
  return {
    id: 'cloud',
    kind: 'openai-compatible',
    baseUrl,
    models: [MODEL],
    apiKeys: [
      { key: 'sk-pool-alpha-0001', label: 'alpha', weight: 1 },
      { key: 'sk-pool-bravo-0002', label: 'bravo', weight: 2 },
    ],
    ...extra,
  }
}

async function ledger(g: TestGateway): Promise<RequestLogEntry[]> {
  const rows = await g.gateway.api.listRequests({ limit: 100 })
  return rows.items
}

describe('key pools (one instance, embedded state)', () => {
  let gw: TestGateway | undefined
  afterEach(async () => {
    await gw?.close()
    gw = undefined
    await closeMocks()
  })

  it('spreads by weight, records the key label per request, and never shows the key', async () => {
    const { mock } = await instrumentedMock('cloud', 0)
    gw = await startTestGateway({ providers: [pooled(mock.baseUrl)] })
    for (let i = 0; i < 6; i++) expect((await postJson(gw.url, '/v1/chat/completions', chat(`w${i}`))).status).toBe(200)
    const seen = keysSeen(mock)
    expect(seen.filter((k) => k === 'alpha')).toHaveLength(2)
    expect(seen.filter((k) => k === 'bravo')).toHaveLength(4)
    await until(() => gw!.gateway.usage.queries.recent(10).filter((r) => r.state === 'ok').length === 6, 3_000, 'rows written')
    const rows = await ledger(gw)
    expect(rows.map((r) => r.keyLabel).sort()).toEqual(['alpha', 'alpha', 'bravo', 'bravo', 'bravo', 'bravo'])
    const masked = await gw.gateway.api.getConfig(undefined)
    expect(JSON.stringify(masked)).not.toContain('sk-pool-')
    expect(masked.providers[0]!.apiKeys!.map((k) => k.key)).toEqual(['********', '********'])
    const team = await gw.gateway.api.getTeamStatus(undefined)
    expect(team.backend).toBe('embedded')
    const keys = team.providers.find((p) => p.provider === 'cloud')!.keys
    expect(keys.map((k) => [k.label, k.requests24h, k.available])).toEqual([
      ['alpha', 2, true],
      ['bravo', 4, true],
    ])
  })

  it('a 401 rests that key (the others carry on); a 429 with Retry-After rests it for that long', async () => {
    const { mock, seen } = await instrumentedMock('cloud', 0)
    gw = await startTestGateway({ providers: [pooled(mock.baseUrl)] })
    // Whichever key the rotation starts on gets the 401.
    seen.failNext = [401]
    const refused = await postJson(gw.url, '/v1/chat/completions', chat('refused'))
    expect(refused.status).toBe(401)
    const restedKey = keysSeen(mock)[0]!
    for (let i = 0; i < 4; i++) expect((await postJson(gw.url, '/v1/chat/completions', chat(`after-401-${i}`))).status).toBe(200)
    expect(keysSeen(mock).slice(1)).toEqual(Array(4).fill(restedKey === 'alpha' ? 'bravo' : 'alpha'))
    const view = (await gw.gateway.api.getTeamStatus(undefined)).providers[0]!.keys.find((k) => k.label === restedKey)!
    expect(view).toMatchObject({ available: false, trouble: 'auth', troubleStatus: 401 })
    expect(view.cooldownUntil).toBeGreaterThan(Date.now() + 60_000)
    // The provider itself is not busy: its breaker saw no cooldown.
    expect(gw.gateway.router.health.snapshot(['cloud'])[0]!.cooldownUntil).toBeUndefined()
  })

  it('each key keeps its own limits: rpm 1 per key, three keys, three requests go at once and a fourth waits', async () => {
    const { mock } = await instrumentedMock('cloud', 0)
    const keys = Object.entries(KEYS).map(([key, label]) => ({ key, label, limits: { rpm: 1 } }))
    gw = await startTestGateway({ providers: [pooled(mock.baseUrl, { apiKeys: keys, queue: { maxSize: 0 } })] })
    const answers = await Promise.all(Array.from({ length: 4 }, (_, i) => postJson(gw!.url, '/v1/chat/completions', chat(`l${i}`))))
    expect(answers.map((a) => a.status).sort()).toEqual([200, 200, 200, 429])
    expect(keysSeen(mock).sort()).toEqual(['alpha', 'bravo', 'charlie'])
  })
})

describe.skipIf(!redisAvailable && !process.env.CI)(teamSuiteTitle('key pools in a team (two instances, real redis-server)'), () => {
  const redis = useRedis()
  let team: Team | undefined
  afterEach(async () => {
    await team?.close()
    team = undefined
    await closeMocks()
  })

  it('per-key limits are the team\'s: two keys × rpm 2 admit exactly four across both instances; each ledger names its keys', async () => {
    const { mock } = await instrumentedMock('cloud', 0)
    const keys = [
      { key: 'sk-pool-alpha-0001', label: 'alpha', limits: { rpm: 2 } },
      { key: 'sk-pool-bravo-0002', label: 'bravo', limits: { rpm: 2 } },
    ]
    team = await startTeam(redis(), 2, { providers: [pooled(mock.baseUrl, { apiKeys: keys, queue: { maxSize: 0 } })] })
    const [a, b] = team.gateways as [TestGateway, TestGateway]
    const answers = await Promise.all(Array.from({ length: 6 }, (_, i) => postJson((i % 2 ? a : b).url, '/v1/chat/completions', chat(`t${i}`))))
    // Two keys × rpm 2, shared by both instances: exactly four requests go.
    expect(answers.map((x) => x.status).sort()).toEqual([200, 200, 200, 200, 429, 429])
    expect(keysSeen(mock).sort()).toEqual(['alpha', 'alpha', 'bravo', 'bravo'])
    await until(() => a.gateway.usage.queries.recent(10).filter((r) => r.state === 'ok').length + b.gateway.usage.queries.recent(10).filter((r) => r.state === 'ok').length === 4, 3_000, 'rows')
    const labels = [...(await ledger(a)), ...(await ledger(b))].filter((r) => r.status === 200).map((r) => r.keyLabel).sort()
    expect(labels).toEqual(['alpha', 'alpha', 'bravo', 'bravo'])
  })

  it('a 429 on one key at one instance rests that key at the other', async () => {
    const { mock, seen } = await instrumentedMock('cloud', 0)
    team = await startTeam(redis(), 2, { providers: [pooled(mock.baseUrl)] })
    const [a, b] = team.gateways as [TestGateway, TestGateway]
    seen.failNext = [429]
    seen.headers = { 'retry-after': '30' }
    expect((await postJson(a.url, '/v1/chat/completions', chat('limited'))).status).toBe(429)
    seen.headers = {}
    const rested = keysSeen(mock)[0]!
    const other = rested === 'alpha' ? 'bravo' : 'alpha'
    await until(() => b.gateway.admission.keyRing('cloud')?.get(rested)?.limiter.snapshot().upstream?.cooldownUntil !== undefined, 1_000, 'b learned the key cooldown')
    for (let i = 0; i < 4; i++) expect((await postJson(b.url, '/v1/chat/completions', chat(`b${i}`))).status).toBe(200)
    expect(keysSeen(mock).slice(1)).toEqual(Array(4).fill(other))
  })
})
