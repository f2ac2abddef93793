import { describe, expect, it } from 'vitest'
import { LatencyTracker } from '../../../../src/main/gateway/routing/latency'
import { leastLoad, loadScore } from '../../../../src/main/gateway/routing/leastLoad'
import {
  failoverOrder,
  leastConnections,
  leastLatency,
  lowestCost,
  orderByStrategy,
  roundRobin,
  RouteBalanceState,
  SmoothWeighted,
} from '../../../../src/main/gateway/routing/strategies'
import { STRATEGIES } from '../../../../src/shared/config'
import { seededRandom } from '../../../helpers/random'
import { cand, ctx, ids, tally } from './fixtures'

const abc = [cand('a'), cand('b'), cand('c')]

describe('every strategy', () => {
  it('returns a permutation of its candidates (pick + full failover order)', () => {
    const list = [cand('a', 2), cand('b', 1), cand('c', 0), cand('d', 3)]
    const c = ctx({ inFlight: { a: 2, d: 1 }, ttft: { a: 90, b: 40 }, price: { b: 1 }, load: { a: { running: 1, waiting: 0 } } })
    for (const strategy of STRATEGIES) {
      const state = new RouteBalanceState()
      for (let i = 0; i < 5; i++) {
        const ordered = orderByStrategy(strategy, list, c, state)
        expect([...ids(ordered)].sort(), strategy).toEqual(['a', 'b', 'c', 'd'])
      }
    }
  })

  it('never puts a backup (weight 0) first while a weighted target is usable, except failover', () => {
    const list = [cand('backup', 0), cand('a'), cand('b')]
    const c = ctx({ inFlight: { a: 9, b: 9 }, ttft: { a: 5000, b: 5000 }, price: { backup: 0, a: 10, b: 10 } })
    for (const strategy of STRATEGIES.filter((s) => s !== 'failover')) {
      const state = new RouteBalanceState()
      for (let i = 0; i < 20; i++) expect(orderByStrategy(strategy, list, c, state).at(-1)!.providerId, strategy).toBe('backup')
    }
    expect(ids(orderByStrategy('failover', list, c, new RouteBalanceState()))).toEqual(['backup', 'a', 'b'])
  })
})

describe('failover', () => {
  it('keeps the configured order', () => {
    expect(ids(failoverOrder(abc))).toEqual(['a', 'b', 'c'])
  })
})

describe('round-robin', () => {
  it('cycles through the targets with a per-route cursor, rotating the failover order too', () => {
    const state = new RouteBalanceState()
    const orders = Array.from({ length: 4 }, () => ids(orderByStrategy('round-robin', abc, ctx(), state)))
    expect(orders).toEqual([
      ['a', 'b', 'c'],
      ['b', 'c', 'a'],
      ['c', 'a', 'b'],
      ['a', 'b', 'c'],
    ])
  })

  it('spreads 3000 picks exactly evenly, and routes do not share a cursor', () => {
    const s1 = new RouteBalanceState()
    const s2 = new RouteBalanceState()
    const picks: string[] = []
    for (let i = 0; i < 3000; i++) {
      picks.push(orderByStrategy('round-robin', abc, ctx(), s1)[0]!.providerId)
      orderByStrategy('round-robin', abc, ctx(), s2)
    }
    expect(tally(picks)).toEqual({ a: 1000, b: 1000, c: 1000 })
    expect(roundRobin(abc, 0)[0]!.providerId).toBe('a')
  })
})

describe('weighted (smooth weighted round-robin)', () => {
  it('interleaves like nginx: weights 5,1,1 give a a b a c a a', () => {
    const swrr = new SmoothWeighted()
    const list = [cand('a', 5), cand('b', 1), cand('c', 1)]
    const seq = Array.from({ length: 7 }, () => swrr.order(list)[0]!.providerId).join(' ')
    expect(seq).toBe('a a b a c a a')
  })

  it('matches the weights over many picks (exact per cycle, within 1 % overall)', () => {
    const swrr = new SmoothWeighted()
    const list = [cand('a', 3), cand('b', 2), cand('c', 1), cand('d', 0.5)]
    const picks = Array.from({ length: 13_000 }, () => swrr.order(list)[0]!.providerId)
    const counts = tally(picks)
    const total = 6.5
    for (const c of list) expect(Math.abs(counts[c.providerId]! / 13_000 - c.weight / total)).toBeLessThan(0.01)
  })

  it('re-balances among the rest when a target drops out (health filtered)', () => {
    const swrr = new SmoothWeighted()
    const full = [cand('a', 2), cand('b', 1), cand('c', 1)]
    for (let i = 0; i < 10; i++) swrr.order(full)
    const picks = Array.from({ length: 3000 }, () => swrr.order([full[1]!, full[2]!])[0]!.providerId)
    const counts = tally(picks)
    expect(Math.abs(counts.b! - 1500)).toBeLessThanOrEqual(1) // leftover running scores shift it by one at most
    expect(counts.b! + counts.c!).toBe(3000)
  })
})

describe('least-connections', () => {
  it('picks the fewest in flight; ties go to the higher weight, then config order', () => {
    const list = [cand('a'), cand('b', 1), cand('c', 2), cand('d')]
    expect(ids(leastConnections(list, ctx({ inFlight: { a: 3, b: 1, c: 1, d: 5 } })))).toEqual(['c', 'b', 'a', 'd'])
    expect(ids(leastConnections(abc, ctx()))).toEqual(['a', 'b', 'c'])
  })

  it('balances a closed loop of requests evenly', () => {
    const inFlight: Record<string, number> = { a: 0, b: 0, c: 0 }
    for (let i = 0; i < 30; i++) inFlight[leastConnections(abc, ctx({ inFlight }))[0]!.providerId]!++
    expect(inFlight).toEqual({ a: 10, b: 10, c: 10 })
  })
})

