// The routing engine: one object the gateway owns, composing candidate resolution, health,
// balancing, failover policy, latency tracking and the backend side channels (probes, load
// metrics, model discovery). Per request it hands out a RequestPlan that drives the attempt loop:
//
//   const plan = router.plan(rt, model, { headers, body, deadline })
//   for (let c = plan.next(); c; c = plan.next()) {
//     ...dispatch to c.providerId with c.upstreamModel, until the first byte or a failure...
//     const d = plan.report({ providerId, model, outcome, status, latencyMs, startedAt, retryAfterMs }, { firstByteSent })
//     if (!d.retry) break
//     await sleep(d.delayMs)
//   }
//   plan.attempts  // the path taken, for the request log
import type { IncomingHttpHeaders } from 'node:http'
import { HealthRegistry, type ProviderHealth } from '../health/healthRegistry'
import { ProbeScheduler } from '../health/probeScheduler'
import { BackendClient } from '../providers/backendClient'
import { backendTargetOf } from '../providers/backendTarget'
import { LoadMonitor, type LoadSnapshot } from '../providers/loadMonitor'
import { catalogTargetOf, ModelCatalog, type DiscoveryStatus } from '../providers/modelCatalog'
import type { Runtime } from '../runtime/runtime'
import { conversationKey } from './affinity'
import { healthSignal, type AttemptRecord } from '../common/attemptOutcome'
import { Balancer, type BalancerOptions } from './balancer'
import { resolveCandidates, type Candidate, type CandidateSet, type StrategyContext } from './candidates'
import { FailoverPolicy, type FailoverDecision } from './failoverPolicy'
import { LatencyTracker } from './latency'
import { priceLookup } from './pricing'

export interface RouterOptions {
  /** Requests in flight per provider (LiveStats.inFlightFor). */
  inFlight(providerId: string): number
  clock?: () => number
  random?: () => number
  health?: HealthRegistry
  balancer?: BalancerOptions
  failover?: FailoverPolicy
  latency?: LatencyTracker
  /** Run probes, load monitoring and model discovery (default true; tests may turn it off). */
  sideChannels?: boolean
  probeIntervalMs?: number
  loadIntervalMs?: number
  discoveryIntervalMs?: number
  onModelsChanged?: (providerId: string, models: string[]) => void
}

export interface ProviderRoutingStatus {
  providerId: string
  health: ProviderHealth
  load?: LoadSnapshot
  discovery?: DiscoveryStatus
}

export class Router {
  readonly health: HealthRegistry
  readonly balancer: Balancer
  readonly failover: FailoverPolicy
  readonly latency: LatencyTracker
  readonly loads?: LoadMonitor
  readonly catalog?: ModelCatalog
  readonly probes?: ProbeScheduler
  private readonly client?: BackendClient
  private readonly clock: () => number
  private readonly random: () => number
  private price: StrategyContext['price'] = () => undefined
  private providerIds: string[] = []
  private resolved: { runtime?: Runtime; version: number; sets: Map<string, CandidateSet> } = { version: -1, sets: new Map() }

  constructor(private readonly opts: RouterOptions) {
    this.clock = opts.clock ?? Date.now
    this.random = opts.random ?? Math.random
    this.health = opts.health ?? new HealthRegistry({ clock: this.clock })
    this.balancer = new Balancer(opts.balancer)
    this.failover = opts.failover ?? new FailoverPolicy()
    this.latency = opts.latency ?? new LatencyTracker()
    if (opts.sideChannels !== false) {
      this.client = new BackendClient()
      this.probes = new ProbeScheduler({ health: this.health, client: this.client, intervalMs: opts.probeIntervalMs })
      this.loads = new LoadMonitor({ client: this.client, intervalMs: opts.loadIntervalMs })
      this.catalog = new ModelCatalog({ client: this.client, intervalMs: opts.discoveryIntervalMs, onChange: opts.onModelsChanged })
    }
  }

  /** Call with the first runtime and after every config change. */
  applyRuntime(rt: Runtime): void {
    const providers = [...rt.providers.values()]
    const enabled = providers.filter((p) => p.config.enabled)
    this.providerIds = providers.map((p) => p.config.id)
    this.price = priceLookup(providers.map((p) => p.config))
    this.health.retain(this.providerIds)
    this.latency.retain(this.providerIds)
    this.balancer.retain([...rt.exactRoutes.values(), ...rt.globRoutes].map((r) => `route:${r.config.model}`))
    this.probes?.setTargets(enabled.map(backendTargetOf))
    this.loads?.setTargets(enabled.map(backendTargetOf))
    this.catalog?.setTargets(enabled.map(catalogTargetOf))
  }

