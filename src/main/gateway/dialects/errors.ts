// Reading an upstream's error, whatever its shape: OpenAI's `{"error":{message,type,code,param}}`,
// Anthropic's `{"type":"error","error":{type,message}}`, and the looser shapes local servers send
// (Ollama `{"error":"..."}`, vLLM `{"object":"error","message":...}`, FastAPI `{"detail":...}`).
// Each codec renders the result in its own dialect (codec.errorBody).
import type { ErrorInfo } from './canonical'
import { isRecord } from './json'

/** Pulls message/type/code out of any error body shape we know; undefined when nothing usable. */
export function extractUpstreamError(body: unknown): ErrorInfo | undefined {
  if (!isRecord(body)) return undefined
  const error = body.error
  if (isRecord(error) && typeof error.message === 'string') {
    return {
      message: error.message,
      type: typeof error.type === 'string' ? error.type : undefined,
      code: typeof error.code === 'string' || typeof error.code === 'number' ? error.code : null,
      param: typeof error.param === 'string' ? error.param : null,
    }
  }
  if (typeof error === 'string') return { message: error }
  if (typeof body.message === 'string') return { message: body.message, type: typeof body.type === 'string' && body.type !== 'error' ? body.type : undefined }
  if (body.detail !== undefined) return { message: typeof body.detail === 'string' ? body.detail : JSON.stringify(body.detail).slice(0, 2000) }
  return undefined
}

/** An error body as bytes, text or parsed JSON -> its parsed form (undefined when not JSON). */
export function parseErrorBody(body: unknown): unknown {
  if (typeof body === 'string' || body instanceof Uint8Array) {
    try {
      return JSON.parse(typeof body === 'string' ? body : Buffer.from(body).toString('utf8'))
    } catch {
      return undefined
    }
  }
  return body
}

/** The message a client sees when the upstream gave none: its status, or that the stream broke. */
export function fallbackErrorMessage(status: number | undefined): string {
  return status ? `upstream answered ${status}` : 'upstream stream failed'
}

export const STREAM_NOT_JSON: ErrorInfo = { message: 'the upstream sent a stream event that is not JSON' }
export const STREAM_CUT_SHORT: ErrorInfo = { message: 'the upstream ended the stream before the answer was complete' }
