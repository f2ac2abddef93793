import { describe, expect, it } from 'vitest'
import type { AttemptOutcome, AttemptRecord } from '../../../../src/main/gateway/common/attemptOutcome'
import { FailoverPolicy, RetryBudget } from '../../../../src/main/gateway/routing/failoverPolicy'
import { Router, type RequestPlan } from '../../../../src/main/gateway/routing/router'
import { buildRuntime } from '../../../../src/main/gateway/runtime/runtime'
import { seededRandom } from '../../../helpers/random'
import { config, literalSecrets } from './fixtures'

const rt = buildRuntime(
  config({
    providers: ['a', 'b', 'c'].map((id, i) => ({ id, kind: 'vllm', baseUrl: `http://127.0.0.1:${9000 + i}/v1`, models: ['shared'] })),
    routes: [
      { model: 'chain', strategy: 'failover', targets: [{ provider: 'a' }, { provider: 'b' }, { provider: 'c' }] },
      { model: 'sticky', strategy: 'round-robin', affinity: true, targets: [{ provider: 'a' }, { provider: 'b' }, { provider: 'c' }] },
      { model: 'fast', strategy: 'least-latency', targets: [{ provider: 'a' }, { provider: 'b' }] },
    ],
  }),
  literalSecrets,
)

function setup() {
  let now = 1_000_000
  const inFlight: Record<string, number> = {}
  const router = new Router({
    inFlight: (id) => inFlight[id] ?? 0,
    clock: () => now,
    random: seededRandom(7),
    sideChannels: false,
    failover: new FailoverPolicy({}, new RetryBudget({ ratio: 0.2, minPerSecond: 10, capacity: 100 })),
  })
  router.applyRuntime(rt)
  return {
    router,
    inFlight,
    advance: (ms: number) => (now += ms),
    get now() {
      return now
    },
  }
}

const rec = (providerId: string, outcome: AttemptOutcome, extra: Partial<AttemptRecord> = {}): AttemptRecord => ({
  providerId,
  model: 'shared',
  outcome,
  latencyMs: 10,
  startedAt: 0,
  ...extra,
})

/** Runs the attempt loop with scripted outcomes per provider; returns the providers contacted. */
function run(plan: RequestPlan, outcomes: Record<string, AttemptOutcome | [AttemptOutcome, number]>): string[] {
  const path: string[] = []
  for (let c = plan.next(); c; c = plan.next()) {
    path.push(c.providerId)
    const o = outcomes[c.providerId] ?? 'success'
    const [outcome, status] = Array.isArray(o) ? o : [o, undefined]
    const d = plan.report(rec(c.providerId, outcome, { status }), { firstByteSent: false })
    if (!d.retry) break
  }
  return path
}