  /** Resolves, filters by health and orders the candidates of one request. Throws model_not_found. */
  plan(rt: Runtime, model: string, req: { headers?: IncomingHttpHeaders; body?: Record<string, unknown>; deadline?: number } = {}): RequestPlan {
    const now = this.clock()
    const set = this.resolve(rt, model)
    const availability = this.health.filterAvailable(set.candidates, now)
    let ordered: Candidate[]
    if (availability.candidates.length <= 1) {
      ordered = availability.candidates // nothing to balance (the common single-target case)
    } else {
      const affinityKey = set.affinity && req.body ? conversationKey(req.headers ?? {}, req.body) : undefined
      ordered = this.balancer.order(
        { stateKey: set.stateKey, strategy: set.strategy, affinity: set.affinity, candidates: availability.candidates, routeCandidates: set.candidates },
        this.context(now, affinityKey),
      )
    }
    this.failover.onRequest(now)
    return new RequestPlan(this, set, ordered, availability.degraded, req.deadline, availability.recoversAt)
  }

  /**
   * Resolution and health of a model's candidates WITHOUT balancing: for read-only views (the app
   * API's resolveModel). plan() advances round-robin cursors and smooth-weighted scores and feeds
   * the retry budget, so a UI polling it would skew which backend real requests get.
   * Throws model_not_found like plan().
   */
  preview(rt: Runtime, model: string): { set: CandidateSet; usable: readonly Candidate[]; degraded: boolean } {
    const set = this.resolve(rt, model)
    const availability = this.health.filterAvailable(set.candidates, this.clock())
    return { set, usable: availability.candidates, degraded: availability.degraded }
  }

  /**
   * Configured resolution plus what discovery found (models only the backends know about route
   * too), cached per model for the current config and model lists: the same few model names
   * arrive thousands of times.
   */
  private resolve(rt: Runtime, model: string): CandidateSet {
    const version = this.catalog?.version ?? 0
    if (this.resolved.runtime !== rt || this.resolved.version !== version) this.resolved = { runtime: rt, version, sets: new Map() }
    let set = this.resolved.sets.get(model)
    if (!set) {
      set = resolveCandidates(rt, model, {
        discoveredOwners: this.catalog && ((m) => this.catalog!.providersFor(m)),
        discoveredModels: this.catalog && (() => this.catalog!.allModels()),
      })
      // Model names come from clients: bound the cache rather than trust them.
      if (this.resolved.sets.size >= 1000) this.resolved.sets.clear()
      this.resolved.sets.set(model, set)
    }
    return set
  }

  /** The StrategyContext at `now` (exported for benchmarks and tests). */
  context(now: number, affinityKey?: string): StrategyContext {
    return {
      now,
      random: this.random,
      inFlight: this.opts.inFlight,
      ttftEwma: (id) => this.latency.estimate(id, now),
      load: (id, m) => this.loads?.load(id, m, now),
      price: this.price,
      affinityKey,
    }
  }

  /** Health, load and discovery per provider, for the app API. */
  status(): ProviderRoutingStatus[] {
    const loads = new Map((this.loads?.statuses() ?? []).map((s) => [s.providerId, s.snapshot]))
    const discovery = new Map((this.catalog?.statuses() ?? []).map((s) => [s.providerId, s]))
    return this.health.snapshot(this.providerIds).map((health) => ({
      providerId: health.providerId,
      health,
      load: loads.get(health.providerId),
      discovery: discovery.get(health.providerId),
    }))
  }

  /** @internal RequestPlan feeds outcomes back through here. */
  recordOutcome(record: AttemptRecord): void {
    this.recordHealth(record)
    this.recordLatency(record)
  }

  /** @internal The circuit breaker's part of recordOutcome. */
  recordHealth(record: AttemptRecord): void {
    this.health.record(record, this.clock())
  }

  /** @internal The latency tracker's part of recordOutcome. */
  recordLatency(record: AttemptRecord): void {
    const now = this.clock()
    const signal = healthSignal(record.outcome, record.status)
    if (signal === 'success') this.latency.record(record.providerId, record.latencyMs, now)
    else if (signal === 'failure') this.latency.recordFailure(record.providerId, now)
  }

  /** @internal */
  now(): number {
    return this.clock()
  }

  /** @internal */
  rand(): number {
    return this.random()
  }

  async close(): Promise<void> {
    await Promise.all([this.probes?.close(), this.loads?.close(), this.catalog?.close()])
    await this.client?.close()
  }
}

/** One request's walk down its ordered candidates. */
export class RequestPlan {
  readonly attempts: AttemptRecord[] = []
  /** Candidates not tried yet, best first. */
  private pending: Candidate[]

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
    const i = this.pending.findIndex((c) => c.providerId === providerId)
    if (i === -1) return undefined
    const c = this.pending[i]!
    this.pending.splice(i, 1)
    return this.router.health.acquire(c.providerId, this.degraded, this.router.now()) ? c : undefined
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
  }

  /**
   * The committed attempt is over. `failure`: it broke after its first byte (idle timeout, reset);
   * a client that left is not the backend's fault and counts as the success it was so far.
   */
  settle(record: AttemptRecord, failure?: Pick<AttemptRecord, 'outcome' | 'errorCode' | 'message'>): void {
    this.router.recordHealth(failure ? { ...record, ...failure, status: undefined } : record)
  }

  /** Records an attempt's outcome and says whether to try the next candidate, after how long. */
  report(record: AttemptRecord, opts: { firstByteSent: boolean }): FailoverDecision {
    this.attempts.push(record)
    this.router.recordOutcome(record)
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
}
