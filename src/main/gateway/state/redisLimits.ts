// Shared limits on Redis (admission/sharedLimits.ts): one script call per admission, one per
// release (which also wakes every instance's queue through PUBLISH), a heartbeat that keeps the
// concurrency leases of running requests alive (a crashed instance's leases expire instead of
// leaking), and, after a reconnect, a resync of what this instance admitted while it decided alone.
import type { LearnedLimits } from '../admission/upstreamHeaders'
import { MAX_UPSTREAM_WAIT_MS } from '../admission/upstreamBudget'
import { WINDOW_MS } from '../admission/slidingWindow'
import type { TokenEstimate } from '../admission/tokenEstimate'
import type { BlockReason, Limits } from '../admission/providerLimiter'
import type {
  LimiterSpec,
  ProbeRequest,
  ProbeResult,
  ReleaseMode,
  RemoteBlock,
  SharedLimits,
  SharedUpstreamView,
  TeamLimiterView,
  UnsyncedLease,
} from '../admission/sharedLimits'
import type { Logger } from '../common/log'
import type { RedisConnection } from './redisConnection'
import type { EventBus } from './eventBus'

export interface RedisLimitsOptions {
  /** RPM/TPM window (60 s; tests shorten it, like AdmissionOptions.windowMs). */
  windowMs?: number
  /** A concurrency lease lives this long without renewal (default 30 s; renewed every third of it). */
  leaseTtlMs?: number
  instances: () => number
  /** Ids of the instances live before an outage (taken when it starts). */
  instanceIds: () => string[]
  /** Resolves once every one of `ids` has pushed its state back (or is gone); see InstanceRegistry. */
  teamRejoined: (ids: string[]) => Promise<void>
}

/** local: deciding alone; rejoining: pushed back, waiting for the team; shared: the store decides. */
export type SharePhase = 'local' | 'rejoining' | 'shared'

/** What ioredis adds for the scripts defined on the connection (numkeys first). */
interface ScriptCommands {
  syAdmit(numKeys: number, ...args: Array<string | number>): Promise<Array<string | number>>
  syRelease(numKeys: number, ...args: Array<string | number>): Promise<number>
  syRenew(numKeys: number, ...args: Array<string | number>): Promise<number>
  syLearn(numKeys: number, ...args: Array<string | number>): Promise<number>
  syRead(numKeys: number, ...args: Array<string | number>): Promise<string[]>
  syResync(numKeys: number, ...args: Array<string | number>): Promise<number>
}

interface PendingRelease {
  leaseId: string
  ids: string[]
  mode: ReleaseMode
  estimate: TokenEstimate
}

const MAX_PENDING = 10_000
const LEARN_EVERY_MS = 200
/** A budget this close to empty is shared at once, whatever the throttle says. */
const URGENT_REMAINING = 5
const TEAM_VIEW_FRESH_MS = 1_000

export class RedisLimits implements SharedLimits {
  private readonly windowMs: number
  private readonly leaseTtlMs: number
  private readonly open = new Map<string, readonly string[]>()
  private readonly pendingReleases: PendingRelease[] = []
  private readonly pendingLearns = new Map<string, LearnedLimits & { at: number }>()
  private readonly learnedAt = new Map<string, number>()
  private readonly releaseListeners = new Set<(ids: string[]) => void>()
  private readonly learnListeners = new Set<(id: string, view: SharedUpstreamView) => void>()
  private readonly statusListeners = new Set<(up: boolean) => void>()
  private resyncSource: (all: boolean) => UnsyncedLease[] = () => []
  private readonly team = new Map<string, TeamLimiterView>()
  private teamReadAt = 0
  private teamReading = false
  private readonly renewTimer: NodeJS.Timeout
  private readonly releaseChannel: string
  private readonly eventChannel: string
  private phase: SharePhase = 'local'
  /** Who was in the team when the outage began (they must rejoin before decisions are shared again). */
  private teamBefore: string[] = []

