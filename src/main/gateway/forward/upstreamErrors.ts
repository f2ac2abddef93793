// What an upstream failure means for the caller: transport errors become 502, and error bodies
// in any of the shapes local servers use become OpenAI's `{"error":{...}}` with the same status.
import { GatewayError, openAIErrorType } from '../common/errors'
import { extractUpstreamError } from '../dialects/errors'
import { openAIClientStatus } from '../dialects/openaiChat/errors'
import { translateErrorResponse } from '../dialects/translation'
import type { Dialect } from '../dialects/codec'

const UNREACHABLE: Record<string, string> = {
  ECONNREFUSED: 'refused the connection',
  ECONNRESET: 'reset the connection',
  EPIPE: 'closed the connection',
  ENOTFOUND: 'host name could not be resolved',
  EAI_AGAIN: 'host name could not be resolved',
  EHOSTUNREACH: 'host is unreachable',
  ENETUNREACH: 'network is unreachable',
  UND_ERR_CONNECT_TIMEOUT: 'did not accept the connection in time',
  UND_ERR_SOCKET: 'closed the connection',
  UND_ERR_CLOSED: 'connection pool was closed',
  UND_ERR_DESTROYED: 'connection pool was closed',
}

export function classifyUpstreamError(err: Error, providerId: string): GatewayError {
  const code = (err as { code?: string }).code ?? ''
  const cause = (err as { cause?: { code?: string } }).cause?.code ?? ''
  const reason = UNREACHABLE[code] ?? UNREACHABLE[cause]
  if (reason) return new GatewayError('upstream_unreachable', `provider "${providerId}" ${reason}`)
  return new GatewayError('upstream_error', `provider "${providerId}" failed: ${code || err.name}`)
}

/** Returns the error body to send (OpenAI shape), or undefined when the upstream body is not JSON. */
export function normalizeUpstreamError(body: Buffer, status: number): Buffer | undefined {
  let parsed: unknown
  try {
    parsed = JSON.parse(body.toString('utf8'))
  } catch {
    return undefined
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return undefined
  const obj = parsed as Record<string, unknown>
  const error = obj.error
  if (typeof error === 'object' && error !== null && typeof (error as { message?: unknown }).message === 'string') {
    return body // already OpenAI-shaped: pass the bytes through untouched
  }
  // Ollama {"error":"..."}, vLLM {"object":"error","message":...}, FastAPI {"detail":...}
  const message = extractUpstreamError(obj)?.message ?? `upstream answered ${status}`
  const type = typeof obj.type === 'string' ? obj.type : openAIErrorType(status)
  const code = typeof obj.code === 'string' || typeof obj.code === 'number' ? obj.code : null
  return Buffer.from(JSON.stringify({ error: { message, type, code, param: null } }))
}

/**
 * An upstream error body (any dialect's shape) for a client of `dialect`, keeping the status;
 * undefined when the body is not JSON (an HTML error page: the caller answers 502 instead).
 */
export function upstreamErrorForClient(dialect: Dialect, status: number, body: Buffer): { status: number; body: Buffer } | undefined {
  if (dialect === 'openai-chat' || dialect === 'openai-responses') {
    const normalized = normalizeUpstreamError(body, status)
    return normalized && { status: openAIClientStatus(status), body: normalized }
  }
  let parsed: unknown
  try {
    parsed = JSON.parse(body.toString('utf8'))
  } catch {
    return undefined
  }
  if (typeof parsed !== 'object' || parsed === null) return undefined
  if (dialect === 'anthropic-messages' && (parsed as { type?: unknown }).type === 'error') return { status, body } // already Anthropic-shaped
  return translateErrorResponse(dialect, status, body)
}
