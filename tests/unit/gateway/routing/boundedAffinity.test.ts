// Session affinity with bounded loads (on by default) and the route's strategy among the targets
// within the bound; plus the load-signal formats it and the default strategy read.
import { describe, expect, it } from 'vitest'
import { parseLmStudioModels } from '../../../../src/main/gateway/providers/kinds/openai-compatible/lmstudio'
import { vllmLoadFromMetrics } from '../../../../src/main/gateway/providers/kinds/vllm/metrics'
import { conversationKey } from '../../../../src/main/gateway/routing/affinity'
import { Balancer, type BalanceRequest } from '../../../../src/main/gateway/routing/balancer'
import type { Candidate } from '../../../../src/main/gateway/routing/candidates'
import { DEFAULT_AFFINITY_LOAD_FACTOR, parseConfig, type Strategy } from '../../../../src/shared/config'
import { cand, ctx, ids } from './fixtures'

const targets = ['a', 'b', 'c', 'd'].map((id) => cand(id))
const req = (strategy: Strategy, extra: Partial<BalanceRequest> = {}): BalanceRequest => ({ stateKey: 'route:r', strategy, affinity: true, candidates: targets, routeCandidates: targets, ...extra })

/** The ring owner of a key and the ring order, with nobody loaded. */
function ringOrder(key: string): string[] {
  return ids(new Balancer({ affinityLoadFactor: 0 }).order(req('failover'), ctx({ affinityKey: key })))
}

describe('bounded-load affinity', () => {
  it('is on by default with factor 1.25', () => {
    expect(DEFAULT_AFFINITY_LOAD_FACTOR).toBe(1.25)
  })

  it('keeps the ring order (owner first) while the owner is within its bound', () => {
    const order = ringOrder('s:one')
    const b = new Balancer()
    expect(ids(b.order(req('least-connections'), ctx({ affinityKey: 's:one' })))).toEqual(order)
    // total 7: bound ⌈1.25 × 8 / 4⌉ = 3; the owner has 2 (+1 = 3): within, though the others have less.
    const within = { [order[0]!]: 2, [order[1]!]: 1, [order[2]!]: 2, [order[3]!]: 2 }
    expect(ids(b.order(req('least-connections'), ctx({ affinityKey: 's:one', inFlight: within })))).toEqual(order)
    // One more on the owner (total 8: bound ⌈1.25 × 9 / 4⌉ = 3, owner 3 + 1 > 3): it is passed over.
    const over = { ...within, [order[0]!]: 3 }
    expect(ids(b.order(req('least-connections'), ctx({ affinityKey: 's:one', inFlight: over })))[0]).toBe(order[1])
  })

  it('passes over an overloaded owner, and the route’s strategy picks among the targets within the bound', () => {
    const order = ringOrder('s:two')
    const [owner, next, third, fourth] = order as [string, string, string, string]
    // owner 5, next-on-ring 2, third 0, fourth 1: total 8, bound ⌈1.25 × 9 / 4⌉ = 3.
    const inFlight = { [owner]: 5, [next]: 2, [third]: 0, [fourth]: 1 }
    const b = new Balancer()
    const out = ids(b.order(req('least-connections'), ctx({ affinityKey: 's:two', inFlight })))
    // least-connections among the acceptable ones (not simply the next on the ring), owner last.
    expect(out).toEqual([third, fourth, next, owner])
    // failover among the acceptable ones is their configured order.
    const failover = ids(b.order(req('failover'), ctx({ affinityKey: 's:two', inFlight })))
    expect(failover.at(-1)).toBe(owner)
    expect(failover.slice(0, 3)).toEqual(['a', 'b', 'c', 'd'].filter((id) => id !== owner))
  })

  it('factor 0 turns the bound off (stickiness always wins); a route’s own factor wins over the default', () => {
    const order = ringOrder('s:three')
    const inFlight = { [order[0]!]: 50 }
    expect(ids(new Balancer().order(req('round-robin', { affinityLoadFactor: 0 }), ctx({ affinityKey: 's:three', inFlight })))).toEqual(order)
    expect(new Balancer({ affinityLoadFactor: 0 }).order(req('round-robin', { affinityLoadFactor: 1.25 }), ctx({ affinityKey: 's:three', inFlight }))[0]!.providerId).not.toBe(order[0])
    // With a loose bound (100) the owner keeps it.
    expect(new Balancer().order(req('round-robin', { affinityLoadFactor: 100 }), ctx({ affinityKey: 's:three', inFlight }))[0]!.providerId).toBe(order[0])
  })

  it('weights share the bound: a heavier target may carry more', () => {
    const heavy: Candidate[] = [cand('big', 3), cand('small', 1)]
    const r = (): BalanceRequest => ({ stateKey: 'route:w', strategy: 'least-connections', affinity: true, candidates: heavy, routeCandidates: heavy, affinityLoadFactor: 1.25 })
    // Find a key owned by `big`, load it with 4 of 5: bound ⌈1.25 × 6 × 3/4⌉ = 6, so it keeps the session.
    const key = Array.from({ length: 50 }, (_, i) => `s:${i}`).find((k) => new Balancer({ affinityLoadFactor: 0 }).order(r(), ctx({ affinityKey: k }))[0]!.providerId === 'big')!
    expect(new Balancer().order(r(), ctx({ affinityKey: key, inFlight: { big: 4, small: 1 } }))[0]!.providerId).toBe('big')
    // The same load on an equal split would be over the bound (⌈1.25 × 6 / 2⌉ = 4 < 5).
    const even = heavy.map((c) => ({ ...c, weight: 1 }))
    const e = { ...r(), candidates: even, routeCandidates: even }
    const owner = new Balancer({ affinityLoadFactor: 0 }).order(e, ctx({ affinityKey: key }))[0]!.providerId
    const loaded = { [owner]: 4, [owner === 'big' ? 'small' : 'big']: 1 }
    expect(new Balancer().order(e, ctx({ affinityKey: key, inFlight: loaded }))[0]!.providerId).not.toBe(owner)
  })
})

