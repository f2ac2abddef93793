// The admission stage: given a route's candidates (best first, as the balancer ranked them) and
// a token estimate, admit the request on the first candidate that can take it now — a free
// target beats a better-ranked saturated one — or let it wait in the waiting room (FIFO per
// provider, bounded, with a deadline) until one can. The caller gets a lease to settle with
// the real usage when the response ends.
//
// Policy stays pure (limiters take `now`); the only timer lives in the waiting room, is
// unref'd, and goes away with close().
import { abortReason, providerRemoved, shuttingDown } from './admissionErrors'
import { AdmissionStats, type ProviderAdmissionSnapshot } from './admissionStats'
import { DEFAULT_QUEUE, type AcquireRequest, type Admitted, type ProviderAdmissionConfig, type ProviderLine, type QueuePolicy, type Waiter } from './admissionTypes'
import { systemClock, systemScheduler, type Clock, type Scheduler } from './clock'
import { ProviderLimiter, type Lease, type Limits } from './providerLimiter'
import { toEstimate, type TokenEstimate } from './tokenEstimate'
import { WaitQueue, type Priority } from './waitQueue'
import { WaitingRoom } from './waitingRoom'

export { DEFAULT_QUEUE, type AcquireRequest, type Admitted, type ProviderAdmissionConfig, type QueuePolicy } from './admissionTypes'

export interface AdmissionOptions {
  clock?: Clock
  scheduler?: Scheduler
  providers?: readonly ProviderAdmissionConfig[]
  /** RPM/TPM window length (default 60 s); shorter only so loopback tests need not wait a minute. */
  windowMs?: number
  /**
   * Called when a TPM limit is configured, so the tokenizer can load then (the first load
   * holds the event loop for up to a second) rather than under the first limited request.
   */
  onTokenLimits?: () => void
}

export class Admission {
  private readonly clock: Clock
  private readonly windowMs: number | undefined
  private readonly lines = new Map<string, ProviderLine>()
  private readonly apps = new Map<string, { limiter: ProviderLimiter; unsubscribe: () => void }>()
  private readonly stats = new AdmissionStats()
  private readonly room: WaitingRoom
  private closed = false

  constructor(private readonly opts: AdmissionOptions = {}) {
    this.clock = opts.clock ?? systemClock
    this.windowMs = opts.windowMs
    this.room = new WaitingRoom(this.lines, this.clock, opts.scheduler ?? systemScheduler, this.stats, (line, waiter, now) =>
      waiter.resolve(this.grant(line, waiter.estimate, waiter.app, now, now - waiter.enqueuedAt)),
    )
    if (opts.providers) this.configure(opts.providers)
  }

  /**
   * Applies provider limits and queue policies. Existing limiters keep their windows and
   * in-flight leases; waiters queued only on removed providers fail.
   */
  configure(providers: readonly ProviderAdmissionConfig[]): void {
    this.room.batch(() => {
      const ids = new Set(providers.map((p) => p.id))
      for (const [id, line] of this.lines) if (!ids.has(id)) this.removeLine(line)
      for (const p of providers) {
        const policy = { ...DEFAULT_QUEUE, ...definedOnly(p.queue ?? {}) }
        const line = this.lines.get(p.id)
        if (line) {
          line.policy = policy
          line.limiter.setLimits(p.limits ?? {})
        } else {
          this.lines.set(p.id, this.createLine(p.id, p.limits ?? {}, policy))
        }
      }
    })
    this.noticeTokenLimits()
  }

  /** Sets (or with undefined, removes) an app's own limits; the same limiter class as providers. */
  setAppLimits(app: string, limits: Limits | undefined): void {
    const existing = this.apps.get(app)
    if (limits === undefined) {
      existing?.unsubscribe()
      this.apps.delete(app)
      for (const line of this.lines.values()) for (const w of line.queue.inOrder()) if (w.appName === app) w.app = undefined
    } else if (existing) {
      existing.limiter.setLimits(limits)
    } else {
      const limiter = new ProviderLimiter(limits, this.clock, this.windowMs)
      this.apps.set(app, { limiter, unsubscribe: limiter.onChange(() => this.room.pump()) })
    }
    this.room.pump()
    this.noticeTokenLimits()
  }

  private noticeTokenLimits(): void {
    if (!this.opts.onTokenLimits) return
    const limiters = [...[...this.lines.values()].map((l) => l.limiter), ...[...this.apps.values()].map((a) => a.limiter)]
    if (limiters.some((l) => l.needsTokenEstimate())) this.opts.onTokenLimits()
  }

  /** The provider's limiter, e.g. to `learn()` from response headers. */
  limiter(providerId: string): ProviderLimiter | undefined {
    return this.lines.get(providerId)?.limiter
  }

  /** Whether any of these providers (or the app) would look at a token estimate; counting tokens is skipped otherwise. */
  needsTokenEstimate(providerIds: readonly string[], app?: string): boolean {
    if (app !== undefined && this.apps.get(app)?.limiter.needsTokenEstimate()) return true
    return providerIds.some((id) => this.lines.get(id)?.limiter.needsTokenEstimate() === true)
  }

  appLimiter(app: string): ProviderLimiter | undefined {
    return this.apps.get(app)?.limiter
  }

