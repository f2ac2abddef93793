// Where the state that instances of a team share lives. One machine (the default) keeps it all in
// this process: the embedded store, which shares nothing and costs nothing. A team points every
// instance at one Redis (`state.redis`): limits and concurrency (admission asks the store),
// learned upstream budgets and breaker state, app keys, the config document and hourly usage
// rollups are then the team's. Each instance keeps its own queue and its own SQLite ledger.
//
// The gateway talks to whichever store it has through this interface; the embedded one answers
// "decide locally" (no shared limits) and drops what would be shared.
import os from 'node:os'
import { randomBytes } from 'node:crypto'
import type { SharedLimits } from '../admission/sharedLimits'
import type { TeamUsageQuery, TeamUsageRow } from './teamUsage'

export type StateBackend = 'embedded' | 'redis'

export interface InstanceInfo {
  id: string
  host: string
  pid: number
  version: string
  url?: string
  startedAt: number
  /** ms since this instance was last heard of (0 for this one). */
  seenAgoMs?: number
}

export interface StateStatus {
  backend: StateBackend
  /** Embedded: always true. Redis: connected and caught up (else limits are decided locally). */
  up: boolean
  /** Redacted (no password). */
  url?: string
  failMode?: 'open' | 'closed'
  instanceId: string
  /** Live instances of the team (this one included); embedded: this one. */
  instances: InstanceInfo[]
  downSince?: number
  reason?: string
  /** Set while something is wrong; the same text goes to /health, the dashboard and the log (once). */
  warning?: string
}

/** A circuit breaker change one instance saw, for the others to apply. */
export type HealthEvent =
  | { providerId: string; kind: 'open'; forMs: number }
  | { providerId: string; kind: 'closed' }
  | { providerId: string; kind: 'cooldown'; forMs: number }

export interface SharedHealth {
  publish(event: HealthEvent): void
  /** Events from other instances (and, after a reconnect, the team's current state). */
  onRemote(listener: (event: HealthEvent) => void): () => void
}

/** An app key as the team stores it: only its hash ever leaves the process that made it. */
export interface SharedAppKey {
  name: string
  keyHash: string
  prefix: string
  createdAt: number
  rpm?: number
  tpm?: number
  priority: 'high' | 'normal'
}

export interface SharedAppKeys {
  created(key: SharedAppKey): void
  revoked(name: string, keyHash: string): void
  /** The team's keys and revocations changed (or must be merged after a reconnect). */
  onChange(listener: (team: { keys: SharedAppKey[]; revoked: Map<string, string> }) => void): () => void
}

export interface SharedConfig {
  /** This instance's config changed: share its team part (no-op if the team has it already). */
  publish(doc: Record<string, unknown>, hash: string): void
  /** The team's config changed elsewhere (or, at connect, differs from ours). */
  onRemote(listener: (doc: Record<string, unknown>, hash: string) => void): () => void
}

export interface TeamUsage {
  /** True when team totals can be read (Redis up). */
  readonly available: boolean
  record(row: { ts: number; provider: string; app: string; model: string; ok: boolean; promptTokens: number; completionTokens: number; costUsd: number }): void
  query(q: TeamUsageQuery): Promise<TeamUsageRow[]>
}

export interface StateStore {
  readonly backend: StateBackend
  readonly instanceId: string
  /** Admission's shared limits; undefined: this instance decides alone (embedded). */
  readonly limits?: SharedLimits
  readonly health: SharedHealth
  readonly appKeys: SharedAppKeys
  readonly config: SharedConfig
  readonly usage: TeamUsage
  status(): StateStatus
  onStatus(listener: (status: StateStatus) => void): () => void
  /** This instance's public URL, once listening (shown in the team's instance list). */
  setUrl(url: string | undefined): void
  /** Resolves once the store is usable, or after `timeoutMs` (start-up goes on regardless). */
  whenReady(timeoutMs: number): Promise<boolean>
  close(): Promise<void>
}

export function newInstanceId(): string {
  return `${os.hostname().replace(/[^\w.-]/g, '').slice(0, 40) || 'host'}-${process.pid}-${randomBytes(3).toString('hex')}`
}

export function selfInfo(id: string, version: string, url?: string): InstanceInfo {
  return { id, host: os.hostname(), pid: process.pid, version, url, startedAt: Date.now() }
}

const NOTHING = (): (() => void) => () => undefined

/** One machine: nothing is shared, everything is decided in this process (today's behaviour). */
export class EmbeddedStateStore implements StateStore {
  readonly backend = 'embedded' as const
  readonly instanceId = newInstanceId()
  readonly limits = undefined
  readonly health: SharedHealth = { publish: () => undefined, onRemote: NOTHING }
  readonly appKeys: SharedAppKeys = { created: () => undefined, revoked: () => undefined, onChange: NOTHING }
  readonly config: SharedConfig = { publish: () => undefined, onRemote: NOTHING }
  readonly usage: TeamUsage = { available: false, record: () => undefined, query: async () => [] }
  private readonly self: InstanceInfo

  constructor(version = '0.0.0') {
    this.self = selfInfo(this.instanceId, version)
  }

  status(): StateStatus {
    return { backend: 'embedded', up: true, instanceId: this.instanceId, instances: [{ ...this.self, seenAgoMs: 0 }] }
  }

  onStatus(): () => void {
    return () => undefined
  }

  setUrl(url: string | undefined): void {
    this.self.url = url
  }

  async whenReady(): Promise<boolean> {
    return true
  }

  async close(): Promise<void> {}
}
