// The balance stage: orders a request's usable candidates by the route's strategy, or by the
// consistent-hash ring when the route has session affinity and the request a conversation key.
// Holds only per-route state (round-robin cursors, smooth-weighted scores, rings); everything
// that changes per request comes in through the StrategyContext.
//
// Affinity is consistent hashing with bounded loads (Mirrokni, Thorup, Zadimoghaddam 2018): a
// target may take a session while its in-flight requests stay within ⌈factor × (total + 1) ×
// its weight share⌉. The session's ring owner keeps it while it is within that bound; when it
// is not, the route's strategy chooses among the targets that are, and overloaded ones go last.
import { DEFAULT_AFFINITY_LOAD_FACTOR, type Strategy } from '../../../shared/config'
import type { Candidate, StrategyContext } from './candidates'
import { DEFAULT_VNODES, hash32, HashRing } from './hashRing'
import { orderByStrategy, RouteBalanceState, type OrderOptions } from './strategies'

export interface BalanceRequest {
  /** CandidateSet.stateKey: one cursor / ring per route. */
  stateKey: string
  strategy: Strategy
  affinity: boolean
  /** Bounded-load factor of the route (undefined: the balancer's default; 0: unbounded). */
  affinityLoadFactor?: number
  /** The usable candidates (after health filtering), in configured order. */
  candidates: readonly Candidate[]
  /**
   * Every target of the route, usable or not; the ring is built over these so that a target
   * being ejected moves only its own sessions. Defaults to `candidates`.
   */
  routeCandidates?: readonly Candidate[]
}

export interface BalancerOptions extends OrderOptions {
  /** Ring points per unit of weight; default 160. */
  vnodes?: number
  /**
   * Bounded-load affinity: a session's target is passed over while its in-flight count would
   * exceed this factor × its share of the route's total (+1). Default 1.25 (a route's own
   * `affinityLoadFactor` wins); 0 = unbounded, stickiness always wins.
   */
  affinityLoadFactor?: number
}

interface RingEntry {
  signature: string
  ring: HashRing<Candidate>
}

export class Balancer {
  private readonly states = new Map<string, RouteBalanceState>()
  private readonly rings = new Map<string, RingEntry>()

  constructor(private readonly opts: BalancerOptions = {}) {}

  order(req: BalanceRequest, ctx: StrategyContext): Candidate[] {
    const { candidates } = req
    if (candidates.length <= 1) return [...candidates]
    if (req.affinity && ctx.affinityKey !== undefined) {
      return this.affinityOrder(req, ctx, ctx.affinityKey)
    }
    return orderByStrategy(req.strategy, candidates, ctx, this.state(req.stateKey), this.opts)
  }

  /** Drops state of routes that no longer exist (call on config change). */
  retain(stateKeys: Iterable<string>): void {
    const keep = new Set(stateKeys)
    for (const key of this.states.keys()) if (!keep.has(key)) this.states.delete(key)
    for (const key of this.rings.keys()) if (!keep.has(key)) this.rings.delete(key)
  }

  private state(key: string): RouteBalanceState {
    let s = this.states.get(key)
    if (!s) {
      s = new RouteBalanceState()
      this.states.set(key, s)
    }
    return s
  }

  private affinityOrder(req: BalanceRequest, ctx: StrategyContext, affinityKey: string): Candidate[] {
    const ring = this.ring(req.stateKey, req.routeCandidates ?? req.candidates)
    const usable = new Set(req.candidates.map((c) => c.key))
    const byKey = new Map(req.candidates.map((c) => [c.key, c]))
    // Walk the ring, then map back to the caller's candidate objects.
    let ordered = ring.walk(hash32(affinityKey), (m) => usable.has(m.key)).map((m) => byKey.get(m.key)!)
    const factor = req.affinityLoadFactor ?? this.opts.affinityLoadFactor ?? DEFAULT_AFFINITY_LOAD_FACTOR
    if (factor > 0 && ordered.length > 1) {
      let total = 0
      let weights = 0
      for (const c of ordered) {
        total += ctx.inFlight(c.providerId)
        weights += c.weight
      }
      const fits = (c: Candidate) => ctx.inFlight(c.providerId) + 1 <= Math.ceil((factor * (total + 1) * c.weight) / weights)
      if (!fits(ordered[0]!)) {
        // In configured order, as the strategy would see them without affinity.
        const onRing = new Set(ordered.map((c) => c.key))
        const acceptable = req.candidates.filter((c) => onRing.has(c.key) && fits(c))
        if (acceptable.length > 0) {
          const chosen = orderByStrategy(req.strategy, acceptable, ctx, this.state(req.stateKey), this.opts)
          ordered = [...chosen, ...ordered.filter((c) => !fits(c))]
        }
      }
    }
    if (ordered.length < req.candidates.length) {
      const placed = new Set(ordered.map((c) => c.key))
      for (const c of req.candidates) if (!placed.has(c.key)) ordered.push(c) // backups (weight 0)
    }
    return ordered
  }

  private ring(stateKey: string, members: readonly Candidate[]): HashRing<Candidate> {
    let signature = ''
    for (const m of members) signature += `${m.key}\u0000${m.weight}\u0001`
    const cached = this.rings.get(stateKey)
    if (cached && cached.signature === signature) return cached.ring
    const ring = new HashRing(members, this.opts.vnodes ?? DEFAULT_VNODES)
    this.rings.set(stateKey, { signature, ring })
    return ring
  }
}