describe('Router request plans', () => {
  it('walks the failover order, retrying refused connections and recording every attempt', () => {
    const { router } = setup()
    const plan = router.plan(rt, 'chain')
    expect(run(plan, { a: 'connect_error', b: ['busy', 429] })).toEqual(['a', 'b', 'c'])
    expect(plan.attempts.map((a) => `${a.providerId}:${a.outcome}`)).toEqual(['a:connect_error', 'b:busy', 'c:success'])
  })

  it('does not retry a client error', () => {
    const { router } = setup()
    expect(run(router.plan(rt, 'chain'), { a: ['http_error', 400] })).toEqual(['a'])
  })

  it('stops after 3 attempts even with candidates left', () => {
    const { router } = setup()
    const rt4 = buildRuntime(
      config({
        providers: ['a', 'b', 'c', 'd'].map((id, i) => ({ id, kind: 'vllm', baseUrl: `http://127.0.0.1:${9000 + i}/v1` })),
        routes: [{ model: 'x', targets: ['a', 'b', 'c', 'd'].map((provider) => ({ provider })) }],
      }),
      literalSecrets,
    )
    router.applyRuntime(rt4)
    expect(run(router.plan(rt4, 'x'), { a: 'timeout', b: 'timeout', c: 'timeout' })).toEqual(['a', 'b', 'c'])
  })

  it('ejects a dead provider from later plans, and never ejects all of them', () => {
    const t = setup()
    for (let i = 0; i < 3; i++) run(t.router.plan(rt, 'chain'), { a: 'connect_error' })
    expect(t.router.plan(rt, 'chain').ordered.map((c) => c.providerId)).toEqual(['b', 'c'])
    for (let i = 0; i < 3; i++) {
      t.router.recordOutcome(rec('b', 'timeout'))
      t.router.recordOutcome(rec('c', 'reset'))
    }
    const plan = t.router.plan(rt, 'chain')
    expect(plan.degraded).toBe(true)
    expect(plan.ordered.map((c) => c.providerId)).toEqual(['a']) // ejected first: recovers first
    expect(plan.next()?.providerId).toBe('a') // forced through
    expect(t.router.status().map((s) => `${s.providerId}:${s.health.state}`)).toEqual(['a:open', 'b:open', 'c:open'])
  })

  it('lets one request take the half-open trial; a concurrent one goes elsewhere', () => {
    const t = setup()
    for (let i = 0; i < 3; i++) t.router.recordOutcome(rec('a', 'connect_error'))
    t.advance(5_000)
    const p1 = t.router.plan(rt, 'chain')
    const p2 = t.router.plan(rt, 'chain')
    expect(p1.next()?.providerId).toBe('a')
    expect(p2.next()?.providerId).toBe('b')
    p1.report(rec('a', 'success'), { firstByteSent: false })
    expect(t.router.health.snapshot(['a'])[0]!.state).toBe('closed')
  })

  it('never retries once the first byte reached the client', () => {
    const { router } = setup()
    const plan = router.plan(rt, 'chain')
    plan.next()
    expect(plan.report(rec('a', 'reset'), { firstByteSent: true })).toMatchObject({ retry: false, reason: 'committed' })
  })

  it('keeps a conversation on one provider with affinity, and moves it only while that one is ejected', () => {
    const t = setup()
    const body = { messages: [{ role: 'system', content: 'sys' }, { role: 'user', content: 'hello' }] }
    const home = t.router.plan(rt, 'sticky', { body }).ordered[0]!.providerId
    for (let i = 0; i < 10; i++) expect(t.router.plan(rt, 'sticky', { body }).ordered[0]!.providerId).toBe(home)
    for (let i = 0; i < 3; i++) t.router.recordOutcome(rec(home, 'connect_error'))
    const away = t.router.plan(rt, 'sticky', { body }).ordered[0]!.providerId
    expect(away).not.toBe(home)
    t.advance(5_000)
    const trial = t.router.plan(rt, 'sticky', { body })
    expect(trial.next()?.providerId).toBe(home)
    trial.report(rec(home, 'success'), { firstByteSent: false })
    expect(t.router.plan(rt, 'sticky', { body }).ordered[0]!.providerId).toBe(home)
  })

  it('learns latencies from successful attempts for least-latency', () => {
    const t = setup()
    t.router.recordOutcome(rec('a', 'success', { latencyMs: 900 }))
    t.router.recordOutcome(rec('b', 'success', { latencyMs: 100 }))
    const picks = Array.from({ length: 200 }, () => t.router.plan(rt, 'fast').ordered[0]!.providerId)
    expect(picks.filter((p) => p === 'b').length).toBeGreaterThan(190)
  })

  it('a committed attempt gets its health verdict when its stream ends: failing mid-stream counts, a departed client does not', () => {
    const t = setup()
    const health = () => t.router.health.snapshot(['a'])[0]!
    for (let i = 0; i < 2; i++) {
      const plan = t.router.plan(rt, 'chain')
      const c = plan.next()!
      const record = rec(c.providerId, 'success', { status: 200 })
      plan.commit(record)
      expect(plan.attempts).toEqual([record])
      plan.settle(record, { outcome: 'timeout', errorCode: 'upstream_timeout', message: 'upstream stalled for 200 ms mid-response' })
    }
    expect(health()).toMatchObject({ state: 'closed', consecutiveFailures: 2, lastError: { message: 'upstream stalled for 200 ms mid-response' } })
    // A stream the client walked away from is not held against the backend.
    const left = t.router.plan(rt, 'chain')
    const record = rec(left.next()!.providerId, 'success', { status: 200 })
    left.commit(record)
    left.settle(record)
    expect(health().consecutiveFailures).toBe(0)
    // Three mid-stream failures in a row open the circuit.
    for (let i = 0; i < 3; i++) {
      const plan = t.router.plan(rt, 'chain')
      const r = rec(plan.next()!.providerId, 'success', { status: 200 })
      plan.commit(r)
      plan.settle(r, { outcome: 'reset' })
    }
    expect(health().state).toBe('open')
    expect(t.router.plan(rt, 'chain').ordered[0]!.providerId).toBe('b')
  })

  it('preview() resolves without advancing the balancer or the retry budget', () => {
    const t = setup()
    const rr = buildRuntime(
      config({
        providers: ['a', 'b'].map((id, i) => ({ id, kind: 'vllm', baseUrl: `http://127.0.0.1:${9100 + i}/v1` })),
        routes: [{ model: 'rr', strategy: 'round-robin', targets: [{ provider: 'a' }, { provider: 'b' }] }],
      }),
      literalSecrets,
    )
    t.router.applyRuntime(rr)
    const budget = t.router.failover.budget.available(t.now)
    const picks: string[] = []
    for (let i = 0; i < 4; i++) {
      picks.push(t.router.plan(rr, 'rr').ordered[0]!.providerId)
      const view = t.router.preview(rr, 'rr')
      expect(view.set.strategy).toBe('round-robin')
      expect(view.usable.map((c) => c.providerId)).toEqual(['a', 'b'])
    }
    expect(picks).toEqual(['a', 'b', 'a', 'b'])
    expect(t.router.failover.budget.available(t.now)).toBeCloseTo(Math.min(100, budget + 4 * 0.2))
    expect(() => t.router.preview(rr, 'nope')).toThrow(/not served here/)
  })

  it('resolves models served by several providers and 404s unknown ones', () => {
    const { router } = setup()
    expect(router.plan(rt, 'shared').ordered.map((c) => c.providerId)).toEqual(['a', 'b', 'c'])
    expect(() => router.plan(rt, 'nope')).toThrow(/not served here/)
  })
})
