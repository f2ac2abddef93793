// Where requests wait when no candidate can take them now. The rules:
//   - A waiter joins the line of every candidate with room and is admitted on whichever frees
//     up first, but only as the head of that line: FIFO per provider, fair across routes;
//     'high' priority waiters stand before 'normal' ones.
//   - A waiter whose own app is over its limit is stepped over (it is not the head), so one
//     runaway app cannot hold a provider's line for everyone else.
//   - Everything is re-examined (`pump`) the moment capacity may exist: a limiter change event
//     (release, new limits, upstream facts) or the single timer armed for the earliest
//     instant a window expiry, a cooldown end or a deadline changes something.
//   - A waiter leaves a line at that line's deadline and fails (429) once it has left them all.
//   - Team mode: a line whose limits a shared store decides is not checked here but asked about
//     (`gates.probe`, asynchronous, one question per line at a time); its head waits for the
//     answer, and a refusal holds until a release anywhere in the team or its time is up.
import type { GatewayError } from '../common/errors'
import { limitedNoQueue, queueFull, retryAfterSec, waitTimedOut, type Blocked } from './admissionErrors'
import type { AdmissionStats } from './admissionStats'
import type { AppGate, Checkable, ProviderLine, Waiter } from './admissionTypes'
import type { Clock, Scheduler, TimerHandle } from './clock'
import type { CheckResult } from './providerLimiter'
import type { TokenEstimate } from './tokenEstimate'
import type { Priority } from './waitQueue'

/** A verdict, and for a shared store's refusal, when to ask again (wakeMs) even without news. */
export type GateResult = CheckResult & { wakeMs?: number }

/** How lines and apps are judged: locally, or by what a shared store said (see admission.ts). */
export interface LineGates {
  line(line: ProviderLine, estimate: TokenEstimate, now: number): GateResult
  app(app: AppGate | undefined, estimate: TokenEstimate, now: number): GateResult
  /** True when the shared store decides this line (or the app's limits) now: probe, never admit here. */
  shared(line: ProviderLine, now: number, app: AppGate | undefined): boolean
  /** Asks the shared store for `waiter` on `lines`; the answer admits it or records refusals, then pumps. */
  probe(waiter: Waiter, lines: ProviderLine[], now: number): void
}

export class WaitingRoom {
  private timer?: { at: number; handle: TimerHandle }
  /** A lower bound of the earliest deadline; a scan recomputes it exactly. */
  private nextDeadline = Infinity
  private pumping = false
  private pumpAgain = false
  private closed = false

  constructor(
    private readonly lines: ReadonlyMap<string, ProviderLine>,
    private readonly clock: Clock,
    private readonly scheduler: Scheduler,
    private readonly stats: AdmissionStats,
    /** Grants the waiter a lease on `line` and resolves it (it has already left every line). */
    private readonly admit: (line: ProviderLine, waiter: Waiter, now: number) => void,
    private readonly gates: LineGates,
  ) {}

  /** True if a newcomer of `priority` would stand behind someone on this line. */
  hasWaiterAhead(line: ProviderLine, priority: Priority, now: number): boolean {
    if (line.queue.size === 0) return false // the usual case: no generator on every request
    for (const w of line.queue.inOrder(priority)) if (this.mayGo(w, now)) return true
    return false
  }

  /** Admits a waiter the shared store admitted on `line` (it leaves every line); false if it is gone. */
  settleProbe(waiter: Waiter, admitted: (() => void) | undefined): boolean {
    waiter.probing = false
    if (waiter.done) return false
    if (admitted) {
      this.leaveLines(waiter)
      waiter.done = true
      admitted()
    }
    return true
  }

