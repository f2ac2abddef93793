import { describe, expect, it } from 'vitest'
import { baseModelName, costUsd, DEFAULT_PRICES, priceFor } from '../../../../src/main/gateway/usage/pricing'
import { usageFromJson } from '../../../../src/main/gateway/usage/usageFromJson'

const u = (prompt: number, completion: number, cached = 0, cacheCreation = 0) => ({ promptTokens: prompt, completionTokens: completion, cachedTokens: cached, cacheCreationTokens: cacheCreation, reasoningTokens: 0 })

describe('pricing', () => {
  it('prices dated snapshots like their alias, and never confuses mini with its parent', () => {
    expect(baseModelName('gpt-4o-2024-08-06')).toBe('gpt-4o')
    expect(baseModelName('claude-sonnet-4-20250514')).toBe('claude-sonnet-4')
    expect(priceFor({ kind: 'openai-compatible' }, 'gpt-4o-mini-2024-07-18')).toBe(DEFAULT_PRICES['gpt-4o-mini'])
    expect(priceFor({ kind: 'anthropic' }, 'claude-opus-4-1-20250805')).toBe(DEFAULT_PRICES['claude-opus-4-1'])
    expect(priceFor({ kind: 'openai-compatible' }, 'gpt-4o-audio-preview')).toBeUndefined()
  })

  it('local kinds cost nothing unless configured; config beats defaults', () => {
    expect(priceFor({ kind: 'vllm' }, 'gpt-4o')).toEqual({ inputPerMTok: 0, outputPerMTok: 0 })
    expect(priceFor({ kind: 'ollama', pricing: { 'llama3.2': { inputPerMTok: 0.1, outputPerMTok: 0.2 } } }, 'llama3.2')).toEqual({ inputPerMTok: 0.1, outputPerMTok: 0.2 })
    expect(priceFor({ kind: 'openai-compatible', pricing: { 'gpt-4o': { inputPerMTok: 1, outputPerMTok: 2 } } }, 'gpt-4o-2024-11-20')).toEqual({ inputPerMTok: 1, outputPerMTok: 2 })
    expect(priceFor({ kind: 'vllm', pricing: { 'qwen*': { inputPerMTok: 0.05, outputPerMTok: 0.1 } } }, 'qwen2.5-7b')).toEqual({ inputPerMTok: 0.05, outputPerMTok: 0.1 })
  })

  it('OpenAI: cached input at its own price (prompt_tokens includes the cached part)', () => {
    const usage = usageFromJson({ usage: { prompt_tokens: 2000, completion_tokens: 500, prompt_tokens_details: { cached_tokens: 1024 } } }, 'openai')!
    // 976 x 2.50 + 1024 x 1.25 + 500 x 10.00, per million
    expect(costUsd(usage, DEFAULT_PRICES['gpt-4o'])).toBeCloseTo((976 * 2.5 + 1024 * 1.25 + 500 * 10) / 1e6, 12)
  })

  it('Anthropic: cache reads at 0.1x and cache writes at 1.25x input', () => {
    const usage = usageFromJson({ usage: { input_tokens: 100, output_tokens: 50, cache_read_input_tokens: 10_000, cache_creation_input_tokens: 2_000 } }, 'anthropic')!
    expect(usage).toEqual(u(12_100, 50, 10_000, 2_000))
    const expected = (100 * 3 + 10_000 * 0.3 + 2_000 * 3.75 + 50 * 15) / 1e6
    expect(costUsd(usage, DEFAULT_PRICES['claude-sonnet-4-5'])).toBeCloseTo(expected, 12)
  })

  it('unknown price costs 0; fallbacks when a configured price lacks cache rates', () => {
    expect(costUsd(u(1000, 1000), undefined)).toBe(0)
    expect(costUsd(u(1_000_000, 0, 500_000), { inputPerMTok: 2, outputPerMTok: 8 })).toBe(2)
    expect(costUsd(u(1_000_000, 0, 0, 1_000_000), { inputPerMTok: 2, outputPerMTok: 8 })).toBe(2.5)
  })
})

describe('usageFromJson', () => {
  it('reads each protocol and tells "no usage" from zero', () => {
    expect(usageFromJson('{"usage":{"prompt_tokens":3,"completion_tokens":1}}', 'openai')).toEqual(u(3, 1))
    expect(usageFromJson(Buffer.from('{"prompt_eval_count":5,"eval_count":2,"done":true}'), 'ollama')).toEqual(u(5, 2))
    expect(usageFromJson({ usage: { prompt_tokens: 4, completion_tokens: 2 } }, 'ollama')).toEqual(u(4, 2))
    expect(usageFromJson({ choices: [] }, 'openai')).toBeUndefined()
    expect(usageFromJson({ usage: null }, 'openai')).toBeUndefined()
    expect(usageFromJson('not json', 'anthropic')).toBeUndefined()
    expect(usageFromJson({ usage: { prompt_tokens: -3, completion_tokens: 'x' } }, 'openai')).toEqual(u(0, 0))
  })
})
