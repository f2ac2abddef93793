// Some backends answer HTTP 200 and then put the failure in the first SSE event (vLLM, OpenAI-
// compatible proxies, Anthropic's `event: error`). Until that first event is seen nothing has
// reached the client, so it can still fail over. This looks at the start of a stream and says
// whether the first real event is complete, and whether it is an error.
import { BUSY_STATUSES } from '../common/attemptOutcome'
import { SseFramer, sseFields, type SseFields } from '../../../shared/sse'

export type FirstEventVerdict =
  | { state: 'incomplete' }
  | { state: 'ok' }
  /** `status` is the HTTP status the error corresponds to (400 for invalid requests, 500 unknown). */
  | { state: 'error'; status: number; message: string }

/** Give up sniffing (treat as ok) when no complete event arrives within this many characters. */
export const MAX_SNIFF_CHARS = 64 * 1024

export function inspectFirstSseEvent(text: string): FirstEventVerdict {
  let first: SseFields | undefined
  // Eager: a first event ending in a lone CR is complete; a LF after it changes nothing.
  new SseFramer({ eager: true }).push(text, (s, start, end) => {
    if (first) return
    const fields = sseFields(s, start, end)
    if (fields.data !== undefined || fields.event) first = fields // else comments only: look at the next event
  })
  if (!first) return text.length > MAX_SNIFF_CHARS ? { state: 'ok' } : { state: 'incomplete' }
  return verdict(first.event ?? '', first.data ?? '')
}

function verdict(event: string, data: string): FirstEventVerdict {
  let parsed: unknown
  try {
    parsed = JSON.parse(data)
  } catch {
    if (event === 'error') return { state: 'error', status: 500, message: data.slice(0, 500) || 'error event' }
    return { state: 'ok' } // e.g. `data: [DONE]`
  }
  const obj = (typeof parsed === 'object' && parsed !== null ? parsed : {}) as Record<string, unknown>
  const isError = event === 'error' || obj.type === 'error' || (obj.error !== undefined && obj.error !== null && obj.choices === undefined)
  if (!isError) return { state: 'ok' }
  const err = (typeof obj.error === 'object' && obj.error !== null ? obj.error : obj) as Record<string, unknown>
  const message = typeof err.message === 'string' ? err.message : typeof obj.error === 'string' ? obj.error : 'error event'
  return { state: 'error', status: statusOf(err), message }
}

const TYPE_STATUS: Record<string, number> = {
  invalid_request_error: 400,
  BadRequestError: 400,
  authentication_error: 401,
  permission_error: 403,
  not_found_error: 404,
  request_too_large: 413,
  rate_limit_error: 429,
  api_error: 500,
  overloaded_error: 529,
}

function statusOf(err: Record<string, unknown>): number {
  const code = typeof err.code === 'number' ? err.code : typeof err.code === 'string' && /^\d{3}$/.test(err.code) ? Number(err.code) : undefined
  if (code !== undefined && code >= 400 && code < 600) return code
  if (typeof err.status === 'number' && err.status >= 400 && err.status < 600) return err.status
  return typeof err.type === 'string' ? (TYPE_STATUS[err.type] ?? 500) : 500
}

/** The attempt outcome of an error-as-first-event: overloaded/rate-limit events are "busy". */
export function firstEventOutcome(v: Extract<FirstEventVerdict, { state: 'error' }>): { outcome: 'busy' | 'stream_error'; status: number } {
  return { outcome: BUSY_STATUSES.has(v.status) ? 'busy' : 'stream_error', status: v.status }
}