  /** Joins the lines that have room; returns the error to fail with when none has. */
  enqueue(waiter: Waiter, lines: ProviderLine[], timeoutMs: number | undefined, now: number): GatewayError | undefined {
    const join = (line: ProviderLine): void => {
      const deadline = now + (timeoutMs ?? line.policy.timeoutMs)
      waiter.deadlines.set(line.id, deadline)
      waiter.joined.push(line.id)
      line.queue.add(waiter, waiter.priority)
      this.nextDeadline = Math.min(this.nextDeadline, deadline)
    }
    for (const line of lines) if (line.queue.size < line.policy.maxSize) join(line)
    if (waiter.joined.length > 0) return undefined

    const queueing = lines.filter((l) => l.policy.maxSize > 0)
    if (queueing.length === 0) return limitedNoQueue(this.blocked(lines), waiter.estimate, this.appCheck(waiter.app), waiter.appName, now)
    const retryAfter = retryAfterSec(this.blocked(lines), waiter.estimate, this.appCheck(waiter.app), now)
    for (const line of queueing) {
      if (line.policy.overflow !== 'drop-oldest') continue
      const oldest = line.queue.oldest()
      // Never evict a high-priority waiter for a normal one.
      if (!oldest || (oldest.priority === 'high' && waiter.priority === 'normal')) continue
      this.stats.count(line.id, 'queueFull')
      this.fail(oldest.waiter, queueFull([line.id], retryAfter, true))
      join(line)
      return undefined
    }
    for (const line of queueing) this.stats.count(line.id, 'queueFull')
    return queueFull(queueing.map((l) => l.id), retryAfter, false)
  }

  /** Re-examines every line: admit what fits, expire deadlines, then re-arm the one timer. */
  pump(): void {
    if (this.closed) return
    if (this.pumping) {
      this.pumpAgain = true
      return
    }
    this.pumping = true
    try {
      do {
        this.pumpAgain = false
        const now = this.clock()
        // Admit before expiring: capacity that arrives exactly at a deadline is not wasted.
        // A waiter that expires may have been holding the line, so look again after.
        do this.admitWhatFits(now)
        while (this.expireDeadlines(now))
        this.rearmTimer(now)
      } while (this.pumpAgain)
    } finally {
      this.pumping = false
    }
  }

  /** Runs `fn` with pumping deferred, then pumps once (several changes, one look). */
  batch(fn: () => void): void {
    const wasPumping = this.pumping
    this.pumping = true
    try {
      fn()
    } finally {
      this.pumping = wasPumping
    }
    this.pump()
  }

  /** Removes a waiter from every line and rejects it (once). */
  fail(waiter: Waiter, error: unknown): void {
    if (waiter.done) return
    waiter.done = true
    this.leaveLines(waiter)
    waiter.reject(error)
  }

  /** A provider left the configuration: its waiters leave its line, and fail if it was their last. */
  dropLine(line: ProviderLine, error: () => unknown): void {
    for (const w of [...line.queue.inOrder()]) {
      line.queue.delete(w)
      w.deadlines.delete(line.id)
      if (w.deadlines.size === 0) this.fail(w, error())
    }
  }

  close(error: () => unknown): void {
    this.closed = true
    this.timer?.handle.cancel()
    this.timer = undefined
    for (const line of this.lines.values()) for (const w of [...line.queue.inOrder()]) this.fail(w, error())
  }

  private admitWhatFits(now: number): void {
    let progress = true
    while (progress) {
      progress = false
      for (const line of this.lines.values()) {
        const head = this.head(line, now)
        if (head && this.tryAdmit(head, now)) progress = true
      }
    }
  }

