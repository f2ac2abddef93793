import { describe, expect, it } from 'vitest'
import { parseDuration, parseRateLimitHeaders, parseRetryAfterMs } from '../../../../src/main/gateway/admission/upstreamHeaders'

const NOW = Date.parse('2025-06-01T12:00:00Z')

describe('upstream rate-limit headers', () => {
  it.each([
    ['6m0s', 360_000],
    ['1s', 1000],
    ['20ms', 20],
    ['1h2m3.5s', 3_723_500],
    ['0.5s', 500],
    ['0s', 0],
    ['7', 7000],
  ])('duration %s = %d ms', (text, ms) => {
    expect(parseDuration(text)).toBe(ms)
  })

  it.each(['', 'soon', '5x', '1s junk', '-1s'])('rejects malformed duration %j', (text) => {
    expect(parseDuration(text)).toBeUndefined()
  })

  it('reads OpenAI headers', () => {
    const learned = parseRateLimitHeaders(
      {
        'x-ratelimit-limit-requests': '60',
        'x-ratelimit-remaining-requests': '59',
        'x-ratelimit-reset-requests': '1s',
        'x-ratelimit-limit-tokens': '150000',
        'x-ratelimit-remaining-tokens': '149984',
        'x-ratelimit-reset-tokens': '6m0s',
      },
      NOW,
    )
    expect(learned).toEqual({
      budgets: { requests: { remaining: 59, resetAt: NOW + 1000 }, tokens: { remaining: 149_984, resetAt: NOW + 360_000 } },
      retryAt: undefined,
    })
  })

  it('reads Anthropic headers (RFC 3339 resets)', () => {
    const learned = parseRateLimitHeaders(
      {
        'anthropic-ratelimit-requests-limit': '50',
        'anthropic-ratelimit-requests-remaining': '49',
        'anthropic-ratelimit-requests-reset': '2025-06-01T12:00:01Z',
        'anthropic-ratelimit-tokens-remaining': '79000',
        'anthropic-ratelimit-tokens-reset': '2025-06-01T12:00:06Z',
        'anthropic-ratelimit-input-tokens-remaining': '39000',
        'anthropic-ratelimit-input-tokens-reset': '2025-06-01T12:00:06.5Z',
        'anthropic-ratelimit-output-tokens-remaining': '8000',
        'anthropic-ratelimit-output-tokens-reset': '2025-06-01T12:00:03Z',
      },
      NOW,
    )
    expect(learned.budgets).toEqual({
      requests: { remaining: 49, resetAt: NOW + 1000 },
      tokens: { remaining: 79_000, resetAt: NOW + 6000 },
      inputTokens: { remaining: 39_000, resetAt: NOW + 6500 },
      outputTokens: { remaining: 8000, resetAt: NOW + 3000 },
    })
  })

  it('reads Retry-After in seconds and as an HTTP date, and prefers retry-after-ms', () => {
    expect(parseRateLimitHeaders({ 'retry-after': '17' }, NOW).retryAt).toBe(NOW + 17_000)
    expect(parseRateLimitHeaders({ 'retry-after': 'Sun, 01 Jun 2025 12:00:30 GMT' }, NOW).retryAt).toBe(NOW + 30_000)
    expect(parseRateLimitHeaders({ 'retry-after': '2', 'retry-after-ms': '1250' }, NOW).retryAt).toBe(NOW + 1250)
    expect(parseRetryAfterMs(undefined, 'Sun, 01 Jun 2025 11:00:00 GMT', NOW)).toBe(0) // in the past
    expect(parseRetryAfterMs(undefined, 'whenever', NOW)).toBeUndefined()
  })

  it('accepts fetch Headers, mixed-case names and arrays; ignores garbage', () => {
    const h = new Headers({ 'X-RateLimit-Remaining-Requests': '3', 'x-ratelimit-reset-requests': '20ms' })
    expect(parseRateLimitHeaders(h, NOW).budgets.requests).toEqual({ remaining: 3, resetAt: NOW + 20 })
    expect(parseRateLimitHeaders({ 'X-RateLimit-Remaining-Tokens': ['10', '11'] }, NOW).budgets.tokens).toEqual({ remaining: 10, resetAt: undefined })
    expect(parseRateLimitHeaders({ 'x-ratelimit-remaining-requests': 'lots', 'retry-after': '' }, NOW)).toEqual({ budgets: {}, retryAt: undefined })
  })
})
