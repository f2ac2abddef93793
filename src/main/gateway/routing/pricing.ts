// Prices for the lowest-cost strategy: one number per (provider, model), the input and output
// prices blended 3:1. They come from the same lookup the ledger charges with (providers/pricing.ts),
// shipped defaults included, so routing and the bill never disagree.
import type { ProviderConfig } from '../../../shared/config'
import { blendedPrice, priceFor } from '../providers/pricing'

export { blendedPrice, INPUT_SHARE } from '../providers/pricing'

/** Blended USD per million tokens; 0 for self-hosted kinds without pricing; undefined when unknown. */
export function providerPrice(provider: ProviderConfig, model: string): number | undefined {
  const price = priceFor(provider, model)
  return price === undefined ? undefined : blendedPrice(price)
}

/** A `StrategyContext.price` over a set of providers, memoised per (provider, model). */
export function priceLookup(providers: Iterable<ProviderConfig>): (providerId: string, model: string) => number | undefined {
  const byId = new Map<string, ProviderConfig>()
  for (const p of providers) byId.set(p.id, p)
  const memo = new Map<string, number | undefined>()
  return (providerId, model) => {
    const key = `${providerId}\u0000${model}`
    if (memo.has(key)) return memo.get(key)
    const p = byId.get(providerId)
    const price = p ? providerPrice(p, model) : undefined
    if (memo.size < 10_000) memo.set(key, price)
    return price
  }
}
