// Several gateways (in-process createGateway, each with its own data dir) sharing one real
// redis-server, the way a team runs several `switchyard serve` instances.
import { afterAll, beforeAll } from 'vitest'
import { startTestGateway, type TestGateway } from '../../helpers/gateway'
import type { GatewayOptions } from '../../../src/main/gateway/createGateway'
import { hasRedisServer, startRedis, type RedisServer } from '../../helpers/redisServer'
import { request } from '../../helpers/http'
import { until } from '../../helpers/wait'

export { until, sleep } from '../../helpers/wait'

export const redisAvailable = hasRedisServer()

/** A team suite's title; where it skips (no redis-server outside CI), the title says why: a skip is not a pass. */
export function teamSuiteTitle(title: string): string {
  return redisAvailable || process.env.CI ? title : `${title} [skipped: redis-server is not installed (apt-get install redis-server); CI installs it and fails instead]`
}

/** One redis-server for the file (flushed between tests by team()). */
export function useRedis(): () => RedisServer {
  let redis: RedisServer | undefined
  beforeAll(async () => {
    if (redisAvailable) redis = await startRedis()
  })
  afterAll(async () => {
    await redis?.stop()
  })
  return () => {
    if (!redis) throw new Error('redis-server is not installed (apt-get install redis-server)')
    return redis
  }
}

export interface Team {
  gateways: TestGateway[]
  close(): Promise<void>
}

/** `n` gateways on `config` + `state.redis`; extra options per gateway (e.g. shorter leases). */
export async function startTeam(redis: RedisServer, n: number, config: Record<string, unknown>, opts: { state?: Record<string, unknown>; admission?: GatewayOptions['admission']; team?: GatewayOptions['team']; routing?: GatewayOptions['routing'] } = {}): Promise<Team> {
  await redis.command('FLUSHALL')
  const gateways: TestGateway[] = []
  for (let i = 0; i < n; i++) {
    gateways.push(
      await startTestGateway(
        { ...config, state: { redis: redis.url, ...opts.state } },
        { admission: opts.admission, team: { connectTimeoutMs: 3_000, ...opts.team }, routing: opts.routing },
      ),
    )
  }
  // Every instance has seen every other (their heartbeats) before the test starts.
  await until(() => gateways.every((g) => g.gateway.state.status().instances.length === n), 5_000, 'all instances see each other')
  return {
    gateways,
    async close() {
      await Promise.all(gateways.map((g) => g.close()))
    },
  }
}

export async function health(g: TestGateway): Promise<{ status: string; warnings: string[]; state: { backend: string; up: boolean; instances: number } }> {
  const r = await request(g.url, { path: '/health' })
  return r.json()
}

export async function metric(g: TestGateway, name: string): Promise<number | undefined> {
  const r = await request(g.url, { path: '/metrics' })
  const line = r.text.split('\n').find((l) => l.startsWith(name))
  return line === undefined ? undefined : Number(line.split(' ').pop())
}
