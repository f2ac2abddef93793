// The smaller things a team shares through Redis, each a hash plus an event on the team channel:
// circuit breaker changes, app keys (hashes only) with their limits and revocations, and the
// config document's team part. What happens while Redis is away is kept and sent on reconnect;
// a reconnect also re-reads the team's state, so a lost event is made up for.
import type { EventBus } from './eventBus'
import type { RedisConnection } from './redisConnection'
import type { HealthEvent, SharedAppKey, SharedAppKeys, SharedConfig, SharedHealth } from './stateStore'

/** KEYS: health hash. ARGV: provider, kind, forMs, channel, from. Stores absolute (Redis) time, publishes relative. */
export const HEALTH_SET = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local forMs = tonumber(ARGV[3])
redis.call('HSET', KEYS[1], ARGV[1], cjson.encode({ kind = ARGV[2], untilAt = now + forMs }))
redis.call('PEXPIRE', KEYS[1], 3600000)
redis.call('PUBLISH', ARGV[4], cjson.encode({ t = 'health', providerId = ARGV[1], kind = ARGV[2], forMs = forMs, from = ARGV[5] }))
return 1
`

/** KEYS: health hash. Returns provider, kind, forMs triples of what still applies. */
export const HEALTH_GET = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local all = redis.call('HGETALL', KEYS[1])
local out = {}
for i = 1, #all, 2 do
  local v = cjson.decode(all[i + 1])
  if v.kind ~= 'closed' and tonumber(v.untilAt) > now then
    out[#out + 1] = all[i]; out[#out + 1] = v.kind; out[#out + 1] = tonumber(v.untilAt) - now
  end
end
return out
`

interface HealthCommands {
  syHealthSet(numKeys: number, ...args: Array<string | number>): Promise<number>
  syHealthGet(numKeys: number, ...args: Array<string | number>): Promise<Array<string | number>>
}

export class RedisHealth implements SharedHealth {
  private readonly listeners = new Set<(e: HealthEvent) => void>()
  private readonly pending = new Map<string, HealthEvent>()
  private readonly key: string

  constructor(
    private readonly conn: RedisConnection,
    private readonly bus: EventBus,
  ) {
    this.key = `${conn.settings.prefix}health`
    bus.on('health', (e) => {
      if (e.from === bus.instanceId) return
      const { providerId, kind, forMs } = e as unknown as { providerId: string; kind: HealthEvent['kind']; forMs: number }
      this.emit(kind === 'closed' ? { providerId, kind } : { providerId, kind, forMs: Number(forMs) })
    })
    conn.onChange((up) => {
      if (up) void this.resync()
    })
  }

  publish(event: HealthEvent): void {
    if (!this.conn.up) {
      this.pending.set(event.providerId, event)
      return
    }
    this.send(event).catch(() => this.pending.set(event.providerId, event))
  }

  onRemote(listener: (e: HealthEvent) => void): () => void {
    this.listeners.add(listener)
    return () => this.listeners.delete(listener)
  }

  private send(event: HealthEvent): Promise<number> {
    const forMs = event.kind === 'closed' ? 0 : Math.max(0, Math.round(event.forMs))
    return this.conn.run((r) => (r as unknown as HealthCommands).syHealthSet(1, this.key, event.providerId, event.kind, forMs, this.bus.channel, this.bus.instanceId))
  }

  private async resync(): Promise<void> {
    try {
      for (const [id, e] of [...this.pending]) {
        this.pending.delete(id)
        await this.send(e)
      }
      const reply = await this.conn.run((r) => (r as unknown as HealthCommands).syHealthGet(1, this.key))
      for (let i = 0; i < reply.length; i += 3) {
        this.emit({ providerId: String(reply[i]), kind: String(reply[i + 1]) as 'open' | 'cooldown', forMs: Number(reply[i + 2]) })
      }
    } catch {
      // retried at the next reconnect
    }
  }

  private emit(e: HealthEvent): void {
    for (const l of this.listeners) l(e)
  }
}

export class RedisAppKeys implements SharedAppKeys {
  private readonly listeners = new Set<(team: { keys: SharedAppKey[]; revoked: Map<string, string> }) => void>()
  private readonly pending: Array<{ op: 'create'; key: SharedAppKey } | { op: 'revoke'; name: string; keyHash: string }> = []
  private readonly keysKey: string
  private readonly revokedKey: string

  constructor(
    private readonly conn: RedisConnection,
    private readonly bus: EventBus,
  ) {
    this.keysKey = `${conn.settings.prefix}apps`
    this.revokedKey = `${conn.settings.prefix}apps:revoked`
    bus.on('apps', (e) => {
      if (e.from !== bus.instanceId) void this.read()
    })
    conn.onChange((up) => {
      if (up) void this.resync()
    })
  }

  created(key: SharedAppKey): void {
    this.apply({ op: 'create', key })
  }

