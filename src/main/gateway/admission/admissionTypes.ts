// Shapes shared by the admission controller (admission.ts) and its waiting room (waitingRoom.ts).
import type { KeyAdmissionConfig, KeyRing } from './keyRing'
import type { BlockReason, CheckResult, Lease, Limits, ProviderLimiter } from './providerLimiter'
import type { EstimateInput, TokenEstimate } from './tokenEstimate'
import type { Priority, WaitQueue } from './waitQueue'

export interface QueuePolicy {
  /** Waiting requests allowed (in-flight ones do not count); 0 disables queueing. */
  maxSize: number
  timeoutMs: number
  overflow: 'reject-new' | 'drop-oldest'
}

export const DEFAULT_QUEUE: QueuePolicy = { maxSize: 100, timeoutMs: 30_000, overflow: 'reject-new' }

export interface ProviderAdmissionConfig {
  id: string
  limits?: Limits
  queue?: Partial<QueuePolicy>
  /** A key pool: admission then also picks the key (Admitted.lease.key). */
  keys?: readonly KeyAdmissionConfig[]
}

export interface AcquireRequest {
  /** Provider ids, best first. */
  candidates: readonly string[]
  estimate: EstimateInput
  signal?: AbortSignal
  priority?: Priority
  /** Overrides every candidate's queue.timeoutMs for this request. */
  timeoutMs?: number
  /** Calling app; its limits (setAppLimits) are checked as well. */
  app?: string
  /** Called once if the request has to wait (start SSE keep-alives here). */
  onWait?: (info: { providers: string[] }) => void
}

export interface Admitted {
  providerId: string
  /** Settle it when the response ends (or cancel it if the request never left). */
  lease: Lease
  waitedMs: number
}

/** What a shared store last said about a limiter that refused (team mode). */
export interface RemoteVerdict {
  reason: BlockReason
  retryAfterMs: number
  /** Local clock: when the verdict was given, and until when it holds without news. */
  at: number
  until: number
}

/** Something that says whether a request fits now (a limiter, a pool, a shared verdict). */
export interface Checkable {
  check(estimate: TokenEstimate, now: number): CheckResult
}

/** One provider as admission sees it: its limiter and its line of waiters. */
export interface ProviderLine {
  id: string
  limiter: ProviderLimiter
  queue: WaitQueue<Waiter>
  policy: QueuePolicy
  unsubscribe: () => void
  keys?: KeyRing
  /** Team mode: the shared store's last refusal, until a release or its time says look again. */
  remote?: RemoteVerdict
  /** Team mode: a question to the shared store about this line is under way. */
  probing?: boolean
}

/** A calling app with its own limits. */
export interface AppGate {
  name: string
  limiter: ProviderLimiter
  remote?: RemoteVerdict
  unsubscribe: () => void
}

export interface Waiter {
  candidates: string[]
  estimate: TokenEstimate
  priority: Priority
  app?: AppGate
  appName?: string
  /** Team mode: waiting for the shared store's answer (not admitted elsewhere meanwhile). */
  probing?: boolean
  enqueuedAt: number
  /** Lines it is still in, with the time it leaves each. */
  deadlines: Map<string, number>
  /** Every line it joined, for stats and error messages. */
  joined: string[]
  done: boolean
  resolve(admitted: Admitted): void
  reject(err: unknown): void
}
