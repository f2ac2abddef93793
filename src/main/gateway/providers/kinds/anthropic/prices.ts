import type { ModelPrice } from '../../adapter'

/** Anthropic bills 5-minute cache writes at 1.25 x the base input price (its pricing page). */
export const CACHE_WRITE_MULTIPLIER = 1.25

const claude = (input: number, output: number): ModelPrice => ({
  inputPerMTok: input,
  outputPerMTok: output,
  cachedInputPerMTok: input / 10,
  cacheWritePerMTok: input * CACHE_WRITE_MULTIPLIER,
})

/**
 * Shipped Claude prices, USD per million tokens, from platform.claude.com/docs/en/about-claude/pricing
 * as of 2025-12 (base input, output, 5m cache writes = 1.25 x input, cache hits = 0.1 x input).
 */
export const ANTHROPIC_PRICES: Readonly<Record<string, ModelPrice>> = Object.freeze({
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
})