  constructor(
    private readonly conn: RedisConnection,
    bus: EventBus,
    private readonly logger: Logger,
    private readonly opts: RedisLimitsOptions,
  ) {
    this.windowMs = opts.windowMs ?? WINDOW_MS
    this.leaseTtlMs = opts.leaseTtlMs ?? 30_000
    this.releaseChannel = `${conn.settings.prefix}rel`
    this.eventChannel = bus.channel
    conn.onMessage(this.releaseChannel, (message) => {
      const ids = message.split(' ')
      for (const l of this.releaseListeners) l(ids)
    })
    bus.on('learn', (event) => {
      const { id, view } = event as unknown as { id: string; view: SharedUpstreamView }
      for (const l of this.learnListeners) l(id, normalizeView(view))
    })
    conn.onChange((up) => {
      if (up) return void this.resync()
      if (this.phase !== 'local') this.teamBefore = opts.instanceIds()
      this.phase = 'local'
      for (const l of this.statusListeners) l(false)
    })
    this.renewTimer = setInterval(() => void this.renew(), Math.max(50, Math.floor(this.leaseTtlMs / 3)))
    this.renewTimer.unref()
  }

  get up(): boolean {
    return this.phase !== 'local' && this.conn.up
  }

  get rejoining(): boolean {
    return this.phase === 'rejoining'
  }

  /** For the heartbeat: what the other instances need to know about this one. */
  sharePhase(): SharePhase {
    return this.conn.up ? this.phase : 'local'
  }

  /** The divisor of a local share: while not shared, at least the team as it was before the outage. */
  instances(): number {
    const now = Math.max(1, this.opts.instances())
    return this.phase === 'shared' ? now : Math.max(now, this.teamBefore.length)
  }

  async probe(req: ProbeRequest): Promise<ProbeResult> {
    const limiters: LimiterSpec[] = []
    const index = new Map<string, number>()
    const at = (spec: LimiterSpec): number => {
      let i = index.get(spec.id)
      if (i === undefined) {
        limiters.push(spec)
        i = limiters.length
        index.set(spec.id, i)
      }
      return i
    }
    const appIndex = req.app ? at(req.app) : 0
    const shape: number[] = []
    for (const c of req.candidates) {
      shape.push(at(c.provider), c.keys?.length ?? 0)
      for (const k of c.keys ?? []) shape.push(at(k))
    }
    const keys = limiters.flatMap((l) => this.keysOf(l.id))
    const limits = limiters.flatMap((l) => limitTriple(l.limits))
    const { input, output } = req.estimate
    const reply = await this.conn.run((r) =>
      (r as unknown as ScriptCommands).syAdmit(keys.length, ...keys, req.leaseId, this.windowMs, this.leaseTtlMs, input, output, limiters.length, ...limits, appIndex, req.candidates.length, ...shape),
    )
    if (Number(reply[0]) === 1) {
      const keyPos = Number(reply[2])
      return { ok: true, index: Number(reply[1]) - 1, key: keyPos > 0 ? keyPos - 1 : undefined }
    }
    const block = (i: number): RemoteBlock | undefined => {
      const reason = String(reply[i] ?? '')
      if (reason === '') return undefined
      return { reason: reason as BlockReason, retryAfterMs: Math.max(0, Number(reply[i + 1])), wakeMs: Math.max(0, Number(reply[i + 2])) }
    }
    const app = block(1)
    const blocks: Array<RemoteBlock | undefined> = []
    for (let i = 4; i < reply.length; i += 3) blocks.push(block(i))
    return { ok: false, app, blocks }
  }

  release(leaseId: string, limiterIds: readonly string[], mode: ReleaseMode, estimate: TokenEstimate): void {
    this.open.delete(leaseId)
    const item: PendingRelease = { leaseId, ids: [...limiterIds], mode, estimate }
    if (!this.conn.up) {
      this.keep(item)
      return
    }
    this.sendRelease(item).catch(() => this.keep(item))
  }

  learn(limiterId: string, learned: LearnedLimits, now: number): void {
    // A cloud's headers arrive with every answer: the team hears of them at most every 200 ms per
    // limiter (each hearing resets the budget's "spent since"), at once when they say stop.
    const urgent = learned.retryAt !== undefined || Object.values(learned.budgets).some((b) => b !== undefined && b.remaining <= URGENT_REMAINING)
    const last = this.learnedAt.get(limiterId) ?? -Infinity
    if (!urgent && now - last < LEARN_EVERY_MS) return
    this.learnedAt.set(limiterId, now)
    if (this.learnedAt.size > 10_000) this.learnedAt.clear()
    if (!this.conn.up) {
      this.pendingLearns.set(limiterId, { ...learned, at: now })
      return
    }
    this.sendLearn(limiterId, learned, now).catch(() => this.pendingLearns.set(limiterId, { ...learned, at: now }))
  }

