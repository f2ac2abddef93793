// The admission stage: given a route's candidates (best first, as the balancer ranked them) and
// a token estimate, admit the request on the first candidate that can take it now — a free
// target beats a better-ranked saturated one — or let it wait in the waiting room (FIFO per
// provider, bounded, with a deadline) until one can. The caller gets a lease to settle with
// the real usage when the response ends.
//
// Policy stays pure (limiters take `now`); the only timer lives in the waiting room, is
// unref'd, and goes away with close().
//
// Team mode (`shared`): lines with limits are decided by the shared store (sharedGate.ts) in one
// round trip, atomically for every instance; the queue stays here and is woken by releases
// anywhere. While the store is unreachable, this instance decides alone on its share of each
// limit (fail closed) or the whole limit (fail open), and books what it admitted for the resync.
import { abortReason, providerRemoved, shuttingDown } from './admissionErrors'
import { AdmissionStats, type ProviderAdmissionSnapshot } from './admissionStats'
import {
  DEFAULT_QUEUE,
  type AcquireRequest,
  type Admitted,
  type AppGate,
  type ProviderAdmissionConfig,
  type ProviderLine,
  type QueuePolicy,
  type Waiter,
} from './admissionTypes'
import { systemClock, systemScheduler, type Clock, type Scheduler } from './clock'
import { KeyRing, type KeyOutcome, type KeyState } from './keyRing'
import { ProviderLimiter, type Lease, type Limits } from './providerLimiter'
import { SharedGate } from './sharedGate'
import type { SharedLimits } from './sharedLimits'
import { WINDOW_MS } from './slidingWindow'
import { toEstimate, type TokenEstimate } from './tokenEstimate'
import { WaitQueue, type Priority } from './waitQueue'
import { WaitingRoom, type GateResult, type LineGates } from './waitingRoom'

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
  /** Team mode: the store every instance admits through (state/); absent = this instance alone. */
  shared?: SharedLimits
  /**
   * Team mode, store unreachable: 'closed' (default) admits on this instance's share of each
   * limit (limit / live instances), so the team stays within it; 'open' on the whole limit.
   */
  failMode?: 'open' | 'closed'
}

const OK: GateResult = { ok: true }

export class Admission {
  private readonly clock: Clock
  private readonly windowMs: number | undefined
  private readonly lines = new Map<string, ProviderLine>()
  private readonly apps = new Map<string, AppGate>()
  private readonly stats = new AdmissionStats()
  private readonly room: WaitingRoom
  private readonly gate?: SharedGate
  private readonly share?: () => number
  private readonly lineGates: LineGates
  private closed = false

  constructor(private readonly opts: AdmissionOptions = {}) {
    this.clock = opts.clock ?? systemClock
    this.windowMs = opts.windowMs
    const shared = opts.shared
    if (shared) this.share = () => ((!shared.up || shared.rejoining) && opts.failMode !== 'open' ? shared.instances() : 1)
    this.room = new WaitingRoom(
      this.lines,
      this.clock,
      opts.scheduler ?? systemScheduler,
      this.stats,
      (line, waiter, now) => waiter.resolve(this.grant(line, waiter.estimate, waiter.app, now, now - waiter.enqueuedAt)),
      (this.lineGates = this.gates()),
    )
    if (shared) this.gate = new SharedGate(shared, this.lines, this.apps, this.clock, opts.windowMs ?? WINDOW_MS, () => this.room.pump())
    if (opts.providers) this.configure(opts.providers)
  }

