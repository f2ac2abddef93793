import { describe, expect, it } from 'vitest'
import { BackendTracker } from '../../../../src/main/gateway/routing/backendTracker'
import { autoOrder, cacheAware, expectedTtftMs, placementCost } from '../../../../src/main/gateway/routing/cacheAware'
import type { Candidate, CandidateFacts } from '../../../../src/main/gateway/routing/candidates'
import { leastLoad } from '../../../../src/main/gateway/routing/leastLoad'
import { isLocalHost, isLocalProvider } from '../../../../src/main/gateway/providers/locality'
import { leastConnections, leastLatency, lowestCost } from '../../../../src/main/gateway/routing/strategies'
import { promptShape, type PromptShape } from '../../../../src/main/gateway/routing/promptShape'
import { cand, ctx, ids } from './fixtures'

const words = (tag: string, tokens: number): string => `${tag} ${'word '.repeat(Math.ceil((tokens * 4) / 5))}`.slice(0, tokens * 4)
const system = { role: 'system', content: words('system', 7_000) }

function conversation(name: string, turns: number): PromptShape {
  const messages: unknown[] = [system, { role: 'user', content: `task ${name}` }]
  for (let i = 1; i < turns; i++) messages.push({ role: 'assistant', content: words(`${name} answer ${i}`, 200) }, { role: 'user', content: words(`${name} tool ${i}`, 800) })
  return promptShape({}, { messages })!
}

function facts(over: Partial<CandidateFacts>): CandidateFacts {
  return { promptTokens: 10_000, cachedTokens: 0, queueMs: 0, prefillMsPerToken: 0.1, overheadMs: 20, coldMs: 0, sessionLoadMs: 0, cacheOverflowTokens: 0, home: false, ...over }
}

const withFacts = (table: Record<string, Partial<CandidateFacts>>, init: Parameters<typeof ctx>[0] = {}) => ({ ...ctx(init), facts: (c: Candidate) => facts(table[c.providerId] ?? {}) })

describe('cache-aware ranking', () => {
  const ab = [cand('a'), cand('b')]

  it('keeps a conversation where its prefix is cached while that queue costs less than a re-prefill elsewhere', () => {
    // a holds 9.5k of 10k tokens and has 600 ms of queue; b is idle but must prefill all 10k (1 s).
    const c = withFacts({ a: { cachedTokens: 9_500, queueMs: 600, home: true }, b: {} })
    expect(ids(cacheAware(ab, c))).toEqual(['a', 'b'])
    // Once a's queue costs more than prefilling everything at b, it moves.
    const busy = withFacts({ a: { cachedTokens: 9_500, queueMs: 2_500, home: true }, b: {} })
    expect(ids(cacheAware(ab, busy))).toEqual(['b', 'a'])
  })

  it('expected time to first token = queue + uncached prefill + overhead + model load', () => {
    expect(expectedTtftMs(facts({ cachedTokens: 4_000, queueMs: 300, coldMs: 15_000 }))).toBe(300 + 6_000 * 0.1 + 20 + 15_000)
    expect(placementCost(facts({ sessionLoadMs: 1_000, cacheOverflowTokens: 500 }), { sessionLoadWeight: 0.5, cachePressureWeight: 2 })).toBe(1_000 + 20 + 500 + 2 * 500 * 0.1)
  })

  it('prefers a backend that has the model loaded over one that must load it', () => {
    const c = withFacts({ a: { coldMs: 15_000 }, b: { queueMs: 3_000 } })
    expect(ids(cacheAware(ab, c))).toEqual(['b', 'a'])
  })

  it('sends a new conversation where its system prompt is cached, unless that queue is longer than the prefill saved', () => {
    const shared = withFacts({ a: { cachedTokens: 7_000, queueMs: 200 }, b: {} })
    expect(ids(cacheAware(ab, shared))).toEqual(['a', 'b'])
    const crowded = withFacts({ a: { cachedTokens: 7_000, queueMs: 1_500 }, b: {} })
    expect(ids(cacheAware(ab, crowded))).toEqual(['b', 'a'])
  })

  it('treats near-equal costs as a tie: more cached, then fewer in flight', () => {
    const c = withFacts({ a: { queueMs: 30 }, b: { queueMs: 0 } }, { inFlight: { a: 1, b: 3 } })
    expect(ids(cacheAware(ab, c))).toEqual(['a', 'b'])
    const far = withFacts({ a: { queueMs: 400 }, b: { queueMs: 0 } }, { inFlight: { a: 1, b: 3 } })
    expect(ids(cacheAware(ab, far))).toEqual(['b', 'a'])
  })

  it('the last backend of a conversation keeps it within 15 % / 150 ms of the best', () => {
    const near = withFacts({ a: { home: true, queueMs: 1_250 }, b: { queueMs: 1_000 } })
    expect(ids(cacheAware(ab, near))).toEqual(['a', 'b'])
    const far = withFacts({ a: { home: true, queueMs: 1_500 }, b: { queueMs: 1_000 } })
    expect(ids(cacheAware(ab, far))).toEqual(['b', 'a'])
  })

  it('counts the long-run load of the conversations living on a backend and the cache they overflow', () => {
    const c = withFacts({ a: { sessionLoadMs: 40_000 }, b: { sessionLoadMs: 10_000 } })
    expect(ids(cacheAware(ab, c))).toEqual(['b', 'a'])
    const overflow = withFacts({ a: { cacheOverflowTokens: 3_000 }, b: { queueMs: 600 } })
    expect(ids(cacheAware(ab, overflow))).toEqual(['b', 'a'])
  })

  it('puts backups last and falls back to least-connections without estimates', () => {
    const list = [cand('backup', 0), cand('a'), cand('b')]
    const c = withFacts({ backup: {}, a: { queueMs: 9_000 }, b: { queueMs: 8_000 } })
    expect(ids(cacheAware(list, c))).toEqual(['b', 'a', 'backup'])
    expect(ids(cacheAware(list, ctx({ inFlight: { a: 2, b: 1 } })))).toEqual(['b', 'a', 'backup'])
  })

  it('auto: local targets cache-aware first, cloud targets after them in config order', () => {
    const cloud1 = { ...cand('cloud1'), cloud: true as const }
    const cloud2 = { ...cand('cloud2'), cloud: true as const }
    const list = [cloud2, cand('a'), cloud1, cand('b')]
    const c = withFacts({ a: { queueMs: 5_000 }, b: {}, cloud1: {}, cloud2: {} })
    expect(ids(autoOrder(list, c))).toEqual(['b', 'a', 'cloud2', 'cloud1'])
    // Only cloud targets: the configured order, as failover.
    expect(ids(autoOrder([cloud2, cloud1], c))).toEqual(['cloud2', 'cloud1'])
  })
})

