import { describe, expect, it } from 'vitest'
import { resolveCandidates } from '../../../../src/main/gateway/routing/candidates'
import { LatencyTracker } from '../../../../src/main/gateway/routing/latency'
import { blendedPrice, priceLookup, providerPrice } from '../../../../src/main/gateway/routing/pricing'
import { buildRuntime } from '../../../../src/main/gateway/runtime/runtime'
import { config, literalSecrets } from './fixtures'

const cfg = config({
  activeProvider: 'ollama',
  providers: [
    { id: 'vllm-a', kind: 'vllm', baseUrl: 'http://127.0.0.1:8000/v1', models: ['qwen2.5-7b'], weight: 3 },
    { id: 'vllm-b', kind: 'vllm', baseUrl: 'http://127.0.0.1:8001/v1', models: ['qwen2.5-7b'] },
    { id: 'vllm-off', kind: 'vllm', baseUrl: 'http://127.0.0.1:8002/v1', enabled: false },
    { id: 'ollama', kind: 'ollama', baseUrl: 'http://127.0.0.1:11434', defaultModel: 'llama3.2' },
    {
      id: 'openai',
      kind: 'openai-compatible',
      baseUrl: 'https://api.openai.com/v1',
      pricing: { 'gpt-4o-mini': { inputPerMTok: 0.15, outputPerMTok: 0.6 }, 'gpt-4o*': { inputPerMTok: 2.5, outputPerMTok: 10 } },
    },
  ],
  routes: [
    {
      model: 'local',
      strategy: 'least-load',
      affinity: true,
      targets: [{ provider: 'vllm-off' }, { provider: 'vllm-a', model: 'qwen2.5-7b' }, { provider: 'ollama', model: 'qwen2.5:7b', weight: 0 }, { provider: 'vllm-a', model: 'qwen2.5-7b' }],
    },
    { model: 'gpt-*', strategy: 'lowest-cost', targets: [{ provider: 'openai' }] },
  ],
})
const rt = buildRuntime(cfg, literalSecrets)

describe('candidate resolution', () => {
  it('keeps every enabled target of a route, with weights, without duplicates', () => {
    const set = resolveCandidates(rt, 'local')
    expect(set).toMatchObject({ strategy: 'least-load', affinity: true, via: 'route', route: 'local', stateKey: 'route:local' })
    expect(set.candidates).toEqual([
      { key: 'vllm-a/qwen2.5-7b', providerId: 'vllm-a', upstreamModel: 'qwen2.5-7b', weight: 3 },
      { key: 'ollama/qwen2.5:7b', providerId: 'ollama', upstreamModel: 'qwen2.5:7b', weight: 0 },
    ])
  })

  it('offers every provider that serves the model, configured or discovered, in config order', () => {
    expect(resolveCandidates(rt, 'qwen2.5-7b').candidates.map((c) => c.providerId)).toEqual(['vllm-a', 'vllm-b'])
    const discovered = (m: string) => (m === 'qwen2.5-7b' ? ['ollama'] : m === 'phi4' ? ['vllm-b', 'vllm-off'] : [])
    expect(resolveCandidates(rt, 'qwen2.5-7b', { discoveredOwners: discovered }).candidates.map((c) => c.providerId)).toEqual(['vllm-a', 'vllm-b', 'ollama'])
    expect(resolveCandidates(rt, 'phi4', { discoveredOwners: discovered })).toMatchObject({ via: 'provider', candidates: [{ providerId: 'vllm-b' }] })
  })

  it('falls back to the active provider, then 404', () => {
    expect(resolveCandidates(rt, 'unknown')).toMatchObject({ via: 'active', candidates: [{ providerId: 'ollama', upstreamModel: 'llama3.2' }] })
    const bare = buildRuntime(config({ providers: [{ id: 'x', kind: 'vllm', baseUrl: 'http://127.0.0.1:1/v1', models: ['m'] }] }), literalSecrets)
    expect(() => resolveCandidates(bare, 'nope')).toThrow(/not served here; available: m/)
  })
})

describe('pricing', () => {
  it('blends input and output 3:1, matches exact names before globs, local kinds cost nothing', () => {
    const openai = cfg.providers.find((p) => p.id === 'openai')!
    expect(blendedPrice({ inputPerMTok: 1, outputPerMTok: 5 })).toBe(2)
    expect(providerPrice(openai, 'gpt-4o-mini')).toBeCloseTo(0.2625)
    expect(providerPrice(openai, 'gpt-4o-2024-08-06')).toBeCloseTo(4.375)
    // Not in the provider's table: the shipped default the ledger charges ($2/$8), not "unknown".
    expect(providerPrice(openai, 'o3')).toBeCloseTo(3.5)
    expect(providerPrice(openai, 'o3-2025-04-16')).toBeCloseTo(3.5)
    expect(providerPrice(openai, 'some-unpriced-model')).toBeUndefined()
    const price = priceLookup(cfg.providers)
    expect(price('vllm-a', 'anything')).toBe(0)
    expect(price('nobody', 'x')).toBeUndefined()
  })
})

describe('latency tracker', () => {
  it('smooths samples and decays toward zero once stale', () => {
    const t = new LatencyTracker({ alpha: 0.5, staleAfterMs: 10_000, halfLifeMs: 10_000 })
    expect(t.estimate('a', 0)).toBeUndefined()
    t.record('a', 100, 0)
    t.record('a', 200, 1_000)
    expect(t.estimate('a', 1_000)).toBe(150)
    expect(t.estimate('a', 11_000)).toBe(150)
    expect(t.estimate('a', 21_000)).toBe(75)
    t.recordFailure('a', 21_000)
    expect(t.estimate('a', 21_000)).toBe(10_000)
    t.retain([])
    expect(t.samples('a')).toBe(0)
  })
})