describe('affinity key', () => {
  it('takes OpenAI’s prompt_cache_key after the session header and before the user', () => {
    expect(conversationKey({}, { prompt_cache_key: 'repo-42', user: 'u1', messages: [] })).toBe('k:repo-42')
    expect(conversationKey({ 'x-switchyard-session': 's' }, { prompt_cache_key: 'repo-42' })).toBe('s:s')
  })
})

describe('load signals', () => {
  it('reads the KV-cache size and the sleep state from vLLM /metrics', () => {
    const page = [
      'vllm:num_requests_running{engine="0",model_name="q"} 1.0',
      'vllm:num_requests_waiting{engine="0",model_name="q"} 0.0',
      'vllm:cache_config_info{block_size="16",cache_dtype="auto",engine="0",num_gpu_blocks="6250"} 1.0',
      'vllm:engine_sleep_state{engine="0",model_name="q",sleep_state="awake"} 0.0',
      'vllm:engine_sleep_state{engine="0",model_name="q",sleep_state="weights_offloaded"} 1.0',
      '',
    ].join('\n')
    expect(vllmLoadFromMetrics(page)).toMatchObject({ running: 1, waiting: 0, cacheCapacityTokens: 100_000, awake: false })
    expect(vllmLoadFromMetrics(page.replace('sleep_state="awake"} 0.0', 'sleep_state="awake"} 1.0'))?.awake).toBe(true)
  })

  it('reads LM Studio’s loaded models, and refuses a page that is not LM Studio’s', () => {
    expect(parseLmStudioModels({ object: 'list', data: [{ id: 'qwen2.5-7b-instruct', state: 'loaded', type: 'llm' }, { id: 'llama-3.2-3b', state: 'not-loaded', type: 'llm' }] })).toEqual([
      { id: 'qwen2.5-7b-instruct', loaded: true },
      { id: 'llama-3.2-3b', loaded: false },
    ])
    expect(() => parseLmStudioModels({ object: 'list', data: [{ id: 'gpt-4o', object: 'model' }] })).toThrow(/not LM Studio/)
    expect(() => parseLmStudioModels({ detail: 'Not Found' })).toThrow()
  })
})

describe('config', () => {
  const base = { providers: [{ id: 'a', kind: 'vllm', baseUrl: 'http://127.0.0.1:8000/v1' }] }

  it('a route without strategy is auto; explicit strategies stay what they say', () => {
    const parsed = parseConfig({ ...base, routes: [{ model: 'x', targets: [{ provider: 'a' }] }, { model: 'y', strategy: 'failover', targets: [{ provider: 'a' }] }] })
    expect(parsed.ok && parsed.config.routes.map((r) => r.strategy)).toEqual(['auto', 'failover'])
  })

  it('takes affinityLoadFactor (0 or 1..100), routing.loadIntervalMs (100..600000) and provider.local', () => {
    const ok = parseConfig({ ...base, routing: { loadIntervalMs: 500 }, providers: [{ ...base.providers[0], local: false }], routes: [{ model: 'x', affinity: true, affinityLoadFactor: 1.5, targets: [{ provider: 'a' }] }] })
    expect(ok.ok).toBe(true)
    expect(parseConfig({ ...base, routes: [{ model: 'x', affinityLoadFactor: 0, targets: [{ provider: 'a' }] }] }).ok).toBe(true)
    const bad = parseConfig({ ...base, routing: { loadIntervalMs: 5 }, routes: [{ model: 'x', affinityLoadFactor: 0.5, targets: [{ provider: 'a' }] }] })
    expect(bad.ok).toBe(false)
    expect(!bad.ok && bad.errors.join('\n')).toMatch(/routes\[0\]\.affinityLoadFactor/)
    expect(!bad.ok && bad.errors.join('\n')).toMatch(/routing\.loadIntervalMs/)
    expect(parseConfig({ ...base, routing: { scrape: 1 } }).ok).toBe(false) // unknown keys are errors
  })
})
