// The one price lookup: what the ledger charges a request and what lowest-cost routing compares.
// A provider's configured `pricing` first (exact name, then the dated snapshot's alias, then glob
// keys in config order); self-hosted kinds cost nothing otherwise; else the prices the kinds ship
// (the provider's own kind first, then any kind's: a model name is priced the same through a
// compatible endpoint). Prices are USD per million tokens.
import type { ProviderKind } from '../../../shared/config'
import { globEntry } from '../common/glob'
import type { ModelPrice } from './adapter'
import { CACHE_WRITE_MULTIPLIER } from './kinds/anthropic/prices'
import { adapterFor, PROVIDER_ADAPTERS } from './registry'

export type { ModelPrice }
export { CACHE_WRITE_MULTIPLIER }

/** When the shipped prices were last checked against their sources (each kind's prices.ts says where). */
export const DEFAULT_PRICES_CHECKED = '2026-01'

/** Every kind's shipped prices in one table. */
export const DEFAULT_PRICES: Readonly<Record<string, ModelPrice>> = Object.freeze(Object.assign({}, ...Object.values(PROVIDER_ADAPTERS).map((a) => a.prices)))

/**
 * Snapshots price like their alias: dated ones (`gpt-4o-2024-08-06`, `claude-sonnet-4-20250514`),
 * `-latest`, and Gemini's stable versions (`gemini-2.0-flash-001`). Previews are not aliases: they
 * are often priced apart.
 */
const SNAPSHOT_SUFFIX = /-(\d{4}-\d{2}-\d{2}|\d{8}|latest|\d{3})$/

export function baseModelName(model: string): string {
  return model.replace(SNAPSHOT_SUFFIX, '')
}

export interface PricedProvider {
  kind: ProviderKind
  pricing?: Record<string, ModelPrice>
}

const ZERO: ModelPrice = Object.freeze({ inputPerMTok: 0, outputPerMTok: 0 })

/** The price of a model on a provider, or undefined when unknown (cost then records as 0, routing ranks it last). */
export function priceFor(provider: PricedProvider, model: string): ModelPrice | undefined {
  const base = baseModelName(model)
  const configured = provider.pricing?.[model] ?? provider.pricing?.[base] ?? globEntry(provider.pricing, model)
  if (configured) return configured
  const adapter = adapterFor(provider.kind)
  if (adapter.locality === 'local') return { ...ZERO }
  return adapter.prices[model] ?? adapter.prices[base] ?? DEFAULT_PRICES[model] ?? DEFAULT_PRICES[base]
}

/** Input and output prices blended 3:1, the usual token mix of chat traffic (as public comparisons blend them). */
export const INPUT_SHARE = 0.75

export function blendedPrice(price: Pick<ModelPrice, 'inputPerMTok' | 'outputPerMTok'>): number {
  return INPUT_SHARE * price.inputPerMTok + (1 - INPUT_SHARE) * price.outputPerMTok
}
