// Three gateways sharing one Redis enforce one set of limits: RPM exactly (a burst of 100 spread
// over them admits exactly the 30 an `rpm: 30` allows), concurrency (the upstream never sees more
// than `maxConcurrent` at once, measured at the upstream), and a 429's Retry-After seen by one
// instance holds the others back.
import { afterEach, describe, expect, it } from 'vitest'
import { postJson } from '../../helpers/http'
import { chat, closeMocks, instrumentedMock, MODEL } from '../admission/helpers'
import { redisAvailable, teamSuiteTitle, startTeam, until, useRedis, type Team } from './teamHarness'

describe.skipIf(!redisAvailable && !process.env.CI)(teamSuiteTitle('team: shared limits across three instances (real redis-server)'), () => {
  const redis = useRedis()
  let team: Team | undefined
  afterEach(async () => {
    await team?.close()
    team = undefined
    await closeMocks()
  })

  it('rpm 30: a burst of 100 spread over three instances admits exactly 30; the upstream sees 30', async () => {
    const { mock, seen } = await instrumentedMock('gpu', 0)
    team = await startTeam(redis(), 3, { providers: [{ id: 'gpu', kind: 'vllm', baseUrl: mock.baseUrl, models: [MODEL], limits: { rpm: 30 }, queue: { maxSize: 0 } }] })
    const answers = await Promise.all(Array.from({ length: 100 }, (_, i) => postJson(team!.gateways[i % 3]!.url, '/v1/chat/completions', chat(`r${i}`))))
    const statuses = answers.map((a) => a.status)
    expect(statuses.filter((s) => s === 200)).toHaveLength(30)
    expect(statuses.filter((s) => s === 429)).toHaveLength(70)
    expect(seen.order).toHaveLength(30)
    // Every instance took part in the burst (the limit is the team's, not one instance's).
    const perInstance = team.gateways.map((g) => g.gateway.admission.snapshot().gpu!.admitted)
    expect(perInstance.reduce((a, b) => a + b, 0)).toBe(30)
    expect(perInstance.filter((n) => n > 0).length).toBeGreaterThanOrEqual(2)
    const limited = answers.find((a) => a.status === 429)!
    expect(Number(limited.headers['retry-after'])).toBeGreaterThanOrEqual(1)
    expect(limited.json<{ error: { message: string } }>().error.message).toMatch(/requests-per-minute/)
  })

  it('maxConcurrent 2 across three instances: the upstream never holds more than 2, and every request is served', async () => {
    const { mock, seen } = await instrumentedMock('gpu', 120)
    team = await startTeam(redis(), 3, { providers: [{ id: 'gpu', kind: 'vllm', baseUrl: mock.baseUrl, models: [MODEL], limits: { maxConcurrent: 2 }, queue: { timeoutMs: 20_000 } }] })
    const t0 = Date.now()
    const answers = await Promise.all(Array.from({ length: 24 }, (_, i) => postJson(team!.gateways[i % 3]!.url, '/v1/chat/completions', chat(`c${i}`))))
    expect(answers.map((a) => a.status)).toEqual(Array(24).fill(200))
    expect(seen.maxInFlight).toBe(2) // reached, never exceeded
    expect(seen.order).toHaveLength(24)
    // Queues were woken by releases anywhere, not by polling: 24 × 120 ms / 2 slots ≈ 1.44 s of work.
    expect(Date.now() - t0).toBeLessThan(6_000)
    for (const g of team.gateways) expect(g.gateway.admission.snapshot().gpu).toMatchObject({ inFlight: 0, queued: 0 })
  })

  it('a 429 with Retry-After seen by one instance holds the others back until it has passed', async () => {
    const { mock, seen } = await instrumentedMock('cloud', 0)
    team = await startTeam(redis(), 3, { providers: [{ id: 'cloud', kind: 'openai-compatible', baseUrl: mock.baseUrl, apiKey: 'sk-team-test', models: [MODEL] }] })
    const [a, b, c] = team.gateways as [NonNullable<Team['gateways'][0]>, NonNullable<Team['gateways'][0]>, NonNullable<Team['gateways'][0]>]
    seen.failNext = [429]
    seen.headers = { 'retry-after': '2' }
    const limited = await postJson(a.url, '/v1/chat/completions', chat('first'))
    const at = Date.now()
    seen.headers = {}
    expect(limited.status).toBe(429)
    // Pub/sub carries it to the others within milliseconds (measured; bounded here at 1 s).
    await until(() => [b, c].every((g) => (g.gateway.admission.snapshot().cloud?.upstream?.cooldownUntil ?? 0) > at), 1_000, 'the others learned the cooldown')
    const propagationMs = Date.now() - at
    const held = await Promise.all([postJson(b.url, '/v1/chat/completions', chat('via-b')), postJson(c.url, '/v1/chat/completions', chat('via-c'))])
    expect(held.map((r) => r.status)).toEqual([200, 200])
    expect(seen.order).toEqual(['first', ...seen.order.slice(1)])
    for (const tag of ['via-b', 'via-c']) expect(seen.arrivedAt.get(tag)! - at).toBeGreaterThanOrEqual(1_900)
    expect(propagationMs).toBeLessThan(1_000)
    console.log(`[team] 429 cooldown known to the other instances after ${propagationMs} ms`)
  })
})
