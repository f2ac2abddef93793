// Shapes shared by the admission controller (admission.ts) and its waiting room (waitingRoom.ts).
import type { Lease, Limits, ProviderLimiter } from './providerLimiter'
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

/** One provider as admission sees it: its limiter and its line of waiters. */
export interface ProviderLine {
  id: string
  limiter: ProviderLimiter
  queue: WaitQueue<Waiter>
  policy: QueuePolicy
  unsubscribe: () => void
}

export interface Waiter {
  candidates: string[]
  estimate: TokenEstimate
  priority: Priority
  app?: ProviderLimiter
  appName?: string
  enqueuedAt: number
  /** Lines it is still in, with the time it leaves each. */
  deadlines: Map<string, number>
  /** Every line it joined, for stats and error messages. */
  joined: string[]
  done: boolean
  resolve(admitted: Admitted): void
  reject(err: unknown): void
}
