// Reads the rate-limit state that cloud APIs report on every response, so the gateway can stop
// sending before the upstream answers 429. Two dialects:
//   OpenAI (and most OpenAI-compatible clouds): x-ratelimit-remaining-{requests,tokens} with
//     x-ratelimit-reset-{requests,tokens} as Go-style durations ("6m0s", "1s", "20ms").
//   Anthropic: anthropic-ratelimit-{requests,tokens,input-tokens,output-tokens}-{remaining,reset}
//     with resets as RFC 3339 timestamps.
// Plus Retry-After (seconds or an HTTP date) and OpenAI's retry-after-ms.

export type HeaderValue = string | string[] | number | undefined
/** Node's IncomingHttpHeaders, undici's response headers, or a fetch Headers object. */
export type HeaderSource = Record<string, HeaderValue> | { get(name: string): string | null }

export type BudgetKind = 'requests' | 'tokens' | 'inputTokens' | 'outputTokens'

export interface LearnedBudget {
  remaining: number
  /** Absolute time (same clock as `now`) when the upstream restores this budget; undefined if not said. */
  resetAt?: number
}

export interface LearnedLimits {
  budgets: Partial<Record<BudgetKind, LearnedBudget>>
  /** Absolute time before which the upstream asked us not to send anything. */
  retryAt?: number
}

const OPENAI_KIND: Record<string, BudgetKind> = { requests: 'requests', tokens: 'tokens' }
const ANTHROPIC_KIND: Record<string, BudgetKind> = {
  requests: 'requests',
  tokens: 'tokens',
  'input-tokens': 'inputTokens',
  'output-tokens': 'outputTokens',
}

/** Parses whatever rate-limit headers are present; absent or malformed ones are ignored. */
export function parseRateLimitHeaders(headers: HeaderSource, now: number): LearnedLimits {
  const get = headerGetter(headers)
  const budgets: LearnedLimits['budgets'] = {}

  for (const [suffix, kind] of Object.entries(OPENAI_KIND)) {
    const remaining = parseCount(get(`x-ratelimit-remaining-${suffix}`))
    if (remaining === undefined) continue
    const resetMs = parseDuration(get(`x-ratelimit-reset-${suffix}`))
    budgets[kind] = { remaining, resetAt: resetMs === undefined ? undefined : now + resetMs }
  }
  for (const [suffix, kind] of Object.entries(ANTHROPIC_KIND)) {
    const remaining = parseCount(get(`anthropic-ratelimit-${suffix}-remaining`))
    if (remaining === undefined) continue
    const resetAt = parseDate(get(`anthropic-ratelimit-${suffix}-reset`))
    budgets[kind] = { remaining, resetAt }
  }

  const retryAfterMs = parseRetryAfterMs(get('retry-after-ms'), get('retry-after'), now)
  return { budgets, retryAt: retryAfterMs === undefined ? undefined : now + retryAfterMs }
}

/**
 * Milliseconds to wait from `retry-after-ms` (preferred: finer) or `Retry-After` (delta seconds
 * or an HTTP date). An HTTP date in the past means "now": 0.
 */
export function parseRetryAfterMs(retryAfterMs: string | undefined, retryAfter: string | undefined, now: number): number | undefined {
  const ms = retryAfterMs === undefined ? undefined : Number(retryAfterMs.trim())
  if (ms !== undefined && Number.isFinite(ms) && ms >= 0) return ms
  if (retryAfter === undefined) return undefined
  const text = retryAfter.trim()
  if (/^\d+(\.\d+)?$/.test(text)) return Number(text) * 1000
  const date = parseDate(text)
  return date === undefined ? undefined : Math.max(0, date - now)
}

const DURATION_PART = /(\d+(?:\.\d+)?)(ms|us|µs|ns|h|m|s)/g
const UNIT_MS: Record<string, number> = { h: 3_600_000, m: 60_000, s: 1000, ms: 1, us: 1e-3, µs: 1e-3, ns: 1e-6 }

/** Go-style durations as OpenAI sends them: "6m0s", "1s", "20ms", "1h2m3.5s"; a bare number is seconds. */
export function parseDuration(value: string | undefined): number | undefined {
  if (value === undefined) return undefined
  const text = value.trim()
  if (text === '') return undefined
  if (/^\d+(\.\d+)?$/.test(text)) return Number(text) * 1000
  let total = 0
  let consumed = 0
  for (const match of text.matchAll(DURATION_PART)) {
    if (match.index !== consumed) return undefined // junk between parts
    total += Number(match[1]) * UNIT_MS[match[2]!]!
    consumed += match[0].length
  }
  return consumed === text.length && consumed > 0 ? Math.ceil(total) : undefined
}

function parseDate(value: string | undefined): number | undefined {
  if (value === undefined || value.trim() === '') return undefined
  const ms = Date.parse(value)
  return Number.isFinite(ms) ? ms : undefined
}

function parseCount(value: string | undefined): number | undefined {
  if (value === undefined) return undefined
  const n = Number(value.trim())
  return value.trim() !== '' && Number.isFinite(n) && n >= 0 ? n : undefined
}

function headerGetter(headers: HeaderSource): (name: string) => string | undefined {
  if (typeof (headers as { get?: unknown }).get === 'function') {
    const h = headers as { get(name: string): string | null }
    return (name) => h.get(name) ?? undefined
  }
  // Plain objects: Node lowercases names, but undici's raw header objects may not.
  const lower = new Map<string, HeaderValue>()
  for (const [k, v] of Object.entries(headers as Record<string, HeaderValue>)) lower.set(k.toLowerCase(), v)
  return (name) => {
    const v = lower.get(name)
    if (v === undefined) return undefined
    return Array.isArray(v) ? v[0] : String(v)
  }
}
