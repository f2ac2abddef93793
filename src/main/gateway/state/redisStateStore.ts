// Team mode: the StateStore on one Redis. Composes the connection, the team channel, shared
// limits, instance membership, breaker/app-key/config sharing and usage rollups, and says in one
// place (status().warning) what is wrong when Redis is not reachable.
import type { Logger } from '../common/log'
import { EventBus } from './eventBus'
import { HEARTBEAT, InstanceRegistry } from './instances'
import { ADMIT, LEARN, READ, RELEASE, RENEW, RESYNC } from './limitScripts'
import { RedisConnection, redactUrl } from './redisConnection'
import { RedisLimits } from './redisLimits'
import { HEALTH_GET, HEALTH_SET, RedisAppKeys, RedisConfig, RedisHealth } from './redisShared'
import { newInstanceId, selfInfo, type StateStatus, type StateStore } from './stateStore'
import { RedisTeamUsage } from './teamUsage'

export interface RedisStateOptions {
  url: string
  prefix?: string
  failMode?: 'open' | 'closed'
  commandTimeoutMs?: number
  version: string
  logger: Logger
  /** RPM/TPM window (tests shorten it, like admission's). */
  windowMs?: number
  /** Concurrency lease lifetime without renewal (default 30 s). */
  leaseTtlMs?: number
  usageRetentionDays?: () => number
}

const SCRIPTS = {
  syAdmit: ADMIT,
  syRelease: RELEASE,
  syRenew: RENEW,
  syLearn: LEARN,
  syRead: READ,
  syResync: RESYNC,
  syHeartbeat: HEARTBEAT,
  syHealthSet: HEALTH_SET,
  syHealthGet: HEALTH_GET,
}

export class RedisStateStore implements StateStore {
  readonly backend = 'redis' as const
  readonly instanceId = newInstanceId()
  readonly limits: RedisLimits
  readonly health: RedisHealth
  readonly appKeys: RedisAppKeys
  readonly config: RedisConfig
  readonly usage: RedisTeamUsage
  private readonly conn: RedisConnection
  private readonly instances: InstanceRegistry
  private readonly listeners = new Set<(s: StateStatus) => void>()
  private readonly opened: Promise<void>

  constructor(private readonly opts: RedisStateOptions) {
    this.conn = new RedisConnection(
      { url: opts.url, prefix: `${opts.prefix ?? 'switchyard'}:`, commandTimeoutMs: opts.commandTimeoutMs ?? 500, connectTimeoutMs: 2_000 },
      opts.logger,
    )
    const bus = new EventBus(this.conn, this.instanceId, opts.logger)
    this.instances = new InstanceRegistry(this.conn, selfInfo(this.instanceId, opts.version), () => this.changed(), () => this.limits.sharePhase())
    this.limits = new RedisLimits(this.conn, bus, opts.logger, {
      windowMs: opts.windowMs,
      leaseTtlMs: opts.leaseTtlMs,
      instances: () => this.instances.count(),
      instanceIds: () => this.instances.list().map((i) => i.id),
      teamRejoined: (ids) => {
        this.instances.markOutage()
        return this.instances.rejoined(ids)
      },
    })
    this.health = new RedisHealth(this.conn, bus)
    this.appKeys = new RedisAppKeys(this.conn, bus)
    this.config = new RedisConfig(this.conn, bus)
    this.usage = new RedisTeamUsage(this.conn, opts.usageRetentionDays ?? (() => 400))
    this.limits.onStatus(() => this.changed())
    this.opened = this.conn.open(SCRIPTS).catch((err: unknown) => {
      opts.logger.error({ err: (err as Error).message }, 'shared state: the Redis client could not be started; this instance decides alone')
    })
  }

  status(): StateStatus {
    const conn = this.conn.status()
    const up = this.limits.up
    const status: StateStatus = {
      backend: 'redis',
      up,
      url: redactUrl(this.opts.url),
      failMode: this.opts.failMode ?? 'closed',
      instanceId: this.instanceId,
      instances: this.instances.list(),
      downSince: up ? undefined : conn.downSince,
      reason: up ? undefined : (conn.reason ?? (conn.up ? 'resyncing' : undefined)),
    }
    if (!up) status.warning = this.warning(status)
    return status
  }

  onStatus(listener: (s: StateStatus) => void): () => void {
    this.listeners.add(listener)
    return () => this.listeners.delete(listener)
  }

  setUrl(url: string | undefined): void {
    this.instances.setUrl(url)
  }

  async whenReady(timeoutMs: number): Promise<boolean> {
    const deadline = Date.now() + timeoutMs
    await this.opened
    if (!(await this.conn.whenUp(Math.max(0, deadline - Date.now())))) return false
    // Connected: wait for the resync (and the first heartbeat) to finish, within the same budget.
    while (!this.limits.up && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10))
    await this.instances.beat()
    return this.limits.up
  }

  async close(): Promise<void> {
    await this.opened
    await this.instances.leave()
    await this.usage.close()
    this.limits.close()
    await this.conn.close()
  }

  private warning(s: StateStatus): string {
    const since = s.downSince ? ` since ${new Date(s.downSince).toISOString()}` : ''
    const n = this.limits.instances()
    const how =
      s.failMode === 'open'
        ? 'each instance enforces the whole of every limit on its own (fail open)'
        : `each instance enforces its share of every limit (1/${n} of it, fail closed)`
    return `shared state (Redis at ${s.url}) is unreachable${since}${s.reason ? ` (${s.reason})` : ''}: proxying continues, ${how}; state resyncs when it is back`
  }

  private changed(): void {
    const s = this.status()
    for (const l of this.listeners) l(s)
  }
}