describe('load-based strategies and the conversation’s last backend', () => {
  const ab = [cand('a'), cand('b')]
  const homeB = (init: Parameters<typeof ctx>[0]) => ({ ...ctx(init), home: (c: Candidate) => c.providerId === 'b' })

  it('least-connections, least-load and lowest-cost break ties toward it, and only ties', () => {
    expect(ids(leastConnections(ab, homeB({ inFlight: { a: 1, b: 1 } })))).toEqual(['b', 'a'])
    expect(ids(leastConnections(ab, homeB({ inFlight: { a: 1, b: 2 } })))).toEqual(['a', 'b'])
    expect(ids(leastLoad(ab, homeB({ load: { a: { running: 2, waiting: 0 }, b: { running: 2, waiting: 0 } } })))).toEqual(['b', 'a'])
    expect(ids(leastLoad(ab, homeB({ load: { a: { running: 1, waiting: 0 }, b: { running: 2, waiting: 0 } } })))).toEqual(['a', 'b'])
    expect(ids(lowestCost(ab, homeB({ price: { a: 0, b: 0 } })))).toEqual(['b', 'a'])
    expect(ids(lowestCost(ab, homeB({ price: { a: 0, b: 1 } })))).toEqual(['a', 'b'])
  })

  it('least-latency keeps it while it scores within twice the best', () => {
    expect(ids(leastLatency(ab, homeB({ ttft: { a: 100, b: 190 } }), { epsilon: 0 }))).toEqual(['b', 'a'])
    expect(ids(leastLatency(ab, homeB({ ttft: { a: 100, b: 210 } }), { epsilon: 0 }))).toEqual(['a', 'b'])
    expect(ids(leastLatency(ab, homeB({ ttft: { a: 100, b: 150 } }), { epsilon: 0, homeBand: 1 }))).toEqual(['a', 'b'])
  })

  it('least-load: ties then go to the backend answering faster', () => {
    const c = ctx({ load: { a: { running: 1, waiting: 0 }, b: { running: 1, waiting: 0 } }, ttft: { a: 300, b: 120 } })
    expect(ids(leastLoad(ab, c))).toEqual(['b', 'a'])
  })
})

