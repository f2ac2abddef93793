import { describe, expect, it } from 'vitest'
import {
  healthSignal,
  outcomeFromError,
  outcomeFromGatewayCode,
  outcomeFromStatus,
  type AttemptOutcome,
} from '../../../../src/main/gateway/common/attemptOutcome'
import {
  backoffMs,
  DEFAULT_FAILOVER_OPTIONS,
  failoverDecision,
  FailoverPolicy,
  RetryBudget,
  type FailoverInput,
} from '../../../../src/main/gateway/routing/failoverPolicy'
import { firstEventOutcome, inspectFirstSseEvent } from '../../../../src/main/gateway/routing/firstEvent'
import { parseDuration, retryDelayMs } from '../../../../src/main/gateway/routing/retryAfter'
import { seededRandom } from '../../../helpers/random'

const base: FailoverInput = { outcome: 'connect_error', attempts: 1, remaining: 2, firstByteSent: false, now: 0, random: () => 0.5 }

describe('failover decisions', () => {
  const table: Array<[string, Partial<FailoverInput>, boolean, string]> = [
    ['connection refused', { outcome: 'connect_error' }, true, 'retryable'],
    ['connection reset', { outcome: 'reset' }, true, 'retryable'],
    ['first-byte timeout', { outcome: 'timeout' }, true, 'retryable'],
    ['500', { outcome: 'http_error', status: 500 }, true, 'retryable'],
    ['502', { outcome: 'http_error', status: 502 }, true, 'retryable'],
    ['429', { outcome: 'busy', status: 429 }, true, 'retryable'],
    ['503', { outcome: 'busy', status: 503 }, true, 'retryable'],
    ['529 overloaded', { outcome: 'busy', status: 529 }, true, 'retryable'],
    ['200 + error as first SSE event', { outcome: 'stream_error', status: 500 }, true, 'retryable'],
    ['garbage body', { outcome: 'bad_response' }, true, 'retryable'],
    ['408 request timeout', { outcome: 'http_error', status: 408 }, true, 'retryable'],
    ['409 conflict', { outcome: 'http_error', status: 409 }, true, 'retryable'],
    ['400 bad request', { outcome: 'http_error', status: 400 }, false, 'client_error'],
    ['401 bad key', { outcome: 'http_error', status: 401 }, false, 'client_error'],
    ['404 unknown model', { outcome: 'http_error', status: 404 }, false, 'client_error'],
    ['413 too large', { outcome: 'http_error', status: 413 }, false, 'client_error'],
    ['422 invalid', { outcome: 'http_error', status: 422 }, false, 'client_error'],
    ['error event that is a 400', { outcome: 'stream_error', status: 400 }, false, 'client_error'],
    ['success', { outcome: 'success', status: 200 }, false, 'success'],
    ['client went away', { outcome: 'client_aborted' }, false, 'client_aborted'],
    ['after the first byte', { outcome: 'reset', firstByteSent: true }, false, 'committed'],
    ['attempts exhausted', { attempts: 3 }, false, 'max_attempts'],
    ['no candidate left', { remaining: 0 }, false, 'no_candidates'],
    ['deadline too close', { now: 10_000, deadline: 10_100 }, false, 'deadline'],
    ['deadline far enough', { now: 10_000, deadline: 20_000 }, true, 'retryable'],
  ]
  it.each(table)('%s', (_name, patch, retry, reason) => {
    const d = failoverDecision({ ...base, ...patch })
    expect(d.retry).toBe(retry)
    expect(d.reason).toBe(reason)
    if (!retry) expect(d.delayMs).toBe(0)
  })

  it('backs off with full jitter, exponentially, capped', () => {
    expect(backoffMs(1, () => 0.999)).toBe(24)
    expect(backoffMs(3, () => 0.999)).toBe(99)
    expect(backoffMs(20, () => 0.999)).toBe(DEFAULT_FAILOVER_OPTIONS.maxBackoffMs - 1)
    expect(backoffMs(3, () => 0)).toBe(0)
    const random = seededRandom(3)
    const delays = Array.from({ length: 1000 }, () => backoffMs(2, random))
    expect(Math.min(...delays)).toBeGreaterThanOrEqual(0)
    expect(Math.max(...delays)).toBeLessThan(50)
    expect(new Set(delays).size).toBeGreaterThan(30)
  })
})