  track(leaseId: string, limiterIds: readonly string[]): void {
    this.open.set(leaseId, limiterIds)
  }

  untrack(leaseId: string): void {
    this.open.delete(leaseId)
  }

  onRelease(listener: (ids: string[]) => void): () => void {
    this.releaseListeners.add(listener)
    return () => this.releaseListeners.delete(listener)
  }

  onLearned(listener: (id: string, view: SharedUpstreamView) => void): () => void {
    this.learnListeners.add(listener)
    return () => this.learnListeners.delete(listener)
  }

  onStatus(listener: (up: boolean) => void): () => void {
    this.statusListeners.add(listener)
    return () => this.statusListeners.delete(listener)
  }

  setResyncSource(source: (all: boolean) => UnsyncedLease[]): void {
    this.resyncSource = source
  }

  teamView(limiterIds: readonly string[]): Map<string, TeamLimiterView> {
    if (Date.now() - this.teamReadAt > TEAM_VIEW_FRESH_MS && !this.teamReading && this.conn.up && limiterIds.length > 0) void this.readTeam(limiterIds)
    return this.team
  }

  /** The learned upstream state of these limiters as the team knows it (after a reconnect). */
  async readViews(limiterIds: readonly string[]): Promise<Map<string, SharedUpstreamView & TeamLimiterView>> {
    const keys = limiterIds.flatMap((id) => this.keysOf(id))
    const reply = await this.conn.run((r) => (r as unknown as ScriptCommands).syRead(keys.length, ...keys, this.windowMs))
    const out = new Map<string, SharedUpstreamView & TeamLimiterView>()
    reply.forEach((json, i) => {
      const v = JSON.parse(json) as SharedUpstreamView & TeamLimiterView
      out.set(limiterIds[i]!, { ...normalizeView(v), rpmUsed: v.rpmUsed, tpmUsed: Number(v.tpmUsed), inFlight: v.inFlight })
    })
    return out
  }

  close(): void {
    clearInterval(this.renewTimer)
  }

  private async readTeam(limiterIds: readonly string[]): Promise<void> {
    this.teamReading = true
    try {
      const views = await this.readViews(limiterIds)
      this.team.clear()
      for (const [id, v] of views) this.team.set(id, { rpmUsed: v.rpmUsed, tpmUsed: v.tpmUsed, inFlight: v.inFlight })
      this.teamReadAt = Date.now()
    } catch {
      // shown as stale; the status says why
    } finally {
      this.teamReading = false
    }
  }

  private keysOf(id: string): string[] {
    const base = `${this.conn.settings.prefix}lim:${id}:`
    return [`${base}r`, `${base}t`, `${base}h`, `${base}c`]
  }

  private sendRelease(item: PendingRelease): Promise<number> {
    const keys = item.ids.flatMap((id) => this.keysOf(id))
    const actual = item.mode.kind === 'settle' && item.mode.actualTokens !== undefined && Number.isFinite(item.mode.actualTokens) ? String(item.mode.actualTokens) : ''
    return this.conn.run((r) =>
      (r as unknown as ScriptCommands).syRelease(keys.length, ...keys, item.leaseId, item.mode.kind, actual, item.estimate.input, item.estimate.output, this.releaseChannel, item.ids.join(' ')),
    )
  }

  private sendLearn(limiterId: string, learned: LearnedLimits, now: number): Promise<number> {
    const budgets = Object.entries(learned.budgets).flatMap(([kind, b]) => [kind, b!.remaining, b!.resetAt === undefined ? '' : Math.max(0, b!.resetAt - now)])
    const retry = learned.retryAt === undefined ? '' : Math.max(0, learned.retryAt - now)
    const [h] = this.keysOf(limiterId).slice(2)
    return this.conn.run((r) =>
      (r as unknown as ScriptCommands).syLearn(1, h!, MAX_UPSTREAM_WAIT_MS, WINDOW_MS, retry, budgets.length / 3, ...budgets, this.eventChannel, limiterId),
    )
  }