  /**
   * Admits now on the first candidate that can take the request, or returns undefined when it
   * would have to wait (then call acquire()). Saves the common case a promise and a signal.
   */
  tryAcquire(req: Omit<AcquireRequest, 'signal' | 'onWait' | 'timeoutMs'>): Admitted | undefined {
    if (this.closed || req.candidates.length === 0) return undefined
    const now = this.clock()
    const app = req.app === undefined ? undefined : this.apps.get(req.app)?.limiter
    return this.admitNow(req.candidates, toEstimate(req.estimate), req.priority ?? 'normal', app, now)
  }

  acquire(req: AcquireRequest): Promise<Admitted> {
    if (this.closed) return Promise.reject(shuttingDown())
    if (req.signal?.aborted) return Promise.reject(abortReason(req.signal))
    const candidates = [...new Set(req.candidates)]
    if (candidates.length === 0) return Promise.reject(new TypeError('acquire() needs at least one candidate provider'))
    const now = this.clock()
    const lines = candidates.map((id) => this.line(id))
    const estimate = toEstimate(req.estimate)
    const priority = req.priority ?? 'normal'
    const app = req.app === undefined ? undefined : this.apps.get(req.app)?.limiter
    const immediate = this.admitNow(candidates, estimate, priority, app, now)
    if (immediate) return Promise.resolve(immediate)

    return new Promise<Admitted>((resolve, reject) => {
      const signal = req.signal
      const onAbort = (): void => {
        if (waiter.done) return
        for (const id of waiter.joined) this.stats.count(id, 'cancelled')
        this.room.fail(waiter, abortReason(signal!))
        this.room.pump() // it may have been the head holding others back
      }
      const waiter: Waiter = {
        candidates,
        estimate,
        priority,
        app,
        appName: req.app,
        enqueuedAt: now,
        deadlines: new Map(),
        joined: [],
        done: false,
        resolve: (admitted) => {
          signal?.removeEventListener('abort', onAbort)
          resolve(admitted)
        },
        reject: (err) => {
          signal?.removeEventListener('abort', onAbort)
          reject(err)
        },
      }
      const refusal = this.room.enqueue(waiter, lines, req.timeoutMs, now)
      if (refusal) {
        waiter.done = true
        reject(refusal)
        return
      }
      signal?.addEventListener('abort', onAbort, { once: true })
      try {
        req.onWait?.({ providers: [...waiter.joined] })
      } catch {
        // a failing hook must not lose the request's place
      }
      this.room.pump() // arms the timer for the new deadline
    })
  }

  snapshot(now: number = this.clock()): Record<string, ProviderAdmissionSnapshot> {
    const out: Record<string, ProviderAdmissionSnapshot> = {}
    for (const [id, line] of this.lines) out[id] = this.stats.snapshot(id, line.limiter, line.queue.size, line.policy.maxSize, now)
    return out
  }

  /** Fails every waiter and stops the timer; leases already granted stay valid. */
  close(): void {
    if (this.closed) return
    this.closed = true
    this.room.close(shuttingDown)
    for (const line of this.lines.values()) line.unsubscribe()
    for (const app of this.apps.values()) app.unsubscribe()
  }

  /** The first candidate that can take the request now, unless its app is over its own limit. */
  private admitNow(candidates: readonly string[], estimate: TokenEstimate, priority: Priority, app: ProviderLimiter | undefined, now: number): Admitted | undefined {
    if (app && !app.check(estimate, now).ok) return undefined
    for (const id of candidates) {
      const line = this.line(id)
      if (this.room.hasWaiterAhead(line, priority, now)) continue // FIFO: no overtaking on this provider
      if (line.limiter.check(estimate, now).ok) return this.grant(line, estimate, app, now, 0)
    }
    return undefined
  }

  private grant(line: ProviderLine, estimate: TokenEstimate, app: ProviderLimiter | undefined, now: number, waitedMs: number): Admitted {
    const lease = line.limiter.admit(estimate, now)
    const appLease = app?.admit(estimate, now)
    this.stats.admitted(line.id, waitedMs)
    return { providerId: line.id, lease: appLease ? this.bothLeases(lease, appLease) : lease, waitedMs }
  }

  /** Settles provider and app leases as one step, so the waiting room looks once at the result. */
  private bothLeases(provider: Lease, app: Lease): Lease {
    return {
      estimate: provider.estimate,
      get done() {
        return provider.done
      },
      settle: (actualTokens) =>
        this.room.batch(() => {
          provider.settle(actualTokens)
          app.settle(actualTokens)
        }),
      cancel: () =>
        this.room.batch(() => {
          provider.cancel()
          app.cancel()
        }),
    }
  }

  private removeLine(line: ProviderLine): void {
    this.lines.delete(line.id)
    this.stats.forget(line.id)
    line.unsubscribe()
    this.room.dropLine(line, () => providerRemoved(line.id))
  }

  /** Candidates not (yet) configured are admitted without limits. */
  private line(id: string): ProviderLine {
    let line = this.lines.get(id)
    if (!line) {
      line = this.createLine(id, {}, { ...DEFAULT_QUEUE })
      this.lines.set(id, line)
    }
    return line
  }

  private createLine(id: string, limits: Limits, policy: QueuePolicy): ProviderLine {
    const limiter = new ProviderLimiter(limits, this.clock, this.windowMs)
    return { id, limiter, queue: new WaitQueue(), policy, unsubscribe: limiter.onChange(() => this.room.pump()) }
  }
}

function definedOnly<T extends object>(obj: T): Partial<T> {
  return Object.fromEntries(Object.entries(obj).filter(([, v]) => v !== undefined)) as Partial<T>
}
