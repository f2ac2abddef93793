// What happened to one upstream attempt, in words every policy (failover, circuit breaker,
// latency tracking, the request log) agrees on.

export type AttemptOutcome =
  | 'success'
  /** Refused, unresolvable, unreachable, or connect timeout: nothing was sent. */
  | 'connect_error'
  /** The connection broke before a status arrived. */
  | 'reset'
  /** No first byte within the provider's first-byte timeout. */
  | 'timeout'
  /** 429, 503, 529: alive but full. */
  | 'busy'
  /** Any other non-2xx status (see `status`). */
  | 'http_error'
  /** HTTP 200 whose first SSE event was an error. */
  | 'stream_error'
  /** A body or content type that is not what the protocol promises. */
  | 'bad_response'
  /** The caller went away; says nothing about the provider. */
  | 'client_aborted'
  /** Switchyard itself failed to relay the answer; says nothing about the provider either. */
  | 'internal_error'

/** One attempt of a request, kept so the request log can show the path taken. */
export interface AttemptRecord {
  providerId: string
  model: string
  outcome: AttemptOutcome
  status?: number
  errorCode?: string
  /** From dispatch to the verdict (first byte for successes). */
  latencyMs: number
  /** Epoch ms. */
  startedAt: number
  /** Cooldown the provider asked for (Retry-After and friends), when it did. */
  retryAfterMs?: number
  message?: string
}

/** What an attempt tells the circuit breaker. */
export type HealthSignal = 'success' | 'failure' | 'busy' | 'neutral'

export const BUSY_STATUSES: ReadonlySet<number> = new Set([429, 503, 529])

export function outcomeFromStatus(status: number): AttemptOutcome {
  if (status >= 200 && status < 400) return 'success'
  if (BUSY_STATUSES.has(status)) return 'busy'
  return 'http_error'
}

/** A client error: the same request would fail anywhere (408 and 409 are transient, 429 is busy). */
export function isClientError(status: number | undefined): boolean {
  return status !== undefined && status >= 400 && status < 500 && status !== 408 && status !== 409 && status !== 429
}

export function healthSignal(outcome: AttemptOutcome, status?: number): HealthSignal {
  switch (outcome) {
    case 'success':
      return 'success'
    case 'busy':
      return 'busy'
    case 'client_aborted':
    case 'internal_error':
      return 'neutral'
    case 'http_error':
    case 'stream_error':
      // A 4xx (or an error event that carries one) proves the backend is up; it is the request.
      return status !== undefined && status < 500 ? 'neutral' : 'failure'
    default:
      return 'failure'
  }
}

const CONNECT_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'EADDRNOTAVAIL', 'UND_ERR_CONNECT_TIMEOUT'])
const RESET_CODES = new Set(['ECONNRESET', 'EPIPE', 'ECONNABORTED', 'UND_ERR_SOCKET', 'UND_ERR_CLOSED', 'UND_ERR_DESTROYED'])
const TIMEOUT_CODES = new Set(['UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT', 'ETIMEDOUT'])

/** Classifies a transport error (undici or node:net) by its code or its cause's code. */
export function outcomeFromError(err: unknown): AttemptOutcome {
  const e = err as { code?: string; cause?: { code?: string }; name?: string }
  for (const code of [e?.code, e?.cause?.code]) {
    if (!code) continue
    if (CONNECT_CODES.has(code)) return 'connect_error'
    if (RESET_CODES.has(code)) return 'reset'
    if (TIMEOUT_CODES.has(code)) return 'timeout'
  }
  if (e?.name === 'TimeoutError') return 'timeout'
  return 'reset'
}

/** Maps the gateway's forward outcome codes (forward.ts `onDone`) to an attempt outcome. */
export function outcomeFromGatewayCode(errorCode: string | undefined, status: number): AttemptOutcome {
  switch (errorCode) {
    case undefined:
      return outcomeFromStatus(status)
    case 'client_aborted':
      return 'client_aborted'
    case 'internal_error':
      return 'internal_error'
    case 'upstream_unreachable':
      return 'connect_error'
    case 'upstream_timeout':
      return 'timeout'
    case 'upstream_bad_response':
    case 'upstream_truncated':
    case 'incomplete_stream':
      return 'bad_response'
    case 'upstream_error':
      return 'reset'
    default: {
      const m = /^upstream_(\d{3})$/.exec(errorCode)
      if (m) return outcomeFromStatus(Number(m[1]))
      // `upstream_overloaded_error` and friends: an error event inside a 200 stream.
      return errorCode.startsWith('upstream_') ? 'stream_error' : 'bad_response'
    }
  }
}
