// The contract between admission (which decides who goes, in what order, and who waits) and a
// shared limit store (which holds the windows, concurrency leases and learned upstream facts of
// every instance in a team). Admission keeps its own queue and its own exact local limiters; a
// shared store only answers "may this request go now, and on which candidate" atomically for all
// instances, in one round trip.
//
// Limiter ids name what a limit belongs to: `p:<provider>`, `a:<app>`, `k:<provider>:<key label>`.
import type { BlockReason, Limits } from './providerLimiter'
import type { TokenEstimate } from './tokenEstimate'
import type { LearnedLimits } from './upstreamHeaders'

export interface LimiterSpec {
  id: string
  limits: Limits
}

export interface ProbeCandidate {
  provider: LimiterSpec
  /** A key pool's keys in the order to try them (weighted rotation decided by the caller). */
  keys?: LimiterSpec[]
}

export interface ProbeRequest {
  /** Unique per admission: names the reservation in every window and concurrency set. */
  leaseId: string
  /** Best first; the first one (and its first key) that can take the request is charged. */
  candidates: ProbeCandidate[]
  app?: LimiterSpec
  estimate: TokenEstimate
}

/** Why a limiter refused, as ProviderLimiter.check says it, plus when to look again. */
export interface RemoteBlock {
  reason: BlockReason
  /** Until every time-based constraint clears (0 when only concurrency blocks). */
  retryAfterMs: number
  /** When asking again can make sense without a release event: retryAfterMs, or the earliest lease expiry. */
  wakeMs: number
}

export type ProbeResult =
  | { ok: true; index: number; key?: number }
  /** `app`: the calling app is over its own limit (candidates were not looked at). */
  | { ok: false; app?: RemoteBlock; blocks: Array<RemoteBlock | undefined> }

export type ReleaseMode = { kind: 'settle'; actualTokens?: number } | { kind: 'cancel' }

/** What a limiter's learned upstream state looks like in a shared store, in relative times. */
export interface SharedUpstreamView {
  cooldownMs?: number
  budgets: Partial<Record<'requests' | 'tokens' | 'inputTokens' | 'outputTokens', { remaining: number; resetMs: number; spent: number }>>
}

export interface TeamLimiterView {
  rpmUsed: number
  tpmUsed: number
  inFlight: number
}

/** A lease admitted while the store was unreachable, or whose release failed: pushed on reconnect. */
export interface UnsyncedLease {
  leaseId: string
  /** Local clock. */
  at: number
  tokens: number
  open: boolean
  limiters: LimiterSpec[]
}

export interface SharedLimits {
  /** True while decisions are shared; false means "decide locally" (fallback). */
  readonly up: boolean
  /**
   * Back after an outage, until every instance has pushed what it granted alone: decisions go
   * through the store and must also fit this instance's local share of the limits.
   */
  readonly rejoining?: boolean
  probe(req: ProbeRequest): Promise<ProbeResult>
  /** Fire and forget: failures are kept and replayed on reconnect. */
  release(leaseId: string, limiterIds: readonly string[], mode: ReleaseMode, estimate: TokenEstimate): void
  /** Shares what a response's headers (or an error) taught about one limiter's upstream. */
  learn(limiterId: string, learned: LearnedLimits, now: number): void
  /** Keeps concurrency leases of requests still running from expiring. */
  track(leaseId: string, limiterIds: readonly string[]): void
  untrack(leaseId: string): void
  /** Releases anywhere in the team (limiter ids), learned facts (id + view), up/down changes. */
  onRelease(listener: (limiterIds: string[]) => void): () => void
  onLearned(listener: (limiterId: string, view: SharedUpstreamView) => void): () => void
  onStatus(listener: (up: boolean) => void): () => void
  /**
   * Called on reconnect to collect what the store must (again) know: `all` first (every lease
   * still in a window or running), then only those granted since the previous call.
   */
  setResyncSource(source: (all: boolean) => UnsyncedLease[]): void
  /** The team's current usage per limiter (cached, refreshed in the background). */
  teamView(limiterIds: readonly string[]): Map<string, TeamLimiterView>
  /** Live instances sharing the store (last known; at least 1). */
  instances(): number
}
