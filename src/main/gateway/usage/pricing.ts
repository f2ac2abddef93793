// What a request cost, from a per-provider pricing table (config) over shipped defaults for common
// cloud models. Local kinds (vllm, ollama) cost 0 unless their provider config prices the model.
// Prices are USD per million tokens.
import type { ProviderKind } from '../../../shared/config'
import { globEntry } from '../common/glob'
import type { TokenUsage } from './types'

export interface ModelPrice {
  inputPerMTok: number
  outputPerMTok: number
  /** Cache hits (OpenAI cached input, Anthropic cache reads); the input price when absent. */
  cachedInputPerMTok?: number
  /** Anthropic cache writes (5-minute TTL); 1.25 x input when absent. */
  cacheWritePerMTok?: number
}

/** Anthropic bills 5-minute cache writes at 1.25 x the base input price (its pricing page). */
export const CACHE_WRITE_MULTIPLIER = 1.25

/** The date the shipped prices were last checked against the sources below. */
export const DEFAULT_PRICES_CHECKED = '2025-12'

const claude = (input: number, output: number): ModelPrice => ({
  inputPerMTok: input,
  outputPerMTok: output,
  cachedInputPerMTok: input / 10,
  cacheWritePerMTok: input * CACHE_WRITE_MULTIPLIER,
})

/**
 * Shipped defaults. Sources:
 * - OpenAI: platform.openai.com/docs/pricing as tabulated on 2025-06-03 by openai_responses
 *   (hex.pm, lib/responses/pricing.ex) for gpt-4o, gpt-4o-mini and gpt-4.1*; o3 after the June
 *   2025 cut and o4-mini as listed on the same page (o3 $2/$8, o4-mini $1.10/$0.275/$4.40).
 * - Anthropic: platform.claude.com/docs/en/about-claude/pricing (base input, output, 5m cache
 *   writes = 1.25 x input, cache hits = 0.1 x input).
 * - DeepSeek: api-docs.deepseek.com pricing, V3.2 prices of 2025-12 (cache hit $0.028, miss $0.28,
 *   output $0.42) for both deepseek-chat and deepseek-reasoner.
 * - Groq: groq.com/pricing on-demand rates for the Llama models.
 * Users edit or override any of these per provider in config (`pricing`).
 */
export const DEFAULT_PRICES: Readonly<Record<string, ModelPrice>> = Object.freeze({
  'gpt-4o': { inputPerMTok: 2.5, cachedInputPerMTok: 1.25, outputPerMTok: 10 },
  'gpt-4o-mini': { inputPerMTok: 0.15, cachedInputPerMTok: 0.075, outputPerMTok: 0.6 },
  'gpt-4.1': { inputPerMTok: 2, cachedInputPerMTok: 0.5, outputPerMTok: 8 },
  'gpt-4.1-mini': { inputPerMTok: 0.4, cachedInputPerMTok: 0.1, outputPerMTok: 1.6 },
  'gpt-4.1-nano': { inputPerMTok: 0.1, cachedInputPerMTok: 0.025, outputPerMTok: 0.4 },
  o3: { inputPerMTok: 2, cachedInputPerMTok: 0.5, outputPerMTok: 8 },
  'o4-mini': { inputPerMTok: 1.1, cachedInputPerMTok: 0.275, outputPerMTok: 4.4 },
  'claude-opus-4': claude(15, 75),
  'claude-opus-4-0': claude(15, 75),
  'claude-opus-4-1': claude(15, 75),
  'claude-opus-4-5': claude(5, 25),
  'claude-opus-4-6': claude(5, 25),
  'claude-sonnet-4': claude(3, 15),
  'claude-sonnet-4-0': claude(3, 15),
  'claude-sonnet-4-5': claude(3, 15),
  'claude-sonnet-4-6': claude(3, 15),
  'claude-haiku-4-5': claude(1, 5),
  'claude-3-5-haiku': claude(0.8, 4),
  'deepseek-chat': { inputPerMTok: 0.28, cachedInputPerMTok: 0.028, outputPerMTok: 0.42 },
  'deepseek-reasoner': { inputPerMTok: 0.28, cachedInputPerMTok: 0.028, outputPerMTok: 0.42 },
  'llama-3.3-70b-versatile': { inputPerMTok: 0.59, outputPerMTok: 0.79 },
  'llama-3.1-8b-instant': { inputPerMTok: 0.05, outputPerMTok: 0.08 },
})

const LOCAL_KINDS: ReadonlySet<ProviderKind> = new Set(['vllm', 'ollama'])

/** Dated snapshots price like their alias: `gpt-4o-2024-08-06`, `claude-sonnet-4-20250514`. */
const SNAPSHOT_SUFFIX = /-(\d{4}-\d{2}-\d{2}|\d{8}|latest)$/

export function baseModelName(model: string): string {
  return model.replace(SNAPSHOT_SUFFIX, '')
}

export interface PricedProvider {
  kind: ProviderKind
  pricing?: Record<string, ModelPrice>
}

/**
 * The price of a model on a provider, or undefined when unknown (cost then records as 0).
 * Configured keys match exactly, then as the dated snapshot's alias, then as globs (`gpt-4o*`,
 * in config order, as routing's lowest-cost strategy reads them).
 */
export function priceFor(provider: PricedProvider, model: string): ModelPrice | undefined {
  const base = baseModelName(model)
  const configured = provider.pricing?.[model] ?? provider.pricing?.[base] ?? globEntry(provider.pricing, model)
  if (configured) return configured
  if (LOCAL_KINDS.has(provider.kind)) return { inputPerMTok: 0, outputPerMTok: 0 }
  return DEFAULT_PRICES[model] ?? DEFAULT_PRICES[base]
}

/** USD cost of one request. `promptTokens` includes cached and cache-written tokens (see TokenUsage). */
export function costUsd(usage: TokenUsage, price: ModelPrice | undefined): number {
  if (!price) return 0
  const uncached = Math.max(0, usage.promptTokens - usage.cachedTokens - usage.cacheCreationTokens)
  const perMillion =
    uncached * price.inputPerMTok +
    usage.cachedTokens * (price.cachedInputPerMTok ?? price.inputPerMTok) +
    usage.cacheCreationTokens * (price.cacheWritePerMTok ?? price.inputPerMTok * CACHE_WRITE_MULTIPLIER) +
    usage.completionTokens * price.outputPerMTok
  // Nano-dollar precision: exact for any real price, and sums of many rows stay free of float noise.
  return Math.round(perMillion * 1000) / 1e9
}
