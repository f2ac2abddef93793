// What the gateway itself says to a client, in the client's dialect: an error answer before
// anything was sent, the event that ends a broken stream, and the keep-alive a waiting stream
// gets. The codecs shape what comes from upstreams; these shape Switchyard's own words.
import type { GatewayError } from '../common/errors'
import { openAIErrorBody } from '../common/respond'
import { anthropicErrorBody } from './anthropicMessages/clientErrors'
import type { Dialect } from './codec'
import { geminiErrorBody } from './gemini/errors'
import { ollamaErrorBody } from './ollama/errors'
import { ANTHROPIC_PING, dataSse, namedSse, SSE_COMMENT_KEEPALIVE } from './sse'

/** How the client's stream is framed (Gemini without `alt=sse` gets one JSON array; Ollama NDJSON). */
export type ClientFraming = 'sse' | 'json-array' | 'ndjson'

export function framingOf(dialect: Dialect, opts: { geminiJsonArray?: boolean } = {}): ClientFraming {
  if (dialect === 'ollama') return 'ndjson'
  if (dialect === 'gemini' && opts.geminiJsonArray) return 'json-array'
  return 'sse'
}

/** The body of an error answer (the status is the error's own). */
export function errorBodyFor(dialect: Dialect, err: GatewayError, requestId?: string): object {
  switch (dialect) {
    case 'anthropic-messages':
      return anthropicErrorBody(err, requestId)
    case 'gemini':
      return geminiErrorBody({ message: err.message, code: err.code }, err.status)
    case 'ollama':
      return ollamaErrorBody({ message: err.message }, err.status)
    default:
      return openAIErrorBody(err)
  }
}

/** The event that ends a stream with an error (after its head went out). */
export function streamErrorEvent(dialect: Dialect, err: GatewayError, framing: ClientFraming = 'sse'): string {
  switch (dialect) {
    case 'anthropic-messages':
      return namedSse(anthropicErrorBody(err))
    case 'openai-responses':
      // What the OpenAI SDK and Codex read as a stream failure.
      return namedSse({ type: 'error', code: err.code, message: err.message, param: err.param ?? null })
    case 'gemini': {
      const body = geminiErrorBody({ message: err.message, code: err.code }, err.status)
      return framing === 'json-array' ? `,\r\n${JSON.stringify(body)}]` : dataSse(body)
    }
    case 'ollama':
      return `${JSON.stringify(ollamaErrorBody({ message: err.message }, err.status))}\n`
    default:
      return dataSse(openAIErrorBody(err))
  }
}

/**
 * An upstream error answer (already in the client's dialect) as the last event of a stream whose
 * head went out early (only keep-alives were sent).
 */
export function errorBodyAsEvent(dialect: Dialect, body: string, framing: ClientFraming = 'sse'): string {
  switch (dialect) {
    case 'anthropic-messages':
    case 'openai-responses':
      return `event: error\ndata: ${body}\n\n`
    case 'ollama':
      return `${body.replace(/\n/g, ' ')}\n`
    default:
      return framing === 'json-array' ? `,\r\n${body}]` : `data: ${body}\n\n`
  }
}

/** What keeps a waiting stream alive, or undefined for framings that have nothing neutral to send. */
export function keepAliveFor(dialect: Dialect, framing: ClientFraming = 'sse'): string | undefined {
  if (framing !== 'sse') return undefined // NDJSON and a bare JSON array have no comment form
  // Google's API sends none, and older google-genai SDKs (Gemini CLI's) choke on SSE comments.
  if (dialect === 'gemini') return undefined
  return dialect === 'anthropic-messages' ? ANTHROPIC_PING : SSE_COMMENT_KEEPALIVE
}

/** Anthropic SDKs quote `request-id`; every other client reads `x-request-id`. */
export function requestIdHeaders(dialect: Dialect, requestId: string): string[] {
  return dialect === 'anthropic-messages' ? ['x-request-id', requestId, 'request-id', requestId] : ['x-request-id', requestId]
}
