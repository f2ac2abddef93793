// How long a provider asked us to stay away, from the headers of a busy answer:
//   retry-after-ms (OpenAI, Azure)           milliseconds
//   retry-after                              seconds, or an HTTP date
//   x-ratelimit-reset-{requests,tokens}      OpenAI/Groq durations: "1s", "6m0s", "250ms", "1h2m3.5s"
//   anthropic-ratelimit-*-reset              RFC 3339 time
//   x-ratelimit-reset                        seconds from now, or epoch seconds/ms (OpenRouter)
// A reset header counts when its `remaining` partner is 0; on a 429 without any hint of which
// limit ran out, the soonest reset is used. The duration and Retry-After grammars are the ones
// admission reads the same headers with (upstreamHeaders.ts).
import { parseDuration, parseRetryAfterMs } from '../admission/upstreamHeaders'

export { parseDuration }

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
  const asked = parseRetryAfterMs(header(headers, 'retry-after-ms'), header(headers, 'retry-after'), now)
  if (asked !== undefined) return asked
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