describe('least-latency', () => {
  const noExplore = { epsilon: 0 }

  it('orders by smoothed time to first byte', () => {
    expect(ids(leastLatency(abc, ctx({ ttft: { a: 100, b: 50, c: 200 } }), noExplore))).toEqual(['b', 'a', 'c'])
  })

  it('scales by in-flight so a busy fast target does not take everything', () => {
    expect(ids(leastLatency(abc, ctx({ ttft: { a: 100, b: 50, c: 200 }, inFlight: { b: 2 } }), noExplore))).toEqual(['a', 'b', 'c'])
  })

  it('tries a never-measured target first while it has nothing in flight', () => {
    expect(leastLatency(abc, ctx({ ttft: { a: 100, b: 50 } }), noExplore)[0]!.providerId).toBe('c')
    expect(leastLatency(abc, ctx({ ttft: { a: 100, b: 50 }, inFlight: { c: 1 } }), noExplore)[0]!.providerId).toBe('b')
  })

  it('explores with probability epsilon (deterministic with seeded randomness)', () => {
    const c = ctx({ ttft: { a: 100, b: 50, c: 200 }, random: seededRandom(42) })
    const picks = Array.from({ length: 10_000 }, () => leastLatency(abc, c, { epsilon: 0.1 })[0]!.providerId)
    const counts = tally(picks)
    expect(counts.b! / 10_000).toBeGreaterThan(0.88)
    expect(counts.b! / 10_000).toBeLessThan(0.92)
    expect(counts.a! / 10_000).toBeGreaterThan(0.04)
    expect(counts.c! / 10_000).toBeGreaterThan(0.04)
  })

  it('tries a recovered backend again once its bad estimate goes stale', () => {
    const tracker = new LatencyTracker({ staleAfterMs: 30_000, halfLifeMs: 30_000 })
    let now = 0
    tracker.record('a', 200, now)
    tracker.recordFailure('b', now) // b broke: charged a 10 s penalty
    const list = [cand('a'), cand('b')]
    const pickAt = () =>
      leastLatency(list, { ...ctx(), now, ttftEwma: (id) => tracker.estimate(id, now) }, { epsilon: 0 })[0]!.providerId
    let firstBackOnB: number | undefined
    for (let second = 1; second <= 600 && firstBackOnB === undefined; second++) {
      now = second * 1000
      const pick = pickAt()
      if (pick === 'a') tracker.record('a', 200, now)
      else firstBackOnB = second
    }
    // 10 s decays below 200 ms after ~30 s grace + log2(50) ≈ 5.6 half-lives ≈ 200 s.
    expect(firstBackOnB).toBeGreaterThan(150)
    expect(firstBackOnB).toBeLessThan(260)
    tracker.record('b', 80, now) // b has recovered and is fast: it now wins on its merit
    now += 1000
    expect(pickAt()).toBe('b')
  })
})

describe('lowest-cost', () => {
  it('cheapest first, unknown prices last, equal prices spread by in-flight', () => {
    const list = [cand('unknown'), cand('gpt'), cand('local1'), cand('local2'), cand('mini')]
    const c = ctx({ price: { gpt: 3.75, local1: 0, local2: 0, mini: 0.26 }, inFlight: { local1: 2 } })
    expect(ids(lowestCost(list, c))).toEqual(['local2', 'local1', 'mini', 'gpt', 'unknown'])
  })
})

describe('least-load', () => {
  it('vLLM: running + 2 × waiting, KV-cache pressure above 80 % as a penalty', () => {
    const list = [cand('a'), cand('b'), cand('c')]
    const c = ctx({
      load: {
        a: { running: 5, waiting: 2, kvCacheUsage: 0.3 },
        b: { running: 2, waiting: 0, kvCacheUsage: 0.5 },
        c: { running: 2, waiting: 0, kvCacheUsage: 0.95 },
      },
    })
    expect(ids(leastLoad(list, c))).toEqual(['b', 'c', 'a'])
    expect(loadScore({ running: 2, waiting: 0, kvCacheUsage: 0.95 }, 0)).toBeCloseTo(3 * 1.75)
  })

  it('breaks ties between equally busy backends by KV-cache usage', () => {
    const c = ctx({ load: { a: { running: 1, waiting: 0, kvCacheUsage: 0.6 }, b: { running: 1, waiting: 0, kvCacheUsage: 0.2 } } })
    expect(ids(leastLoad([cand('a'), cand('b')], c))).toEqual(['b', 'a'])
  })

  it('never trusts a reported load below what we have in flight there (metrics lag)', () => {
    const c = ctx({ load: { a: { running: 0, waiting: 0 }, b: { running: 3, waiting: 0 } }, inFlight: { a: 6 } })
    expect(ids(leastLoad([cand('a'), cand('b')], c))).toEqual(['b', 'a'])
  })

  it('Ollama: prefers the instance that already has the model loaded', () => {
    const c = ctx({ load: { cold: { modelLoaded: false }, warm: { modelLoaded: true } }, inFlight: { warm: 3 } })
    expect(ids(leastLoad([cand('cold'), cand('warm')], c))).toEqual(['warm', 'cold'])
  })

  it('falls back to least-connections for backends that report nothing', () => {
    const c = ctx({ inFlight: { a: 4, b: 1, c: 2 } })
    expect(ids(leastLoad(abc, c))).toEqual(ids(leastConnections(abc, c)))
    const mixed = ctx({ inFlight: { a: 4, b: 1 }, load: { c: { running: 3, waiting: 0 } } })
    expect(ids(leastLoad(abc, mixed))).toEqual(['b', 'c', 'a'])
  })
})