  revoked(name: string, keyHash: string): void {
    this.apply({ op: 'revoke', name, keyHash })
  }

  onChange(listener: (team: { keys: SharedAppKey[]; revoked: Map<string, string> }) => void): () => void {
    this.listeners.add(listener)
    return () => this.listeners.delete(listener)
  }

  private apply(op: RedisAppKeys['pending'][number]): void {
    if (!this.conn.up) {
      this.pending.push(op)
      return
    }
    this.send(op).then(
      () => this.bus.publish('apps'),
      () => this.pending.push(op),
    )
  }

  private send(op: RedisAppKeys['pending'][number]): Promise<unknown> {
    return this.conn.run((r) =>
      op.op === 'create'
        ? r.multi().hset(this.keysKey, op.key.name, JSON.stringify(op.key)).hdel(this.revokedKey, op.key.name).exec()
        : r.multi().hdel(this.keysKey, op.name).hset(this.revokedKey, op.name, JSON.stringify({ keyHash: op.keyHash, at: Date.now() })).exec(),
    )
  }

  private async resync(): Promise<void> {
    try {
      for (const op of this.pending.splice(0)) await this.send(op)
    } catch {
      return
    }
    await this.read()
  }

  private async read(): Promise<void> {
    try {
      const [keys, revoked] = await this.conn.run((r) => Promise.all([r.hgetall(this.keysKey), r.hgetall(this.revokedKey)]))
      const team = { keys: [] as SharedAppKey[], revoked: new Map<string, string>() }
      for (const json of Object.values(keys)) {
        try {
          team.keys.push(JSON.parse(json) as SharedAppKey)
        } catch {
          // not ours
        }
      }
      for (const [name, json] of Object.entries(revoked)) {
        try {
          team.revoked.set(name, (JSON.parse(json) as { keyHash: string }).keyHash)
        } catch {
          // not ours
        }
      }
      for (const l of this.listeners) l(team)
    } catch {
      // read again at the next event or reconnect
    }
  }
}

export class RedisConfig implements SharedConfig {
  private readonly listeners = new Set<(doc: Record<string, unknown>, hash: string) => void>()
  /** The team config this instance last saw or sent. */
  private known: string | undefined
  /** What to send when connected; `changed`: edited here while Redis was away (then ours wins). */
  private local: { doc: Record<string, unknown>; hash: string; changed: boolean } | undefined
  private readonly key: string

  constructor(
    private readonly conn: RedisConnection,
    private readonly bus: EventBus,
  ) {
    this.key = `${conn.settings.prefix}config`
    bus.on('config', (e) => {
      if (e.from !== bus.instanceId && e.hash !== this.known) void this.read()
    })
    conn.onChange((up) => {
      if (up) void this.sync()
    })
  }

  publish(doc: Record<string, unknown>, hash: string): void {
    const first = this.local === undefined
    this.local = { doc, hash, changed: !first && hash !== this.known }
    if (!this.conn.up || hash === this.known) return
    void (first ? this.sync() : this.send())
  }

  onRemote(listener: (doc: Record<string, unknown>, hash: string) => void): () => void {
    this.listeners.add(listener)
    return () => this.listeners.delete(listener)
  }

  private async send(): Promise<void> {
    const local = this.local
    if (!local) return
    try {
      await this.conn.run((r) => r.set(this.key, JSON.stringify({ hash: local.hash, doc: local.doc, from: this.bus.instanceId, at: Date.now() })))
      this.known = local.hash
      local.changed = false
      this.bus.publish('config', { hash: local.hash })
    } catch {
      local.changed = true
    }
  }

  /** At connect: the team's config wins, unless this instance changed its own while away. */
  private async sync(): Promise<void> {
    if (this.local?.changed) return this.send()
    const remote = await this.fetch()
    if (remote === null) return this.send()
    if (remote && remote.hash !== this.local?.hash) this.adopt(remote)
    else if (remote) this.known = remote.hash
  }

  private async read(): Promise<void> {
    const remote = await this.fetch()
    if (remote && remote.hash !== this.known) this.adopt(remote)
  }

  private adopt(remote: { hash: string; doc: Record<string, unknown> }): void {
    this.known = remote.hash
    for (const l of this.listeners) l(remote.doc, remote.hash)
  }

  /** null: the team has no config yet; undefined: could not read. */
  private async fetch(): Promise<{ hash: string; doc: Record<string, unknown> } | null | undefined> {
    try {
      const json = await this.conn.run((r) => r.get(this.key))
      if (json === null) return null
      const parsed = JSON.parse(json) as { hash?: unknown; doc?: unknown }
      return typeof parsed.hash === 'string' && parsed.doc && typeof parsed.doc === 'object' ? { hash: parsed.hash, doc: parsed.doc as Record<string, unknown> } : undefined
    } catch {
      return undefined
    }
  }
}
