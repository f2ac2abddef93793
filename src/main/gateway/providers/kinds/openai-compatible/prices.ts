import type { ModelPrice } from '../../adapter'

/**
 * Shipped prices of the OpenAI-compatible clouds, USD per million tokens. Sources:
 * - OpenAI: platform.openai.com/docs/pricing as tabulated on 2025-06-03 by openai_responses
 *   (hex.pm, lib/responses/pricing.ex) for gpt-4o, gpt-4o-mini and gpt-4.1*; o3 after the June
 *   2025 cut and o4-mini as listed on the same page (o3 $2/$8, o4-mini $1.10/$0.275/$4.40).
 * - DeepSeek: api-docs.deepseek.com pricing, V3.2 prices of 2025-12 (cache hit $0.028, miss $0.28,
 *   output $0.42) for both deepseek-chat and deepseek-reasoner.
 * - Groq: groq.com/pricing on-demand rates for the Llama models.
 */
export const OPENAI_COMPATIBLE_PRICES: Readonly<Record<string, ModelPrice>> = Object.freeze({
  'gpt-4o': { inputPerMTok: 2.5, cachedInputPerMTok: 1.25, outputPerMTok: 10 },
  'gpt-4o-mini': { inputPerMTok: 0.15, cachedInputPerMTok: 0.075, outputPerMTok: 0.6 },
  'gpt-4.1': { inputPerMTok: 2, cachedInputPerMTok: 0.5, outputPerMTok: 8 },
  'gpt-4.1-mini': { inputPerMTok: 0.4, cachedInputPerMTok: 0.1, outputPerMTok: 1.6 },
  'gpt-4.1-nano': { inputPerMTok: 0.1, cachedInputPerMTok: 0.025, outputPerMTok: 0.4 },
  o3: { inputPerMTok: 2, cachedInputPerMTok: 0.5, outputPerMTok: 8 },
  'o4-mini': { inputPerMTok: 1.1, cachedInputPerMTok: 0.275, outputPerMTok: 4.4 },
  'deepseek-chat': { inputPerMTok: 0.28, cachedInputPerMTok: 0.028, outputPerMTok: 0.42 },
  'deepseek-reasoner': { inputPerMTok: 0.28, cachedInputPerMTok: 0.028, outputPerMTok: 0.42 },
  'llama-3.3-70b-versatile': { inputPerMTok: 0.59, outputPerMTok: 0.79 },
  'llama-3.1-8b-instant': { inputPerMTok: 0.05, outputPerMTok: 0.08 },
})
