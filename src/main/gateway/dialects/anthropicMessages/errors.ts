// Error bodies for Anthropic clients: `{"type":"error","error":{type,message}}`, the type chosen
// from the status unless the upstream already gave one Anthropic documents.
import type { ErrorInfo } from '../canonical'
import { fallbackErrorMessage } from '../errors'
import type { AnthropicErrorBody } from './wire'

/** Anthropic's documented error types (docs "Errors": HTTP errors). */
export const ANTHROPIC_ERROR_TYPES = new Set([
  'invalid_request_error',
  'authentication_error',
  'billing_error',
  'permission_error',
  'not_found_error',
  'request_too_large',
  'rate_limit_error',
  'api_error',
  'timeout_error',
  'overloaded_error',
])

/**
 * Status -> Anthropic error type. 503 (queue full, paused, shutting down) and 529 mean "try again
 * shortly", which is what `overloaded_error` tells Anthropic clients; 504 (first-byte or idle
 * timeout) is Anthropic's documented `timeout_error`; 502 and other 5xx are upstream failures
 * (`api_error`). The HTTP status itself is kept: the SDKs retry 408/409/429/5xx alike.
 */
export function anthropicErrorType(status: number): string {
  switch (status) {
    case 400:
      return 'invalid_request_error'
    case 401:
      return 'authentication_error'
    case 402:
      return 'billing_error'
    case 403:
      return 'permission_error'
    case 404:
      return 'not_found_error'
    case 413:
      return 'request_too_large'
    case 429:
      return 'rate_limit_error'
    case 503:
    case 529:
      return 'overloaded_error'
    case 504:
      return 'timeout_error'
    default:
      return status >= 500 ? 'api_error' : 'invalid_request_error'
  }
}

/** `status` undefined means "mid-stream". */
export function anthropicErrorOf(e: ErrorInfo | undefined, status?: number): AnthropicErrorBody {
  const type = e?.type && ANTHROPIC_ERROR_TYPES.has(e.type) ? e.type : anthropicErrorType(status ?? 500)
  return { type: 'error', error: { type, message: e?.message ?? fallbackErrorMessage(status) } }
}