  private keep(item: PendingRelease): void {
    if (this.pendingReleases.length < MAX_PENDING) this.pendingReleases.push(item)
  }

  private async renew(): Promise<void> {
    if (this.open.size === 0 || !this.conn.up) return
    const byLimiter = new Map<string, string[]>()
    for (const [lease, ids] of this.open) for (const id of ids) (byLimiter.get(id) ?? byLimiter.set(id, []).get(id)!).push(lease)
    const keys: string[] = []
    const args: Array<string | number> = []
    for (const [id, leases] of byLimiter) {
      keys.push(this.keysOf(id)[3]!)
      args.push(leases.length, ...leases)
    }
    await this.conn.run((r) => (r as unknown as ScriptCommands).syRenew(keys.length, ...keys, this.leaseTtlMs, ...args)).catch(() => undefined)
  }

  /**
   * Back after an outage: push what happened meanwhile, then let admission share again. Leases
   * granted while a push is under way are pushed in the next round; the last (empty) round and
   * the switch back to shared decisions happen in the same tick, so none falls between.
   */
  private async resync(): Promise<void> {
    let pushed = 0
    try {
      for (const item of this.pendingReleases.splice(0)) await this.sendRelease(item)
      for (const [id, learned] of [...this.pendingLearns]) {
        this.pendingLearns.delete(id)
        await this.sendLearn(id, learned, learned.at)
      }
      // Shared leases still running: a Redis that restarted empty must count them again.
      await this.push([...this.open].map(([leaseId, ids]) => ({ leaseId, at: Date.now(), tokens: 0, open: true, limiters: ids.map((id) => ({ id, limits: {} })) })))
      for (let round = 0; round < 20; round++) {
        const leases = this.resyncSource(round === 0)
        if (leases.length === 0 && round > 0) {
          if (this.conn.up) this.phase = 'rejoining'
          break
        }
        pushed += leases.length
        await this.push(leases)
      }
      for (const l of this.statusListeners) l(this.up)
      // Everyone who was there must have pushed too before the store alone decides again.
      await this.opts.teamRejoined(this.teamBefore.length > 0 ? this.teamBefore : this.opts.instanceIds())
      if (this.phase === 'rejoining' && this.conn.up) this.phase = 'shared'
      this.logger.info({ leases: pushed }, 'shared state resynced')
    } catch (err) {
      this.logger.warn({ err: (err as Error).message }, 'shared state resync failed; retried at the next reconnect')
    }
    for (const l of this.statusListeners) l(this.up)
  }

  private async push(leases: UnsyncedLease[]): Promise<void> {
    if (leases.length === 0) return
    const limiters: LimiterSpec[] = []
    const index = new Map<string, number>()
    const args: Array<string | number> = []
    const now = Date.now()
    for (const lease of leases) {
      for (const spec of lease.limiters) {
        let i = index.get(spec.id)
        if (i === undefined) {
          limiters.push(spec)
          i = limiters.length
          index.set(spec.id, i)
        }
        args.push(i, lease.leaseId, Math.max(0, now - lease.at), spec.limits.rpm ? 1 : 0, spec.limits.tpm ? lease.tokens : -1, lease.open ? 1 : 0)
      }
      if (lease.open) this.open.set(lease.leaseId, lease.limiters.map((l) => l.id))
    }
    const keys = limiters.flatMap((l) => this.keysOf(l.id))
    await this.conn.run((r) => (r as unknown as ScriptCommands).syResync(keys.length, ...keys, this.windowMs, this.leaseTtlMs, args.length / 6, ...args))
  }
}

function limitTriple(limits: Limits): number[] {
  return [limits.rpm ?? 0, limits.tpm ?? 0, limits.maxConcurrent ?? 0]
}

/** cjson encodes an empty table as {} and numbers as floats: normalise what arrives. */
function normalizeView(v: SharedUpstreamView): SharedUpstreamView {
  const budgets: SharedUpstreamView['budgets'] = {}
  for (const [kind, b] of Object.entries(v.budgets ?? {})) {
    if (b && typeof b === 'object') budgets[kind as keyof SharedUpstreamView['budgets']] = { remaining: Number(b.remaining), resetMs: Number(b.resetMs), spent: Number(b.spent) }
  }
  return { cooldownMs: v.cooldownMs === undefined ? undefined : Number(v.cooldownMs), budgets }
}
