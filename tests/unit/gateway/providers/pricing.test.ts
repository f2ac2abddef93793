import { describe, expect, it } from 'vitest'
import { baseModelName, blendedPrice, DEFAULT_PRICES, priceFor } from '../../../../src/main/gateway/providers/pricing'
import { priceLookup } from '../../../../src/main/gateway/routing/pricing'
import { lowestCost } from '../../../../src/main/gateway/routing/strategies'
import { mustParse } from '../../../helpers/gateway'
import { cand, ctx, ids } from '../routing/fixtures'

describe('the one price lookup', () => {
  it('config first (exact, the dated snapshot’s alias, globs), then the shipped prices', () => {
    const table = { 'gpt-4o': { inputPerMTok: 1, outputPerMTok: 2 }, 'qwen*': { inputPerMTok: 0.05, outputPerMTok: 0.1 } }
    expect(priceFor({ kind: 'openai-compatible', pricing: table }, 'gpt-4o-2024-08-06')).toEqual({ inputPerMTok: 1, outputPerMTok: 2 })
    expect(priceFor({ kind: 'openai-compatible', pricing: table }, 'qwen2.5-7b')).toEqual({ inputPerMTok: 0.05, outputPerMTok: 0.1 })
    expect(priceFor({ kind: 'openai-compatible', pricing: table }, 'gpt-4o-mini')).toBe(DEFAULT_PRICES['gpt-4o-mini'])
    expect(priceFor({ kind: 'openai-compatible' }, 'gpt-4o-2024-08-06')).toBe(DEFAULT_PRICES['gpt-4o'])
    expect(priceFor({ kind: 'anthropic' }, 'claude-sonnet-4-5-20250929')).toBe(DEFAULT_PRICES['claude-sonnet-4-5'])
    expect(priceFor({ kind: 'openai-compatible' }, 'no-such-model')).toBeUndefined()
  })

  it('Gemini: shipped prices by name, stable versions like their alias, previews not', () => {
    expect(priceFor({ kind: 'gemini' }, 'gemini-2.5-flash-lite')).toEqual({ inputPerMTok: 0.1, cachedInputPerMTok: 0.01, outputPerMTok: 0.4 })
    expect(priceFor({ kind: 'gemini' }, 'gemini-2.0-flash-001')).toBe(DEFAULT_PRICES['gemini-2.0-flash'])
    expect(baseModelName('gemini-2.0-flash-001')).toBe('gemini-2.0-flash')
    expect(priceFor({ kind: 'gemini' }, 'gemini-2.5-flash-preview-09-2025')).toBeUndefined()
    // A model name costs the same through a compatible endpoint (Gemini's OpenAI endpoint, a proxy).
    expect(priceFor({ kind: 'openai-compatible' }, 'gemini-2.5-pro')).toBe(DEFAULT_PRICES['gemini-2.5-pro'])
  })

  it('self-hosted kinds cost nothing unless configured', () => {
    for (const kind of ['vllm', 'ollama', 'llamacpp'] as const) expect(priceFor({ kind }, 'gpt-4o'), kind).toEqual({ inputPerMTok: 0, outputPerMTok: 0 })
    expect(priceFor({ kind: 'llamacpp', pricing: { '*': { inputPerMTok: 0.01, outputPerMTok: 0.02 } } }, 'x')).toEqual({ inputPerMTok: 0.01, outputPerMTok: 0.02 })
  })

  it('lowest-cost routing sees the shipped prices the ledger charges: no table needed', () => {
    const cfg = mustParse({
      providers: [
        { id: 'openai', kind: 'openai-compatible', baseUrl: 'https://api.openai.com/v1' },
        { id: 'google', kind: 'gemini', baseUrl: 'https://generativelanguage.googleapis.com' },
        { id: 'claude', kind: 'anthropic', baseUrl: 'https://api.anthropic.com' },
        { id: 'gpu', kind: 'llamacpp', baseUrl: 'http://127.0.0.1:8080' },
      ],
    })
    const price = priceLookup(cfg.providers)
    expect(price('openai', 'gpt-4o-2024-08-06')).toBeCloseTo(blendedPrice(DEFAULT_PRICES['gpt-4o']!))
    expect(price('openai', 'gpt-4o-mini')).toBeCloseTo(0.2625)
    expect(price('google', 'gemini-2.5-flash')).toBeCloseTo(0.75 * 0.3 + 0.25 * 2.5)
    expect(price('gpu', 'qwen')).toBe(0)
    const targets = [cand('claude', 1, 'claude-sonnet-4-5'), cand('openai', 1, 'gpt-4o-2024-08-06'), cand('google', 1, 'gemini-2.5-flash-lite'), cand('gpu', 1, 'qwen')]
    const c = { ...ctx(), price: (id: string, model: string) => price(id, model) }
    expect(ids(lowestCost(targets, c))).toEqual(['gpu', 'google', 'openai', 'claude'])
  })
})
