// Error bodies for Gemini clients: Google's `{"error":{code,message,status}}`, with the canonical
// status string for the HTTP code (google.rpc.Code names). The SDKs and Gemini CLI retry by HTTP
// status (429, 5xx), so the status is kept; 529, unknown to Google's clients, becomes 503.
import type { ErrorInfo } from '../canonical'
import { fallbackErrorMessage } from '../errors'
import type { GeminiErrorBody } from './wire'

const STATUS_NAMES: Record<number, string> = {
  400: 'INVALID_ARGUMENT',
  401: 'UNAUTHENTICATED',
  403: 'PERMISSION_DENIED',
  404: 'NOT_FOUND',
  409: 'ABORTED',
  412: 'FAILED_PRECONDITION',
  413: 'INVALID_ARGUMENT',
  429: 'RESOURCE_EXHAUSTED',
  499: 'CANCELLED',
  500: 'INTERNAL',
  501: 'UNIMPLEMENTED',
  502: 'UNAVAILABLE',
  503: 'UNAVAILABLE',
  504: 'DEADLINE_EXCEEDED',
}

export function geminiClientStatus(status: number): number {
  return status === 529 ? 503 : status
}

export function geminiStatusName(status: number): string {
  return STATUS_NAMES[status] ?? (status >= 500 ? 'INTERNAL' : status >= 400 ? 'FAILED_PRECONDITION' : 'UNKNOWN')
}

/** `status` undefined means "mid-stream", which Google reports as an internal error. */
export function geminiErrorBody(e: ErrorInfo | undefined, status?: number): GeminiErrorBody {
  const code = geminiClientStatus(status ?? 500)
  return { error: { code, message: e?.message ?? fallbackErrorMessage(status), status: geminiStatusName(code) } }
}
