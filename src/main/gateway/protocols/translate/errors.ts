// Error bodies across protocols: Anthropic's `{"type":"error","error":{type,message}}` and
// OpenAI's `{"error":{message,type,code,param}}`, from a status, from each other, and from the
// looser shapes local servers send (Ollama `{"error":"..."}`, vLLM `{"object":"error",...}`,
// FastAPI `{"detail":...}`).
import { openAIErrorType } from '../../errors'
import { anthropicSse, openAISse } from './sse'
import type { AnthropicErrorBody, OpenAIErrorBody } from './types'

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

/** OpenAI clients do not know 529; it is "service unavailable" to them. */
export function openAIClientStatus(status: number): number {
  return status === 529 ? 503 : status
}

interface Extracted {
  message: string
  type?: string
  code?: string | number | null
  param?: string | null
}

/** Pulls message/type/code out of any error body shape we know; undefined when nothing usable. */
export function extractUpstreamError(body: unknown): Extracted | undefined {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return undefined
  const obj = body as Record<string, unknown>
  const error = obj.error
  if (typeof error === 'object' && error !== null) {
    const e = error as Record<string, unknown>
    if (typeof e.message === 'string') {
      return {
        message: e.message,
        type: typeof e.type === 'string' ? e.type : undefined,
        code: typeof e.code === 'string' || typeof e.code === 'number' ? e.code : null,
        param: typeof e.param === 'string' ? e.param : null,
      }
    }
  }
  if (typeof error === 'string') return { message: error }
  if (typeof obj.message === 'string') return { message: obj.message, type: typeof obj.type === 'string' && obj.type !== 'error' ? obj.type : undefined }
  if (obj.detail !== undefined) return { message: typeof obj.detail === 'string' ? obj.detail : JSON.stringify(obj.detail).slice(0, 2000) }
  return undefined
}

function parseBody(body: unknown): unknown {
  if (typeof body === 'string' || body instanceof Uint8Array) {
    try {
      return JSON.parse(typeof body === 'string' ? body : Buffer.from(body).toString('utf8'))
    } catch {
      return undefined
    }
  }
  return body
}

/** Any upstream error body (or none) -> Anthropic's shape. `status` undefined means "mid-stream". */
export function toAnthropicErrorBody(body: unknown, status?: number): AnthropicErrorBody {
  const e = extractUpstreamError(parseBody(body))
  const type = e?.type && ANTHROPIC_ERROR_TYPES.has(e.type) ? e.type : anthropicErrorType(status ?? 500)
  return { type: 'error', error: { type, message: e?.message ?? (status ? `upstream answered ${status}` : 'upstream stream failed') } }
}

/** Any upstream error body (or none) -> OpenAI's shape; Anthropic's type is kept as `code`. */
export function toOpenAIErrorBody(body: unknown, status?: number): OpenAIErrorBody {
  const e = extractUpstreamError(parseBody(body))
  const clientStatus = openAIClientStatus(status ?? 500)
  const isAnthropicType = e?.type !== undefined && ANTHROPIC_ERROR_TYPES.has(e.type)
  return {
    error: {
      message: e?.message ?? (status ? `upstream answered ${status}` : 'upstream stream failed'),
      type: isAnthropicType || e?.type === undefined ? openAIErrorType(clientStatus) : e.type,
      code: e?.code ?? (isAnthropicType ? e!.type! : null),
      param: e?.param ?? null,
    },
  }
}

export function anthropicErrorEvent(body: AnthropicErrorBody): string {
  return anthropicSse(body)
}

/** OpenAI streams signal failure with an error payload and no `[DONE]`. */
export function openAIErrorEvent(body: OpenAIErrorBody): string {
  return openAISse(body)
}