  /**
   * Admits `waiter` on its best-ranked candidate where it heads the line and that has room. Lines
   * a shared store decides are asked about instead (asynchronously; no progress now): a later,
   * local line is only considered once they have said no.
   */
  private tryAdmit(waiter: Waiter, now: number): boolean {
    if (waiter.probing) return false
    const ask: ProviderLine[] = []
    for (const id of waiter.candidates) {
      const line = this.lines.get(id)
      if (!line || !waiter.deadlines.has(id) || this.head(line, now) !== waiter) continue
      if (this.gates.shared(line, now, waiter.app)) {
        if (!line.probing && this.gates.line(line, waiter.estimate, now).ok) ask.push(line)
        continue
      }
      if (ask.length > 0) break
      if (!this.gates.line(line, waiter.estimate, now).ok) continue
      this.leaveLines(waiter)
      waiter.done = true
      this.admit(line, waiter, now)
      return true
    }
    if (ask.length > 0) this.gates.probe(waiter, ask, now)
    return false
  }

  /** The first waiter in line whose own app limit lets it go now. */
  private head(line: ProviderLine, now: number): Waiter | undefined {
    if (line.queue.size === 0) return undefined
    for (const w of line.queue.inOrder()) if (this.mayGo(w, now)) return w
    return undefined
  }

  private mayGo(w: Waiter, now: number): boolean {
    return !w.app || this.gates.app(w.app, w.estimate, now).ok
  }

  /** Takes waiters out of lines whose deadline passed; true if any left a line. */
  private expireDeadlines(now: number): boolean {
    if (now < this.nextDeadline) return false
    let next = Infinity
    let expired = false
    for (const line of this.lines.values()) {
      for (const w of [...line.queue.inOrder()]) {
        const deadline = w.deadlines.get(line.id)!
        if (deadline > now) {
          next = Math.min(next, deadline)
          continue
        }
        line.queue.delete(w)
        w.deadlines.delete(line.id)
        expired = true
        if (w.deadlines.size === 0) {
          for (const id of w.joined) this.stats.count(id, 'timedOut')
          const joined = w.joined.flatMap((id) => this.lines.get(id) ?? [])
          this.fail(w, waitTimedOut(this.blocked(joined), w.estimate, this.appCheck(w.app), w.appName, now - w.enqueuedAt, now))
        }
      }
    }
    this.nextDeadline = next
    return expired
  }

  /** One timer for all lines, at the earliest instant anything can change. */
  private rearmTimer(now: number): void {
    let wake = this.nextDeadline
    for (const line of this.lines.values()) {
      if (line.queue.size === 0) continue
      for (const w of line.queue.inOrder()) {
        const appCheck = w.app && this.gates.app(w.app, w.estimate, now)
        if (appCheck && !appCheck.ok) {
          const ms = appCheck.wakeMs ?? appCheck.retryAfterMs
          if (ms > 0) wake = Math.min(wake, now + ms)
          continue // stepped over: the next one is the head
        }
        const check = this.gates.line(line, w.estimate, now)
        // retryAfterMs 0 while blocked means concurrency only: a release will wake us (a shared
        // store's refusal also says when to ask again: a lease of a crashed instance expires).
        const ms = check.ok ? 0 : (check.wakeMs ?? check.retryAfterMs)
        if (ms > 0) wake = Math.min(wake, now + ms)
        break
      }
    }
    if (this.timer?.at === wake) return
    this.timer?.handle.cancel()
    this.timer = undefined
    if (wake === Infinity) return
    // At least 1 ms: a timer that fires a hair early just re-arms instead of spinning.
    const handle = this.scheduler.schedule(Math.max(1, wake - now), () => {
      this.timer = undefined
      this.pump()
    })
    this.timer = { at: wake, handle }
  }

  private leaveLines(waiter: Waiter): void {
    for (const id of waiter.deadlines.keys()) this.lines.get(id)?.queue.delete(waiter)
    waiter.deadlines.clear()
  }

  /** The lines' verdicts, for error messages and Retry-After. */
  blocked(lines: readonly ProviderLine[]): Blocked[] {
    return lines.map((l) => ({ providerId: l.id, limiter: { check: (e, n) => this.gates.line(l, e, n) } }))
  }

  appCheck(app: AppGate | undefined): Checkable | undefined {
    return app && { check: (e, n) => this.gates.app(app, e, n) }
  }
}
