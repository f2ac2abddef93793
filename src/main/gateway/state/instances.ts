// Who is in the team right now: every instance refreshes its entry every 2 s; an entry not
// refreshed for 10 s is dropped (a crashed or partitioned instance). The count is what a limit is
// divided by when an instance must decide alone (fail closed), so it is the last one known.
import type { InstanceInfo } from './stateStore'
import type { RedisConnection } from './redisConnection'

export const HEARTBEAT_MS = 2_000
export const INSTANCE_TTL_MS = 10_000

/** KEYS: set, info hash. ARGV: id, info JSON, ttlMs. Returns [id, agoMs, info JSON]... of the live ones. */
export const HEARTBEAT = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
redis.call('ZADD', KEYS[1], now, ARGV[1])
redis.call('HSET', KEYS[2], ARGV[1], ARGV[2])
local dead = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', now - tonumber(ARGV[3]))
for i = 1, #dead do redis.call('HDEL', KEYS[2], dead[i]) end
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - tonumber(ARGV[3]))
local live = redis.call('ZRANGE', KEYS[1], 0, -1, 'WITHSCORES')
local out = {}
for i = 1, #live, 2 do
  out[#out + 1] = live[i]
  out[#out + 1] = now - tonumber(live[i + 1])
  out[#out + 1] = redis.call('HGET', KEYS[2], live[i]) or '{}'
end
return out
`

interface HeartbeatCommand {
  syHeartbeat(numKeys: number, ...args: Array<string | number>): Promise<Array<string | number>>
}

export class InstanceRegistry {
  private live: InstanceInfo[]
  private readonly timer: NodeJS.Timeout
  private readonly setKey: string
  private readonly infoKey: string

  constructor(
    private readonly conn: RedisConnection,
    private readonly self: InstanceInfo,
    private readonly onChange: () => void,
    /** What this instance's shared decisions are at (published with every heartbeat). */
    private readonly phase: () => string = () => 'shared',
  ) {
    this.live = [{ ...self, seenAgoMs: 0 }]
    this.setKey = `${conn.settings.prefix}instances`
    this.infoKey = `${conn.settings.prefix}instances:info`
    this.timer = setInterval(() => void this.beat(), HEARTBEAT_MS)
    this.timer.unref()
    conn.onChange((up) => {
      if (up) void this.beat()
    })
  }

  /** Last known live instances (this one first). */
  list(): InstanceInfo[] {
    return this.live
  }

  count(): number {
    return Math.max(1, this.live.length)
  }

  setUrl(url: string | undefined): void {
    this.self.url = url
    void this.beat()
  }

  async beat(): Promise<void> {
    if (!this.conn.up) return
    try {
      const info = JSON.stringify({ ...this.self, phase: this.phase() })
      const reply = await this.conn.run((r) => (r as unknown as HeartbeatCommand).syHeartbeat(2, this.setKey, this.infoKey, this.self.id, info, INSTANCE_TTL_MS))
      const live: InstanceInfo[] = []
      for (let i = 0; i < reply.length; i += 3) {
        const id = String(reply[i])
        let info: Partial<InstanceInfo> = {}
        try {
          info = JSON.parse(String(reply[i + 2])) as Partial<InstanceInfo>
        } catch {
          // an entry written by something else: listed by id only
        }
        live.push({ host: '?', pid: 0, version: '?', startedAt: 0, ...info, id, seenAgoMs: id === this.self.id ? 0 : Number(reply[i + 1]) })
      }
      live.sort((a, b) => (a.id === this.self.id ? -1 : b.id === this.self.id ? 1 : a.id.localeCompare(b.id)))
      const changed = live.length !== this.live.length || live.some((x, i) => x.id !== this.live[i]?.id)
      this.live = live
      if (changed) this.onChange()
    } catch {
      // the connection says why; the last list stays what fallback divides by
    }
  }

  /**
   * After an outage: resolves once each of `ids` is heard from again having pushed its state
   * (phase rejoining or shared, in a fresh heartbeat), or has left the team (its entry expired).
   * Bounded by the entry lifetime: an instance that never comes back stops counting then.
   */
  async rejoined(ids: readonly string[]): Promise<void> {
    const waitFor = new Set(ids.filter((id) => id !== this.self.id))
    const deadline = Date.now() + INSTANCE_TTL_MS + HEARTBEAT_MS
    await this.beat()
    while (waitFor.size > 0 && Date.now() < deadline && this.conn.up) {
      for (const i of this.live) {
        if (waitFor.has(i.id) && (i.seenAgoMs ?? Infinity) < HEARTBEAT_MS * 1.5 && (i as { phase?: string }).phase !== 'local') waitFor.delete(i.id)
      }
      if (this.live.length > 0) for (const id of [...waitFor]) if (!this.live.some((i) => i.id === id) && this.droppedAfterOutage()) waitFor.delete(id)
      if (waitFor.size === 0) break
      await new Promise((r) => setTimeout(r, 100))
      await this.beat()
    }
  }

  private outageSeenAt = Date.now()

  /** An instance missing from the live set long enough that it is gone (not merely slow to reconnect). */
  private droppedAfterOutage(): boolean {
    return Date.now() - this.outageSeenAt > INSTANCE_TTL_MS
  }

  /** Marks the start of waiting for the team after an outage. */
  markOutage(): void {
    this.outageSeenAt = Date.now()
  }

  /** A clean stop leaves the team at once (the others' share grows now, not in 10 s). */
  async leave(): Promise<void> {
    clearInterval(this.timer)
    if (!this.conn.up) return
    await this.conn.run((r) => r.multi().zrem(this.setKey, this.self.id).hdel(this.infoKey, this.self.id).exec()).catch(() => undefined)
  }
}
