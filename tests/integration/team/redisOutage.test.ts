// Redis trouble never stops proxying: killed mid-load, every request still succeeds (the limits
// here are never the reason to refuse), each instance warns (log once, /health, status, /metrics)
// and decides alone on its share of the limits; after a restart (empty, as after a crash without
// persistence) the instances resync what they hold and decide together again.
//
// The upstream's peak concurrency is measured per phase: exact (≤ maxConcurrent) with Redis,
// before the outage and after the rejoin; during the outage each instance keeps to its share,
// but what was running when Redis died may be spread unevenly (one instance above its share while
// the others start on theirs), so the bound there is maxConcurrent + (N-1) × share.
import { afterEach, describe, expect, it } from 'vitest'
import { postJson } from '../../helpers/http'
import { chat, closeMocks, instrumentedMock, MODEL } from '../admission/helpers'
import { health, metric, redisAvailable, teamSuiteTitle, sleep, startTeam, until, useRedis, type Team } from './teamHarness'
import type { TestGateway } from '../../helpers/gateway'

const isRejoining = (g: TestGateway): boolean => g.gateway.state.limits?.rejoining === true

describe.skipIf(!redisAvailable && !process.env.CI)(teamSuiteTitle('team: Redis killed under load (real redis-server)'), () => {
  const redis = useRedis()
  let team: Team | undefined
  afterEach(async () => {
    await team?.close()
    team = undefined
    await closeMocks()
  })

  it('0 failed requests, the warning shows everywhere, the upstream stays within its limit, and state resyncs after the restart', async () => {
    const { mock, seen } = await instrumentedMock('gpu', 40)
    team = await startTeam(redis(), 3, {
      providers: [{ id: 'gpu', kind: 'vllm', baseUrl: mock.baseUrl, models: [MODEL], limits: { maxConcurrent: 6, rpm: 100_000 }, queue: { timeoutMs: 20_000, maxSize: 1_000 } }],
    })
    const gws = team.gateways
    let sent = 0
    let stop = false
    const statuses: number[] = []
    // 12 clients in a loop, spread over the three instances, until told to stop (bounded: 40 s).
    const deadline = Date.now() + 40_000
    const clients = Array.from({ length: 12 }, async (_, c) => {
      while (!stop && Date.now() < deadline) {
        const i = sent++
        const r = await postJson(gws[(c + i) % 3]!.url, '/v1/chat/completions', chat(`k${i}`))
        statuses.push(r.status)
      }
    })
    await until(() => statuses.length >= 60, 10_000, 'load running')
    const peakBefore = seen.maxInFlight
    await redis().kill()
    seen.maxInFlight = seen.inFlight
    const killedAt = statuses.length
    // Every instance notices (a command fails or the socket closes) and says so.
    await until(() => gws.every((g) => g.gateway.status().stateWarning !== undefined), 5_000, 'warning on every instance')
    const h = await health(gws[0]!)
    expect(h.status).toBe('ok')
    expect(h.state).toMatchObject({ backend: 'redis', up: false })
    expect(h.warnings.join(' ')).toMatch(/unreachable.*share of every limit \(1\/3/)
    expect(await metric(gws[1]!, 'switchyard_state_backend_up')).toBe(0)
    expect(gws[2]!.logs.filter((l) => l.includes('shared state (Redis) unreachable')).length).toBe(1) // warned once
    await until(() => statuses.length >= killedAt + 60, 15_000, 'load goes on without Redis')
    await sleep(300)
    await redis().restart()
    await until(() => gws.every((g) => g.gateway.state.status().up), 10_000, 'every instance back on shared state')
    // Rejoined: each instance pushed what it holds and waited for the others to do the same.
    await until(() => gws.every((g) => g.gateway.admission.snapshot().gpu?.shared?.decidedBy === 'team' && !isRejoining(g)), 15_000, 'every instance decides through the team again')
    const peakDuringOutage = seen.maxInFlight
    seen.maxInFlight = seen.inFlight
    const afterRestart = statuses.length
    await until(() => statuses.length >= afterRestart + 60, 15_000, 'load goes on after the restart')
    stop = true
    await Promise.all(clients)

    console.log(`[team] ${statuses.length} requests, 0 failed; upstream peak ${peakBefore} shared, ${peakDuringOutage} during the outage, ${seen.maxInFlight} after the rejoin (limit 6)`)
    expect(statuses.filter((s) => s !== 200)).toEqual([]) // 0 failed requests
    expect(peakBefore).toBeLessThanOrEqual(6) // shared: exact
    expect(peakBefore).toBeGreaterThanOrEqual(3) // and the load did use the shared limit
    expect(peakDuringOutage).toBeLessThanOrEqual(6 + 2 * 2) // alone: 2 each, plus what was running unevenly
    expect(seen.maxInFlight).toBeLessThanOrEqual(6) // rejoined: exact again
    const h2 = await health(gws[0]!)
    expect(h2).toMatchObject({ status: 'ok', warnings: [], state: { up: true, instances: 3 } })
    expect(await metric(gws[0]!, 'switchyard_state_backend_up')).toBe(1)
    for (const g of gws) expect(g.gateway.status().stateWarning).toBeUndefined()
    // Resynced: the team's concurrency set holds no lease of a request that is not running.
    expect(Number(await redis().command("ZCARD", "switchyard:lim:p:gpu:c"))).toBe(0)
  })
})
