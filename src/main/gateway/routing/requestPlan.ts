// One request's walk down its ordered candidates (see router.ts for the loop that drives it),
// feeding every attempt back to the router: health and latency, and the backend tracker
// (dispatch at take(), first byte at commit(), end at settle() or report()).
import type { AttemptRecord } from '../common/attemptOutcome'
import type { Candidate, CandidateSet } from './candidates'
import type { FailoverDecision } from './failoverPolicy'
import type { PromptShape } from './promptShape'
import type { Flight } from './providerActivity'
import type { Router } from './router'

/**
 * A plan dropped with an attempt still open (a caller that stopped between take() and a report,
 * e.g. on an exception) ends that attempt when it is collected, so the backend tracker does not
 * count it as in flight until its expiry.
 */
const dropped = new FinalizationRegistry<{ router: Router; flight: Flight }>(({ router, flight }) => router.tracker.end(flight, router.now(), false))

/** One request's walk down its ordered candidates. */
export class RequestPlan {
  readonly attempts: AttemptRecord[] = []
  /** Candidates not tried yet, best first. */
  private pending: Candidate[]
  /** The attempt under way (for the backend tracker). */
  private flight?: Flight

  constructor(
    private readonly router: Router,
    readonly set: CandidateSet,
    /** Usable candidates in the order they will be tried. */
    readonly ordered: readonly Candidate[],
    /** Every candidate was unusable; the least-bad one is tried anyway. */
    readonly degraded: boolean,
    readonly deadline?: number,
    /** When degraded: when the kept candidate is expected to recover (Retry-After for a final error). */
    readonly recoversAt?: number,
    /** The prompt as cache-aware routing sees it (when the route balances that way). */
    readonly shape?: PromptShape,
    /** The conversation, for routes that balance by load (their ties go to its last backend). */
    readonly conversation?: string,
  ) {
    this.pending = [...ordered]
  }

  /** Candidates not tried yet, best first (admission picks among them). */
  remaining(): readonly Candidate[] {
    return this.pending
  }

  /** The next candidate to dispatch to (its slot already claimed), or undefined when none is left. */
  next(): Candidate | undefined {
    while (this.pending.length > 0) {
      const c = this.take(this.pending[0]!.providerId)
      if (c) return c
    }
    return undefined
  }

  /**
   * Takes the first untried candidate on `providerId` (the one admission granted) and claims its
   * health slot (a half-open circuit lets one request through). Undefined when the slot was
   * taken meanwhile; the candidate is dropped either way.
   */
  take(providerId: string): Candidate | undefined {
    // A loop, not findIndex with a closure, and a plain held value below: this runs per request.
    let i = 0
    while (i < this.pending.length && this.pending[i]!.providerId !== providerId) i++
    if (i === this.pending.length) return undefined
    const c = this.pending[i]!
    this.pending.splice(i, 1)
    if (!this.router.health.acquire(c.providerId, this.degraded, this.router.now())) return undefined
    this.endFlight(false) // an earlier attempt nobody reported on was abandoned
    const flight = this.router.dispatched(c, { shape: this.shape, conversation: this.conversation }, this.set.route)
    dropped.register(this, { router: this.router, flight }, flight)
    this.flight = flight
    return c
  }

  /**
   * The attempt's first byte reached the client: no failover from here on. Records the attempt
   * and its time to first byte now, but leaves the breaker's verdict to `settle()` at the end of
   * the stream: a success recorded at the first byte would reset the provider's failure count on
   * every request, so a backend that always stalls or dies mid-stream would never be ejected.
   */
  commit(record: AttemptRecord): void {
    this.attempts.push(record)
    this.router.recordLatency(record)
    if (this.flight) this.router.tracker.firstByte(this.flight, this.router.now())
  }

  /**
   * The committed attempt is over. `failure`: it broke after its first byte (idle timeout, reset);
   * a client that left is not the backend's fault and counts as the success it was so far.
   */
  settle(record: AttemptRecord, failure?: Pick<AttemptRecord, 'outcome' | 'errorCode' | 'message'>): void {
    this.router.recordHealth(failure ? { ...record, ...failure, status: undefined } : record)
    this.endFlight(!failure)
  }

  /** Records an attempt's outcome and says whether to try the next candidate, after how long. */
  report(record: AttemptRecord, opts: { firstByteSent: boolean }): FailoverDecision {
    this.attempts.push(record)
    this.router.recordOutcome(record)
    this.endFlight(record.outcome === 'success')
    return this.router.failover.decide({
      outcome: record.outcome,
      status: record.status,
      attempts: this.attempts.length,
      remaining: this.pending.length,
      firstByteSent: opts.firstByteSent,
      now: this.router.now(),
      deadline: this.deadline,
      random: () => this.router.rand(),
    })
  }

  private endFlight(ok: boolean): void {
    if (!this.flight) return
    dropped.unregister(this.flight)
    this.router.tracker.end(this.flight, this.router.now(), ok)
    this.flight = undefined
  }
}
