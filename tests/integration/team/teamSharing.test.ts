// What else a team shares through Redis: app keys (hashes) and their limits, config changes,
// breaker state, and usage rollups (any instance reads the team's totals).
import { afterEach, describe, expect, it } from 'vitest'
import { postJson } from '../../helpers/http'
import type { TestGateway } from '../../helpers/gateway'
import { chat, closeMocks, instrumentedMock, MODEL } from '../admission/helpers'
import { redisAvailable, teamSuiteTitle, sleep, startTeam, until, useRedis, type Team } from './teamHarness'

describe.skipIf(!redisAvailable && !process.env.CI)(teamSuiteTitle('team: app keys, config, breakers and usage are shared (real redis-server)'), () => {
  const redis = useRedis()
  let team: Team | undefined
  afterEach(async () => {
    await team?.close()
    team = undefined
    await closeMocks()
  })

  async function pair(extra: Record<string, unknown> = {}): Promise<[TestGateway, TestGateway, Awaited<ReturnType<typeof instrumentedMock>>]> {
    const mock = await instrumentedMock('gpu', 0)
    team = await startTeam(redis(), 2, { server: { requireAppKey: false }, providers: [{ id: 'gpu', kind: 'vllm', baseUrl: mock.mock.baseUrl, models: [MODEL], queue: { maxSize: 0 } }], ...extra })
    return [team.gateways[0]!, team.gateways[1]!, mock]
  }

  it('an app key made on one instance works on the other; its limits are the team\'s; revoked anywhere, refused everywhere', async () => {
    const [a, b] = await pair({ server: { requireAppKey: true } })
    const { key } = await a.gateway.api.createApp({ name: 'ci-bot', rpm: 2 })
    const auth = { authorization: `Bearer ${key}` }
    await until(() => b.gateway.usage.appKeys.list().some((k) => k.name === 'ci-bot'), 2_000, 'b knows the key')
    expect(b.gateway.usage.appKeys.list().find((k) => k.name === 'ci-bot')).toMatchObject({ rpm: 2 })
    // Stored hashed: the team's Redis holds no key.
    expect(JSON.stringify(await redis().command('HGETALL', 'switchyard:apps'))).not.toContain(key)
    const answers = [await postJson(b.url, '/v1/chat/completions', chat('b1'), auth), await postJson(a.url, '/v1/chat/completions', chat('a1'), auth)]
    expect(answers.map((r) => r.status)).toEqual([200, 200])
    // rpm 2 is the app's across the team (no queue here): the third request is refused.
    const third = await postJson(b.url, '/v1/chat/completions', chat('b2'), auth)
    expect(third.status).toBe(429)
    expect(third.json<{ error: { message: string } }>().error.message).toMatch(/app "ci-bot"/)
    await b.gateway.api.revokeApp({ name: 'ci-bot' })
    await until(() => !a.gateway.usage.appKeys.list().some((k) => k.name === 'ci-bot'), 2_000, 'a dropped the key')
    expect((await postJson(a.url, '/v1/chat/completions', chat('a2'), auth)).status).toBe(401)
  })

  it('a config change made on one instance applies on the other (its server section stays its own)', async () => {
    const [a, b] = await pair()
    const portB = b.gateway.runtime().config.server.port
    await a.gateway.api.upsertProvider({ id: 'extra', provider: { id: 'extra', kind: 'ollama', baseUrl: 'http://127.0.0.1:11434' } })
    await until(() => b.gateway.runtime().config.providers.some((p) => p.id === 'extra'), 2_000, 'b has the new provider')
    expect(b.gateway.runtime().config.server.port).toBe(portB)
    expect(b.gateway.runtime().config.state?.redis).toBe(redis().url)
  })

  it('a breaker opened by one instance is open on the other', async () => {
    const [a, b] = await pair({ providers: [{ id: 'dead', kind: 'vllm', baseUrl: 'http://127.0.0.1:9/v1', models: [MODEL] }] })
    for (let i = 0; i < 3; i++) await postJson(a.url, '/v1/chat/completions', chat(`x${i}`))
    expect(a.gateway.router.health.snapshot(['dead'])[0]!.state).toBe('open')
    await until(() => b.gateway.router.health.snapshot(['dead'])[0]!.state === 'open', 1_000, 'b sees it open')
  })

  it('usage rollups: either instance shows the team\'s totals (scope=team); each ledger keeps its own', async () => {
    const [a, b, { mock }] = await pair()
    mock.usage = { prompt_tokens: 10, completion_tokens: 5 }
    for (let i = 0; i < 3; i++) await postJson(a.url, '/v1/chat/completions', chat(`a${i}`))
    for (let i = 0; i < 2; i++) await postJson(b.url, '/v1/chat/completions', chat(`b${i}`))
    const teamRows = async (g: TestGateway) => (await g.gateway.api.getUsage({ scope: 'team', groupBy: 'provider' })).rows
    for (let tries = 0; (await teamRows(a))[0]?.requests !== 5; tries++) {
      if (tries > 50) throw new Error('team totals not flushed within 5 s')
      await sleep(100)
    }
    for (const g of [a, b]) expect(await teamRows(g)).toEqual([{ provider: 'gpu', requests: 5, promptTokens: 50, completionTokens: 25, totalTokens: 75, costUsd: 0 }])
    const mine = (await a.gateway.api.getUsage({ groupBy: 'provider' })).rows
    expect(mine).toMatchObject([{ provider: 'gpu', requests: 3 }])
  })
})