describe('backend tracker', () => {
  const a = cand('a')
  const b = cand('b')

  it('knows what it sent where: a later turn finds its prefix cached on the backend of the earlier one, assistant answer included', () => {
    const t = new BackendTracker()
    const t2 = conversation('x', 2)
    t.end(t.dispatch(a, { shape: t2 }, 'r', undefined, 0), 10, true)
    const t3 = conversation('x', 3)
    const fa = t.facts(a, t3, undefined, 100)
    const fb = t.facts(b, t3, undefined, 100)
    expect(fa.home).toBe(true)
    // Everything up to and including the answer of turn 2 (generated there) is cached at a.
    expect(fa.cachedTokens).toBe(t3.tokensThrough[4])
    expect(fb.cachedTokens).toBe(0)
    expect(fb.home).toBe(false)
    expect(t.pins()[0]).toMatchObject({ route: 'r', providerId: 'a', turns: 1, moves: 0 })
  })

  it('estimates the prefill backlog of our own requests, served one after the other', () => {
    const t = new BackendTracker({ prefillMsPerToken: 0.1, overheadMs: 0 })
    const s = conversation('y', 1)
    t.dispatch(a, { shape: conversation('p', 1) }, 'r', undefined, 0) // ~7k uncached tokens: ~700 ms
    t.dispatch(a, { shape: conversation('q', 1) }, 'r', undefined, 0) // system prompt cached now: little work
    const at100 = t.facts(a, s, undefined, 100).queueMs
    expect(at100).toBeGreaterThan(500)
    expect(at100).toBeLessThan(800)
    expect(t.facts(a, s, undefined, 400).queueMs).toBeCloseTo(at100 - 300, 5)
    expect(t.facts(b, s, undefined, 100).queueMs).toBe(0)
  })

  it('expects a wait for a batch slot when the backend reports a full batch', () => {
    const t = new BackendTracker({ decodeMs: 4_000 })
    t.observeLoad('a', { running: 4, waiting: 2 }) // a queue: the batch holds 4
    const s = conversation('z', 1)
    const f = t.facts(a, s, { running: 4, waiting: 2 }, 0)
    expect(f.queueMs).toBeCloseTo((3 * 4_000) / 4, 5)
    expect(t.facts(a, s, { running: 2, waiting: 0 }, 0).queueMs).toBe(0)
  })

  it('corrects a load report by what it sent and saw finish since the report was read', () => {
    const t = new BackendTracker()
    const mark = t.mark('a')
    const flights = [0, 1, 2].map(() => t.dispatch(a, {}, 'r', undefined, 0))
    expect(t.corrected('a', { running: 1, waiting: 0, kvCacheUsage: 0.2 }, mark)).toEqual({ running: 4, waiting: 0, kvCacheUsage: 0.2 })
    t.end(flights[0]!, 5, true)
    expect(t.corrected('a', { running: 1, waiting: 0 }, mark)).toEqual({ running: 3, waiting: 0 })
    // Once the batch size is known, what does not fit waits.
    t.observeLoad('a', { running: 2, waiting: 1 })
    expect(t.corrected('a', { running: 1, waiting: 0 }, mark)).toEqual({ running: 2, waiting: 1 })
    // A request that was in the report and finished since is gone from it.
    const later = t.mark('a')
    t.end(flights[1]!, 6, true)
    expect(t.corrected('a', { running: 2, waiting: 0 }, later)).toEqual({ running: 1, waiting: 0 })
    expect(t.corrected('a', { running: 2, waiting: 0 }, undefined)).toEqual({ running: 2, waiting: 0 })
  })

  it('learns prefill speed from first tokens that measure it, decode time from ends', () => {
    const t = new BackendTracker({ prefillMsPerToken: 0.05, overheadMs: 0 })
    for (let i = 0; i < 6; i++) {
      const s = promptShape({}, { messages: [{ role: 'user', content: words(`cold ${i}`, 8_000) }] })!
      const f = t.dispatch(a, { shape: s }, 'r', undefined, i * 10_000)
      t.firstByte(f, i * 10_000 + s.promptTokens * 0.25) // 4k tokens/s
      t.end(f, i * 10_000 + s.promptTokens * 0.25 + 3_000, true)
    }
    expect(t.estimates(a.key)!.prefillMsPerToken).toBeCloseTo(0.25, 2)
    expect(t.estimates(a.key)!.decodeMs).toBeCloseTo(3_000, 0)
  })

  it('does not learn prefill speed from a request whose prefix was partly cached (its size is a guess)', () => {
    const t = new BackendTracker({ prefillMsPerToken: 0.1, overheadMs: 0 })
    const first = t.dispatch(a, { shape: conversation('w', 1) }, 'r', undefined, 0)
    t.firstByte(first, 700)
    t.end(first, 1_000, true)
    const learned = t.estimates(a.key)!.prefillMsPerToken
    const second = t.dispatch(a, { shape: conversation('w', 2) }, 'r', undefined, 2_000)
    t.firstByte(second, 2_000 + 60_000) // absurdly slow: would wreck the estimate if taken
    expect(t.estimates(a.key)!.prefillMsPerToken).toBe(learned)
  })

  it('a model that is not loaded there has no cache and costs its load time', () => {
    const t = new BackendTracker({ coldLoadMs: 12_000 })
    const s = conversation('v', 2)
    t.dispatch(a, { shape: s }, 'r', undefined, 0)
    const f = t.facts(a, s, { modelLoaded: false }, 10)
    expect(f.coldMs).toBe(12_000)
    expect(f.cachedTokens).toBe(0)
  })

  it('counts conversations living on a backend and by how much their prompts overflow its cache', () => {
    const t = new BackendTracker({ cacheTokens: 12_000, decodeMs: 2_000, slots: 4, activeMs: 60_000 })
    t.dispatch(a, { shape: conversation('one', 1) }, 'r', undefined, 0)
    const two = conversation('two', 1)
    const f = t.facts(a, two, undefined, 1_000)
    expect(f.sessionLoadMs).toBe((2 * 2_000) / 4) // one living there + this one
    expect(f.cacheOverflowTokens).toBe(conversation('one', 1).promptTokens + two.promptTokens - 12_000)
    // A minute later the first one no longer counts as living there.
    expect(t.facts(a, two, undefined, 62_000).sessionLoadMs).toBe(2_000 / 4)
  })

  it('an attempt nobody reported on stops counting after maxFlightAgeMs', () => {
    const t = new BackendTracker({ maxFlightAgeMs: 1_000 })
    t.dispatch(a, {}, 'r', undefined, 0)
    expect(t.inFlight('a', 500)).toBe(1)
    expect(t.inFlight('a', 1_500)).toBe(0)
  })

  it('remembers moves, and forgets providers and routes that are gone', () => {
    const t = new BackendTracker()
    const s = conversation('m', 1)
    t.dispatch(a, { shape: s }, 'r', undefined, 0)
    t.dispatch(b, { shape: s }, 'r', undefined, 1)
    expect(t.pins()[0]).toMatchObject({ providerId: 'b', turns: 2, moves: 1 })
    expect(t.routeCounters().map((c) => `${c.providerId}:${c.requests}`).sort()).toEqual(['a:1', 'b:1'])
    t.retain(['a'], ['r'])
    expect(t.pins()).toEqual([])
    expect(t.routeCounters().map((c) => c.providerId)).toEqual(['a'])
  })
})

