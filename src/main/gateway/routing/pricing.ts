// Prices for the lowest-cost strategy. A single number per (provider, model): input and output
// prices blended 3:1, the usual input/output token mix of chat traffic (the same blend public
// price comparisons use). Self-hosted kinds without a pricing table cost nothing per token.
import type { ProviderConfig } from '../../../shared/config'
import { globEntry } from '../common/glob'

type Price = NonNullable<ProviderConfig['pricing']>[string]

export const INPUT_SHARE = 0.75

export function blendedPrice(price: Price): number {
  return INPUT_SHARE * price.inputPerMTok + (1 - INPUT_SHARE) * price.outputPerMTok
}

/** The pricing entry for a model: exact name first, then glob keys (`gpt-4o*`) in config order. */
export function priceEntry(provider: ProviderConfig, model: string): Price | undefined {
  const table = provider.pricing
  if (!table) return undefined
  return table[model] ?? globEntry(table, model)
}

/** Blended USD per million tokens; 0 for local kinds without pricing; undefined when unknown. */
export function providerPrice(provider: ProviderConfig, model: string): number | undefined {
  const entry = priceEntry(provider, model)
  if (entry) return blendedPrice(entry)
  if (provider.kind === 'vllm' || provider.kind === 'ollama') return 0
  return undefined
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