describe('retry budget', () => {
  it('lets a meltdown retry only ~20 % of requests beyond the saved-up burst', () => {
    const policy = new FailoverPolicy({}, new RetryBudget({ ratio: 0.2, minPerSecond: 0, capacity: 10 }))
    let retries = 0
    for (let i = 0; i < 1000; i++) {
      policy.onRequest(0)
      if (policy.decide({ ...base, now: 0 }).retry) retries++
    }
    expect(retries).toBeGreaterThanOrEqual(200)
    expect(retries).toBeLessThanOrEqual(211)
    expect(policy.decide({ ...base, now: 0 })).toEqual({ retry: false, reason: 'budget_exhausted', delayMs: 0 })
  })

  it('refills with time so a quiet gateway can still retry', () => {
    const budget = new RetryBudget({ ratio: 0.2, minPerSecond: 5, capacity: 3 })
    expect([budget.tryWithdraw(0), budget.tryWithdraw(0), budget.tryWithdraw(0), budget.tryWithdraw(0)]).toEqual([true, true, true, false])
    expect(budget.tryWithdraw(100)).toBe(false)
    expect(budget.tryWithdraw(200)).toBe(true)
    expect(budget.available(60_000)).toBe(3)
  })
})

describe('attempt outcomes', () => {
  it('classifies statuses, transport errors and the forwarder’s codes', () => {
    expect([200, 201, 429, 503, 529, 500, 400].map(outcomeFromStatus)).toEqual(['success', 'success', 'busy', 'busy', 'busy', 'http_error', 'http_error'])
    const err = (code: string) => Object.assign(new Error(code), { code })
    expect(outcomeFromError(err('ECONNREFUSED'))).toBe('connect_error')
    expect(outcomeFromError(err('UND_ERR_CONNECT_TIMEOUT'))).toBe('connect_error')
    expect(outcomeFromError(err('ECONNRESET'))).toBe('reset')
    expect(outcomeFromError(Object.assign(new Error('x'), { cause: { code: 'UND_ERR_SOCKET' } }))).toBe('reset')
    expect(outcomeFromError(err('UND_ERR_HEADERS_TIMEOUT'))).toBe('timeout')
    const codes: Array<[string | undefined, number, AttemptOutcome]> = [
      [undefined, 200, 'success'],
      ['upstream_unreachable', 502, 'connect_error'],
      ['upstream_timeout', 504, 'timeout'],
      ['upstream_429', 429, 'busy'],
      ['upstream_500', 500, 'http_error'],
      ['upstream_bad_response', 502, 'bad_response'],
      ['client_aborted', 499, 'client_aborted'],
    ]
    for (const [code, status, outcome] of codes) expect(outcomeFromGatewayCode(code, status)).toBe(outcome)
  })

  it('tells the breaker: 4xx is neutral, 5xx and transport errors are failures, busy is busy', () => {
    expect(healthSignal('http_error', 404)).toBe('neutral')
    expect(healthSignal('http_error', 500)).toBe('failure')
    expect(healthSignal('stream_error', 400)).toBe('neutral')
    expect(healthSignal('stream_error', 500)).toBe('failure')
    expect(healthSignal('timeout')).toBe('failure')
    expect(healthSignal('busy', 429)).toBe('busy')
    expect(healthSignal('client_aborted')).toBe('neutral')
  })
})

