import type { ModelPrice } from '../../adapter'

/**
 * Shipped Gemini prices, USD per million tokens: ai.google.dev/gemini-api/docs/pricing, paid tier,
 * standard (not batch) rates for text/image/video input and text output (thinking included),
 * context-cache reads as cached input, as listed in January 2026 (checked 2026-01). Gemini 2.5 Pro
 * and 3 Pro charge more for prompts over 200k tokens ($2.50/$15 and $4/$18): those are priced at
 * the base rate here; a provider's `pricing` can say otherwise.
 */
export const GEMINI_PRICES: Readonly<Record<string, ModelPrice>> = Object.freeze({
  'gemini-3-pro-preview': { inputPerMTok: 2, cachedInputPerMTok: 0.2, outputPerMTok: 12 },
  'gemini-3-flash-preview': { inputPerMTok: 0.5, cachedInputPerMTok: 0.05, outputPerMTok: 3 },
  'gemini-2.5-pro': { inputPerMTok: 1.25, cachedInputPerMTok: 0.125, outputPerMTok: 10 },
  'gemini-2.5-flash': { inputPerMTok: 0.3, cachedInputPerMTok: 0.03, outputPerMTok: 2.5 },
  'gemini-2.5-flash-lite': { inputPerMTok: 0.1, cachedInputPerMTok: 0.01, outputPerMTok: 0.4 },
  'gemini-2.0-flash': { inputPerMTok: 0.1, cachedInputPerMTok: 0.025, outputPerMTok: 0.4 },
  'gemini-2.0-flash-lite': { inputPerMTok: 0.075, outputPerMTok: 0.3 },
})
