// One undici pool per upstream origin (and connect timeout), kept across config changes so
// keep-alive connections survive an edit; pools no config uses any more are closed gracefully.
import { Pool } from 'undici'
import type { Upstream } from '../providers/providerRuntime'

const KEEP_ALIVE_MS = 30_000

export class PoolRegistry {
  private readonly pools = new Map<string, Pool>()

  get(upstream: Upstream): Pool {
    const key = poolKey(upstream)
    let pool = this.pools.get(key)
    if (!pool) {
      pool = new Pool(upstream.origin, {
        connections: null, // admission control, not the pool, bounds concurrency
        pipelining: 1,
        keepAliveTimeout: KEEP_ALIVE_MS,
        keepAliveMaxTimeout: 10 * 60_000,
        connect: { timeout: upstream.timeouts.connectMs },
        headersTimeout: 0,
        bodyTimeout: 0,
      })
      this.pools.set(key, pool)
    }
    return pool
  }

  /** Closes (after their in-flight requests finish) the pools none of `upstreams` uses. */
  retainOnly(upstreams: Iterable<Upstream>): void {
    const keep = new Set<string>()
    for (const u of upstreams) keep.add(poolKey(u))
    for (const [key, pool] of this.pools) {
      if (keep.has(key)) continue
      this.pools.delete(key)
      void pool.close().catch(() => undefined)
    }
  }

  async close(): Promise<void> {
    const pools = [...this.pools.values()]
    this.pools.clear()
    await Promise.all(pools.map((p) => p.close().catch(() => undefined)))
  }

  destroy(): void {
    for (const pool of this.pools.values()) void pool.destroy().catch(() => undefined)
    this.pools.clear()
  }
}

function poolKey(u: Upstream): string {
  return `${u.origin}|${u.timeouts.connectMs}`
}