describe('Retry-After and rate-limit reset headers', () => {
  const now = Date.parse('2025-01-01T00:00:00Z')
  it('reads retry-after-ms, Retry-After seconds and HTTP dates', () => {
    expect(retryDelayMs({ 'retry-after-ms': '1500', 'retry-after': '9' }, now)).toBe(1500)
    expect(retryDelayMs({ 'retry-after': '7' }, now)).toBe(7000)
    expect(retryDelayMs({ 'retry-after': 'Wed, 01 Jan 2025 00:00:30 GMT' }, now)).toBe(30_000)
    expect(retryDelayMs({ 'retry-after': 'soon' }, now)).toBeUndefined()
  })

  it('reads OpenAI and Anthropic reset headers for the limit that ran out', () => {
    const openai = { 'x-ratelimit-remaining-requests': '0', 'x-ratelimit-reset-requests': '6m0s', 'x-ratelimit-remaining-tokens': '100', 'x-ratelimit-reset-tokens': '1s' }
    expect(retryDelayMs(openai, now, 429)).toBe(360_000)
    const anthropic = { 'anthropic-ratelimit-tokens-remaining': '0', 'anthropic-ratelimit-tokens-reset': '2025-01-01T00:00:12Z' }
    expect(retryDelayMs(anthropic, now, 429)).toBe(12_000)
    expect(retryDelayMs({ 'x-ratelimit-reset-requests': '2s', 'x-ratelimit-reset-tokens': '250ms' }, now, 429)).toBe(250)
    expect(retryDelayMs({ 'x-ratelimit-reset-requests': '2s' }, now, 200)).toBeUndefined()
    expect(retryDelayMs({ 'x-ratelimit-reset': String(now + 5_000), 'x-ratelimit-remaining': '0' }, now)).toBe(5_000)
    expect(parseDuration('1h2m3.5s')).toBe(3_723_500)
    expect(parseDuration('20ms')).toBe(20)
    expect(parseDuration('bogus')).toBeUndefined()
  })
})

describe('error as the first SSE event', () => {
  it('waits for a complete first event, skipping comments', () => {
    expect(inspectFirstSseEvent('')).toEqual({ state: 'incomplete' })
    expect(inspectFirstSseEvent('data: {"id":"1","choices":[]')).toEqual({ state: 'incomplete' })
    expect(inspectFirstSseEvent(': keep-alive\n\ndata: {"id":"1","choices":[{"delta":{}}]}\n\n')).toEqual({ state: 'ok' })
    expect(inspectFirstSseEvent('event: message_start\r\ndata: {"type":"message_start"}\r\n\r\n')).toEqual({ state: 'ok' })
  })

  it('reads the first event with CR-only line ends, a CRLF cut after its CR, and after a BOM', () => {
    const anthropic = 'event: error\rdata: {"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}\r\r'
    expect(inspectFirstSseEvent(anthropic)).toEqual({ state: 'error', status: 529, message: 'Overloaded' })
    expect(inspectFirstSseEvent(': ping\r\rdata: {"id":"1","choices":[]}\r\r')).toEqual({ state: 'ok' })
    // `data: x\r` then `\n`: one line end, the event is not over yet.
    expect(inspectFirstSseEvent('data: {"error":{"message":"m","code":400}}\r')).toEqual({ state: 'incomplete' })
    expect(inspectFirstSseEvent('data: {"error":{"message":"m","code":400}}\r\n')).toEqual({ state: 'incomplete' })
    expect(inspectFirstSseEvent('\ufeffdata: {"error":{"message":"m","code":400}}\n\n')).toEqual({ state: 'error', status: 400, message: 'm' })
  })

  it('recognises OpenAI/vLLM and Anthropic error events and their status class', () => {
    const vllm = 'data: {"error":{"object":"error","message":"engine dead","type":"InternalServerError","code":500}}\n\n'
    expect(inspectFirstSseEvent(vllm)).toEqual({ state: 'error', status: 500, message: 'engine dead' })
    const tooLong = 'data: {"error":{"message":"context length exceeded","type":"BadRequestError","code":400}}\n\n'
    expect(inspectFirstSseEvent(tooLong)).toMatchObject({ state: 'error', status: 400 })
    const anthropic = 'event: error\ndata: {"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}\n\n'
    const v = inspectFirstSseEvent(anthropic)
    expect(v).toEqual({ state: 'error', status: 529, message: 'Overloaded' })
    expect(firstEventOutcome(v as Extract<typeof v, { state: 'error' }>)).toEqual({ outcome: 'busy', status: 529 })
  })
})
