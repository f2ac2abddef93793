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
import { DEFAULT_LOAD_INTERVAL_MS } from '../../../shared/config'
import { HealthRegistry, type ProviderHealth } from '../health/healthRegistry'
import { ProbeScheduler } from '../health/probeScheduler'
import { BackendClient } from '../providers/backendClient'
import { backendTargetOf } from '../providers/backendTarget'
import { isQueueSnapshot, LoadMonitor, type LoadSnapshot } from '../providers/loadMonitor'
import { catalogTargetOf, ModelCatalog, type DiscoveryStatus } from '../providers/modelCatalog'
import type { Runtime } from '../runtime/runtime'
import { conversationKey } from './affinity'
import { healthSignal, type AttemptRecord } from '../common/attemptOutcome'
import { BackendTracker, type Flight, type TrackerOptions } from './backendTracker'
import { Balancer, type BalancerOptions } from './balancer'
import { resolveCandidates, type BackendLoad, type Candidate, type CandidateSet, type StrategyContext } from './candidates'
import { FailoverPolicy } from './failoverPolicy'
import { LatencyTracker } from './latency'
import { priceLookup } from './pricing'
import { conversationOf, promptShape, type PromptShape } from './promptShape'
import { RequestPlan } from './requestPlan'

export { RequestPlan }

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
  /**
   * Without side channels, still keep a LoadMonitor that is fed by hand (`loads.acceptMetrics`):
   * the routing simulator serves its backends' /metrics pages this way, on its own clock.
   */
  manualLoads?: boolean
  /** Cache-aware estimates: defaults until measured, prefix-cache size, bounds. */
  tracker?: TrackerOptions
  probeIntervalMs?: number
  /** Overrides the config's `routing.loadIntervalMs` (tests). */
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
  /** What Switchyard knows about each backend from its own requests (cache-aware routing, load corrections). */
  readonly tracker: BackendTracker
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
    this.tracker = new BackendTracker(opts.tracker)
    const loadHooks = {
      now: this.clock,
      intervalMs: opts.loadIntervalMs ?? DEFAULT_LOAD_INTERVAL_MS,
      mark: (id: string) => this.tracker.mark(id),
      onSnapshot: (id: string, snap: LoadSnapshot) => {
        if (isQueueSnapshot(snap)) this.tracker.observeLoad(id, snap)
      },
    }
    if (opts.sideChannels !== false) {
      this.client = new BackendClient()
      this.probes = new ProbeScheduler({ health: this.health, client: this.client, intervalMs: opts.probeIntervalMs })
      this.loads = new LoadMonitor({ client: this.client, ...loadHooks })
      this.catalog = new ModelCatalog({ client: this.client, intervalMs: opts.discoveryIntervalMs, onChange: opts.onModelsChanged })
    } else if (opts.manualLoads) {
      this.loads = new LoadMonitor(loadHooks)
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
    const routes = [...rt.exactRoutes.values(), ...rt.globRoutes].map((r) => r.config.model)
    this.balancer.retain(routes.map((name) => `route:${name}`))
    this.tracker.retain(this.providerIds, routes)
    this.probes?.setTargets(enabled.map(backendTargetOf))
    if (this.opts.loadIntervalMs === undefined) this.loads?.setIntervalMs(rt.config.routing?.loadIntervalMs ?? DEFAULT_LOAD_INTERVAL_MS)
    if (this.opts.sideChannels !== false) this.loads?.setTargets(enabled.map(backendTargetOf))
    this.catalog?.setTargets(enabled.map(catalogTargetOf))
  }

  /** Resolves, filters by health and orders the candidates of one request. Throws model_not_found. */
  plan(rt: Runtime, model: string, req: { headers?: IncomingHttpHeaders; body?: Record<string, unknown>; deadline?: number } = {}): RequestPlan {
    const now = this.clock()
    const set = this.resolve(rt, model)
    const availability = this.health.filterAvailable(set.candidates, now)
    let ordered: Candidate[]
    let shape: PromptShape | undefined
    let conversation: string | undefined
    if (availability.candidates.length <= 1) {
      ordered = availability.candidates // nothing to balance (the common single-target case)
    } else {
      const affinityKey = set.affinity && req.body ? conversationKey(req.headers ?? {}, req.body) : undefined
      if (req.body && balancesByCache(set, availability.candidates)) shape = promptShape(req.headers ?? {}, req.body)
      else if (req.body && LOAD_BASED.has(set.strategy)) conversation = conversationOf(req.headers ?? {}, req.body)
      ordered = this.balancer.order(
        {
          stateKey: set.stateKey,
          strategy: set.strategy,
          affinity: set.affinity,
          affinityLoadFactor: set.affinityLoadFactor,
          candidates: availability.candidates,
          routeCandidates: set.candidates,
        },
        this.context(now, affinityKey, shape, conversation),
      )
    }
    this.failover.onRequest(now)
    return new RequestPlan(this, set, ordered, availability.degraded, req.deadline, availability.recoversAt, shape, conversation)
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
  context(now: number, affinityKey?: string, shape?: PromptShape, conversation?: string): StrategyContext {
    const home = conversation === undefined ? undefined : this.tracker.homeOf(conversation)
    return {
      now,
      random: this.random,
      inFlight: this.opts.inFlight,
      ttftEwma: (id) => this.latency.estimate(id, now),
      load: (id, m) => this.load(id, m, now),
      price: this.price,
      affinityKey,
      facts: shape && ((c) => this.tracker.facts(c, shape, this.load(c.providerId, c.upstreamModel, now), now)),
      home: home === undefined ? undefined : (c) => c.key === home,
    }
  }

  /** A backend's fresh load report, plus what we sent there and saw finish since it was read. */
  load(providerId: string, model: string, now = this.clock()): BackendLoad | undefined {
    const reading = this.loads?.reading(providerId, model, now)
    return reading && this.tracker.corrected(providerId, reading.load, reading.mark)
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

  /** @internal RequestPlan.take(): an attempt goes out to `c`. */
  dispatched(c: Candidate, req: { shape?: PromptShape; conversation?: string }, route: string | undefined): Flight {
    const now = this.clock()
    return this.tracker.dispatch(c, req, route, req.shape && this.load(c.providerId, c.upstreamModel, now), now)
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

/** Strategies that rank by load and break ties toward the conversation's last backend. */
const LOAD_BASED: ReadonlySet<string> = new Set(['least-connections', 'least-latency', 'least-load', 'lowest-cost'])

/** Whether the route ranks targets by cache and queue estimates (which need the prompt's shape). */
function balancesByCache(set: CandidateSet, usable: readonly Candidate[]): boolean {
  if (set.strategy === 'cache-aware') return true
  if (set.strategy !== 'auto') return false
  let local = 0
  for (const c of usable) if (!c.cloud) local++
  return local > 1
}
