// What a request cost. The price comes from the one lookup routing uses too (providers/pricing.ts:
// the provider's configured table over the prices each kind ships); this file turns usage into USD.
import { CACHE_WRITE_MULTIPLIER, type ModelPrice } from '../providers/pricing'
import type { TokenUsage } from './types'

export { baseModelName, CACHE_WRITE_MULTIPLIER, DEFAULT_PRICES, DEFAULT_PRICES_CHECKED, priceFor, type ModelPrice, type PricedProvider } from '../providers/pricing'

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
