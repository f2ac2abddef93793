// How long a provider asked us to stay away, from the headers of a busy answer:
//   retry-after-ms (OpenAI, Azure)           milliseconds
//   retry-after                              seconds, or an HTTP date
//   x-ratelimit-reset-{requests,tokens}      OpenAI/Groq durations: "1s", "6m0s", "250ms", "1h2m3.5s"
//   anthropic-ratelimit-*-reset              RFC 3339 time
//   x-ratelimit-reset                        seconds from now, or epoch seconds/ms (OpenRouter)
// A reset header counts when its `remaining` partner is 0; on a 429 without any hint of which
// limit ran out, the soonest reset is used.

export type HeaderBag = Record<string, string | string[] | number | undefined>

const RESET_PAIRS: Array<[reset: string, remaining: string]> = [
  ['x-ratelimit-reset-requests', 'x-ratelimit-remaining-requests'],
  ['x-ratelimit-reset-tokens', 'x-ratelimit-remaining-tokens'],
  ['anthropic-ratelimit-requests-reset', 'anthropic-ratelimit-requests-remaining'],
  ['anthropic-ratelimit-tokens-reset', 'anthropic-ratelimit-tokens-remaining'],
  ['anthropic-ratelimit-input-tokens-reset', 'anthropic-ratelimit-input-tokens-remaining'],
  ['anthropic-ratelimit-output-tokens-reset', 'anthropic-ratelimit-output-tokens-remaining'],
  ['x-ratelimit-reset', 'x-ratelimit-remaining'],
]

/** Milliseconds to wait, or undefined when the headers say nothing usable. */
export function retryDelayMs(headers: HeaderBag, now: number, status?: number): number | undefined {
  const ms = header(headers, 'retry-after-ms')
  if (ms !== undefined) {
    const n = Number(ms)
    if (Number.isFinite(n) && n >= 0) return n
  }
  const after = header(headers, 'retry-after')
  if (after !== undefined) {
    const parsed = parseRetryAfter(after, now)
    if (parsed !== undefined) return parsed
  }
  const exhausted: number[] = []
  const any: number[] = []
  for (const [resetName, remainingName] of RESET_PAIRS) {
    const reset = header(headers, resetName)
    if (reset === undefined) continue
    const delay = parseReset(reset, now)
    if (delay === undefined) continue
    any.push(delay)
    if (header(headers, remainingName)?.trim() === '0') exhausted.push(delay)
  }
  if (exhausted.length > 0) return Math.max(...exhausted)
  if (status === 429 && any.length > 0) return Math.min(...any)
  return undefined
}

/** `Retry-After`: delta-seconds or an HTTP date. */
export function parseRetryAfter(value: string, now: number): number | undefined {
  const v = value.trim()
  if (/^\d+(\.\d+)?$/.test(v)) return Number(v) * 1000
  const date = Date.parse(v)
  return Number.isFinite(date) ? Math.max(0, date - now) : undefined
}

/** Go-style durations as OpenAI sends them: "1s", "6m0s", "1h2m3.5s", "250ms". */
export function parseDuration(value: string): number | undefined {
  const v = value.trim()
  if (v === '' || !/^(\d+(\.\d+)?(h|ms|m|s|us|µs|ns))+$/.test(v)) return undefined
  let total = 0
  for (const m of v.matchAll(/(\d+(?:\.\d+)?)(h|ms|m|s|us|µs|ns)/g)) {
    const n = Number(m[1])
    const unit = m[2]
    total += unit === 'h' ? n * 3_600_000 : unit === 'm' ? n * 60_000 : unit === 's' ? n * 1000 : unit === 'ms' ? n : n / 1000 / (unit === 'ns' ? 1000 : 1)
  }
  return total
}

function parseReset(value: string, now: number): number | undefined {
  const v = value.trim()
  if (/^\d+(\.\d+)?$/.test(v)) {
    const n = Number(v)
    if (n > 1e12) return Math.max(0, n - now) // epoch milliseconds
    if (n > 1e9) return Math.max(0, n * 1000 - now) // epoch seconds
    return n * 1000 // seconds from now
  }
  const duration = parseDuration(v)
  if (duration !== undefined) return duration
  const date = Date.parse(v)
  return Number.isFinite(date) ? Math.max(0, date - now) : undefined
}

function header(headers: HeaderBag, name: string): string | undefined {
  const v = headers[name]
  if (v === undefined) return undefined
  return Array.isArray(v) ? v[0] : String(v)
}
