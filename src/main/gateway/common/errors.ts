// One coded error for every way a request can fail. Each code owns its HTTP status; the body
// shape is decided per protocol when the error is rendered (server/respond.ts).

export const errorCodes = {
  forbidden_host: 403,
  forbidden_origin: 403,
  unauthorized: 401,
  not_found: 404,
  method_not_allowed: 405,
  model_not_found: 404,
  unsupported_media_type: 415,
  invalid_json: 400,
  invalid_request: 400,
  body_too_large: 413,
  rate_limited: 429,
  queue_full: 503,
  gateway_paused: 503,
  shutting_down: 503,
  upstream_unreachable: 502,
  upstream_bad_response: 502,
  upstream_timeout: 504,
  upstream_error: 502,
  internal_error: 500,
} as const

export type ErrorCode = keyof typeof errorCodes

export class GatewayError extends Error {
  readonly code: ErrorCode
  readonly status: number
  /** Seconds the caller should wait before retrying (429/503). */
  readonly retryAfterSec?: number
  readonly param?: string

  constructor(code: ErrorCode, message: string, opts: { retryAfterSec?: number; param?: string; status?: number } = {}) {
    super(message)
    this.name = 'GatewayError'
    this.code = code
    this.status = opts.status ?? errorCodes[code]
    this.retryAfterSec = opts.retryAfterSec
    this.param = opts.param
  }
}

/** OpenAI's `error.type` for a status: clients branch on it. */
export function openAIErrorType(status: number): string {
  if (status === 401) return 'authentication_error'
  if (status === 403) return 'permission_error'
  if (status === 404) return 'not_found_error'
  if (status === 429) return 'rate_limit_error'
  if (status >= 500) return 'api_error'
  return 'invalid_request_error'
}

export function toGatewayError(err: unknown): GatewayError {
  if (err instanceof GatewayError) return err
  return new GatewayError('internal_error', 'internal error in the gateway')
}