describe('locality', () => {
  it('self-hosted kinds are local anywhere; other kinds by host; the provider can say otherwise', () => {
    expect(isLocalProvider({ kind: 'vllm', baseUrl: 'https://gpu.example.com/v1' })).toBe(true)
    expect(isLocalProvider({ kind: 'openai-compatible', baseUrl: 'http://127.0.0.1:1234/v1' })).toBe(true)
    expect(isLocalProvider({ kind: 'openai-compatible', baseUrl: 'https://api.openai.com/v1' })).toBe(false)
    expect(isLocalProvider({ kind: 'anthropic', baseUrl: 'https://api.anthropic.com' })).toBe(false)
    expect(isLocalProvider({ kind: 'openai-compatible', baseUrl: 'http://127.0.0.1:9/v1', local: false })).toBe(false)
    expect(isLocalProvider({ kind: 'openai-compatible', baseUrl: 'https://llm.corp.example/v1', local: true })).toBe(true)
  })

  it('private, link-local, CGNAT, ULA, single-label and LAN names are local; public ones are not', () => {
    for (const host of ['localhost', '10.1.2.3', '172.20.0.5', '192.168.1.10', '169.254.1.1', '100.101.102.103', '[::1]', '[fd12::1]', '[fe80::1]', 'gpu-box', 'studio.local', 'nas.lan', 'box.home.arpa']) {
      expect(isLocalHost(host), host).toBe(true)
    }
    for (const host of ['8.8.8.8', '172.32.0.1', '100.128.0.1', 'api.openai.com', '[2001:db8::1]', 'example.lan.com']) expect(isLocalHost(host), host).toBe(false)
  })
})