  /** How the waiting room judges lines: locally, or by the shared store's last word (team mode). */
  private gates(): LineGates {
    return {
      line: (line, estimate, now) => {
        if (this.gate?.lineShared(line, now)) {
          // Rejoining after an outage: the store decides, within this instance's share meanwhile.
          if (this.gate.store.rejoining) {
            const local = line.limiter.check(estimate, now)
            if (!local.ok) return local
          }
          return this.gate.verdict(line.remote, now)
        }
        const r = line.limiter.check(estimate, now)
        if (!r.ok || !line.keys || line.keys.size === 0) return r
        return line.keys.check(estimate, now)
      },
      app: (app, estimate, now) => {
        if (!app) return OK
        if (this.gate?.appShared(app)) return this.gate.verdict(app.remote, now)
        return app.limiter.check(estimate, now)
      },
      shared: (line, now, app) => this.gate !== undefined && (this.gate.lineShared(line, now) || this.gate.appShared(app)),
      probe: (waiter, lines) => this.probeQueued(waiter, lines),
    }
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
        let line = this.lines.get(p.id)
        if (line) {
          line.policy = policy
          line.limiter.setLimits(p.limits ?? {})
        } else {
          line = this.createLine(p.id, p.limits ?? {}, policy)
          this.lines.set(p.id, line)
        }
        this.configureKeys(line, p)
        line.remote = undefined // new limits: ask again
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
      existing.remote = undefined
    } else {
      const limiter = this.newLimiter(limits, `a:${app}`)
      this.apps.set(app, { name: app, limiter, unsubscribe: limiter.onChange(() => this.room.pump()) })
    }
    this.room.pump()
    this.noticeTokenLimits()
  }

  /** A key pool's state (rotation, per-key limits and cooldowns), for views and tests. */
  keyRing(providerId: string): KeyRing | undefined {
    return this.lines.get(providerId)?.keys
  }

  /**
   * What an answer through one of a pool's keys said (status, rate-limit headers): the key learns
   * its budget, and rests after 429 / 401 / 403 / 402. Returns true when another key of the pool
   * can take requests now (the provider itself then is not busy).
   */
  reportKey(providerId: string, label: string, outcome: KeyOutcome): boolean {
    const ring = this.lines.get(providerId)?.keys
    if (!ring) return false
    const now = this.clock()
    ring.report(label, outcome, now)
    return ring.all().some((k) => k.label !== label && k.weight > 0 && k.limiter.check({ input: 0, output: 0 }, now).ok)
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
    return providerIds.some((id) => {
      const line = this.lines.get(id)
      return line !== undefined && (line.limiter.needsTokenEstimate() || (line.keys?.all().some((k) => k.limiter.needsTokenEstimate()) ?? false))
    })
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
    const app = req.app === undefined ? undefined : this.apps.get(req.app)
    // A line the team decides needs the shared store: acquire() asks it.
    return this.admitNow(req.candidates, toEstimate(req.estimate), req.priority ?? 'normal', app, now).admitted
  }

  acquire(req: AcquireRequest): Promise<Admitted> {
    if (this.closed) return Promise.reject(shuttingDown())
    if (req.signal?.aborted) return Promise.reject(abortReason(req.signal))
    const candidates = [...new Set(req.candidates)]
    if (candidates.length === 0) return Promise.reject(new TypeError('acquire() needs at least one candidate provider'))
    const now = this.clock()
    const estimate = toEstimate(req.estimate)
    const priority = req.priority ?? 'normal'
    const app = req.app === undefined ? undefined : this.apps.get(req.app)
    const first = this.admitNow(candidates, estimate, priority, app, now)
    if (first.admitted) return Promise.resolve(first.admitted)
    if (first.ask) return this.askFirst(req, first.ask, candidates, estimate, priority, app)
    return this.wait(req, candidates, estimate, priority, app, now)
  }

  /** Team mode: the shared store is asked before queueing (one round trip when there is room). */
  private async askFirst(req: AcquireRequest, ask: ProviderLine[], candidates: string[], estimate: TokenEstimate, priority: Priority, app: AppGate | undefined): Promise<Admitted> {
    const gate = this.gate!
    const sharedApp = gate.appShared(app) ? app : undefined
    let choice
    try {
      choice = await gate.ask(ask, sharedApp, estimate)
    } catch {
      choice = undefined // the store is down now: decided below, locally
    }
    const now = this.clock()
    if (choice) {
      const lease = gate.sharedLease(choice, sharedApp, estimate, now, (fn) => this.room.batch(fn))
      if (this.closed || req.signal?.aborted) {
        lease.cancel()
        throw this.closed ? shuttingDown() : abortReason(req.signal!)
      }
      this.stats.admitted(choice.line.id, 0)
      return { providerId: choice.line.id, lease, waitedMs: 0 }
    }
    if (this.closed) throw shuttingDown()
    if (req.signal?.aborted) throw abortReason(req.signal)
    const again = this.admitNow(candidates, estimate, priority, app, now, false)
    if (again.admitted) return again.admitted
    return this.wait(req, candidates, estimate, priority, app, now)
  }

  /** A queued waiter heads shared lines: ask the store; its answer admits or records refusals. */
  private probeQueued(waiter: Waiter, lines: ProviderLine[]): void {
    const gate = this.gate!
    const app = gate.appShared(waiter.app) ? waiter.app : undefined
    waiter.probing = true
    for (const l of lines) l.probing = true
    const done = (): void => {
      for (const l of lines) l.probing = false
    }
    gate.ask(lines, app, waiter.estimate).then(
      (choice) => {
        done()
        const now = this.clock()
        if (!choice) {
          this.room.settleProbe(waiter, undefined)
        } else {
          const lease = gate.sharedLease(choice, app, waiter.estimate, now, (fn) => this.room.batch(fn))
          const admitted = this.room.settleProbe(waiter, () => {
            this.stats.admitted(choice.line.id, now - waiter.enqueuedAt)
            waiter.resolve({ providerId: choice.line.id, lease, waitedMs: now - waiter.enqueuedAt })
          })
          if (!admitted) lease.cancel() // it left meanwhile (timeout, client gone)
        }
        this.room.pump()
      },
      () => {
        done()
        this.room.settleProbe(waiter, undefined)
        this.room.pump() // the store is down: the lines are decided locally now
      },
    )
  }

  private wait(req: AcquireRequest, candidates: string[], estimate: TokenEstimate, priority: Priority, app: AppGate | undefined, now: number): Promise<Admitted> {
    const lines = candidates.map((id) => this.line(id))
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
    const team = this.gate?.store.teamView([...this.lines.keys()].map((id) => `p:${id}`))
    for (const [id, line] of this.lines) {
      const snap = this.stats.snapshot(id, line.limiter, line.queue.size, line.policy.maxSize, now)
      if (line.keys && line.keys.size > 0) snap.keys = line.keys.snapshot(now)
      if (this.gate) snap.shared = { decidedBy: this.gate.lineShared(line, now) ? 'team' : 'instance', team: team?.get(`p:${id}`) }
      out[id] = snap
    }
    return out
  }

  /** Fails every waiter and stops the timer; leases already granted stay valid. */
  close(): void {
    if (this.closed) return
    this.closed = true
    this.room.close(shuttingDown)
    this.gate?.close()
    for (const line of this.lines.values()) {
      line.unsubscribe()
      line.keys?.close()
    }
    for (const app of this.apps.values()) app.unsubscribe()
  }

  /**
   * The first candidate that can take the request now, unless its app is over its own limit.
   * Team mode: from the first candidate the shared store decides on, the candidates are to be
   * asked (`ask`) rather than admitted here; `mayAsk` false (after the store said no) skips them.
   */
  private admitNow(
    candidates: readonly string[],
    estimate: TokenEstimate,
    priority: Priority,
    app: AppGate | undefined,
    now: number,
    mayAsk = true,
  ): { admitted?: Admitted; ask?: ProviderLine[] } {
    const gates = this.lineGates
    if (app && !gates.app(app, estimate, now).ok) return {}
    const ask: ProviderLine[] = []
    for (const id of candidates) {
      const line = this.line(id)
      if (this.room.hasWaiterAhead(line, priority, now)) continue // FIFO: no overtaking on this provider
      if (gates.shared(line, now, app)) {
        if (mayAsk && gates.line(line, estimate, now).ok) ask.push(line)
        continue
      }
      if (ask.length > 0) break // better-ranked shared candidates first; this one once they said no
      if (gates.line(line, estimate, now).ok) return { admitted: this.grant(line, estimate, app, now, 0) }
    }
    return ask.length > 0 ? { ask } : {}
  }

  private grant(line: ProviderLine, estimate: TokenEstimate, app: AppGate | undefined, now: number, waitedMs: number): Admitted {
    const pooled = line.keys && line.keys.size > 0 ? line.keys.admit(estimate, now) : undefined
    const leases = [line.limiter.admit(estimate, now)]
    if (pooled) leases.push(pooled.lease)
    if (app) leases.push(app.limiter.admit(estimate, now))
    let lease = leases.length === 1 && !pooled ? leases[0]! : this.allLeases(leases, pooled?.key)
    if (this.gate) lease = this.gate.bookLocal(lease, this.gate.specsOf(line, pooled?.key, app, now), now)
    this.stats.admitted(line.id, waitedMs)
    return { providerId: line.id, lease, waitedMs }
  }

  /** Settles provider, key and app leases as one step, so the waiting room looks once at the result. */
  private allLeases(leases: Lease[], key: KeyState | undefined): Lease {
    const first = leases[0]!
    return {
      estimate: first.estimate,
      key: key?.label,
      get done() {
        return first.done
      },
      settle: (actualTokens) => this.room.batch(() => leases.forEach((l) => l.settle(actualTokens))),
      cancel: () => this.room.batch(() => leases.forEach((l) => l.cancel())),
    }
  }

  private newLimiter(limits: Limits, sharedId?: string): ProviderLimiter {
    const limiter = new ProviderLimiter(limits, this.clock, this.windowMs, this.share)
    const gate = this.gate
    if (gate && sharedId) limiter.onLearn((learned, now) => gate.store.learn(sharedId, learned, now))
    return limiter
  }

  private configureKeys(line: ProviderLine, p: ProviderAdmissionConfig): void {
    if (!p.keys || p.keys.length === 0) {
      line.keys?.close()
      line.keys = undefined
      return
    }
    line.keys ??= new KeyRing(line.id, (limits) => this.newLimiter(limits), () => this.room.pump(), this.clock)
    line.keys.configure(p.keys)
    for (const key of line.keys.all()) {
      const gate = this.gate
      if (gate) key.limiter.onLearn((learned, now) => gate.store.learn(key.id, learned, now))
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
    const limiter = this.newLimiter(limits, `p:${id}`)
    return { id, limiter, queue: new WaitQueue(), policy, unsubscribe: limiter.onChange(() => this.room.pump()) }
  }
}

function definedOnly<T extends object>(obj: T): Partial<T> {
  return Object.fromEntries(Object.entries(obj).filter(([, v]) => v !== undefined)) as Partial<T>
}
