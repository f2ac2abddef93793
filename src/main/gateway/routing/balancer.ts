// The balance stage: orders a request's usable candidates by the route's strategy, or by the
// consistent-hash ring when the route has session affinity and the request a conversation key.
// Holds only per-route state (round-robin cursors, smooth-weighted scores, rings); everything
// that changes per request comes in through the StrategyContext.
import type { Strategy } from '../../../shared/config'
import type { Candidate, StrategyContext } from './candidates'
import { DEFAULT_VNODES, hash32, HashRing } from './hashRing'
import { orderByStrategy, RouteBalanceState, type OrderOptions } from './strategies'

export interface BalanceRequest {
  /** CandidateSet.stateKey: one cursor / ring per route. */
  stateKey: string
  strategy: Strategy
  affinity: boolean
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
   * Bounded-load affinity: a session's target is passed over while its in-flight count exceeds
   * this factor × the route's average (+1). Off by default: stickiness wins.
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
    const factor = this.opts.affinityLoadFactor
    if (factor !== undefined && ordered.length > 1) {
      let total = 0
      for (const c of ordered) total += ctx.inFlight(c.providerId)
      const bound = (factor * (total + 1)) / ordered.length + 1
      const light = ordered.filter((c) => ctx.inFlight(c.providerId) < bound)
      if (light.length > 0) ordered = [...light, ...ordered.filter((c) => ctx.inFlight(c.providerId) >= bound)]
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
