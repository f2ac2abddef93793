// The translate-or-passthrough decision and the per-request glue around the dialect codecs
// (dialects/): what forwarding sends upstream, and how it turns the upstream answer (JSON, SSE or
// error) into the client's dialect. A translation is a (client dialect, upstream dialect) pair;
// passthrough means the backend speaks the client's dialect and the bytes go through.
//
// Which dialects a backend speaks is its provider kind's business (providers/kinds/*: each adapter
// lists them in priority order); here a translation is chosen from that list alone:
//
//   client dialect is one the backend speaks  -> passthrough (the client's bytes, its path)
//   otherwise                                 -> client dialect -> the backend's first dialect
//
// so an Anthropic client reaches an OpenAI-chat backend translated, and reaches Anthropic (or a
// vLLM configured to serve /v1/messages) untouched. /v1/completions and /v1/embeddings have no
// counterpart in the other dialects (unsupportedUpstream).
import { randomUUID } from 'node:crypto'
import {
  customToolNames,
  responsesEcho,
  translateError,
  translateRequest,
  translateResponse as translateBody,
  translateStream,
  type Dialect,
  type EncodeRequestOptions,
  type RequestTarget,
  type ResponseContext,
  type StreamTranslator,
} from '.'
import { GatewayError } from '../common/errors'

export type { Dialect, StreamTranslator }

/** The ingress families of today's listeners (error shapes, keep-alives, request ids). */
export type ClientProtocol = 'openai' | 'anthropic'

export interface TranslationPair {
  readonly client: Dialect
  readonly upstream: Dialect
}
export type Translation = 'passthrough' | TranslationPair

export function dialectOf(protocol: ClientProtocol | Dialect): Dialect {
  if (protocol === 'openai') return 'openai-chat'
  if (protocol === 'anthropic') return 'anthropic-messages'
  return protocol
}

/**
 * Passthrough when the backend speaks the client's dialect, else a translation into the first
 * dialect it speaks. `speaks`: the backend's native dialects in priority order (never empty).
 */
export function chooseTranslation(client: ClientProtocol | Dialect, speaks: readonly Dialect[]): Translation {
  const from = dialectOf(client)
  return speaks.includes(from) ? 'passthrough' : { client: from, upstream: speaks[0]! }
}

const SHORT_NAMES: Record<Dialect, string> = { 'openai-chat': 'openai', 'anthropic-messages': 'anthropic', 'openai-responses': 'responses', gemini: 'gemini', ollama: 'ollama' }

/** A stable name for logs and metrics: `passthrough`, `anthropic-to-openai`, `responses-to-anthropic`, … */
export function translationLabel(t: Translation): string {
  return t === 'passthrough' ? t : `${SHORT_NAMES[t.client]}-to-${SHORT_NAMES[t.upstream]}`
}

const DIALECT_NAMES: Record<Dialect, string> = {
  'openai-chat': 'the OpenAI Chat API',
  'anthropic-messages': 'the Anthropic Messages API',
  'openai-responses': 'the OpenAI Responses API',
  gemini: 'the Gemini API',
  ollama: "Ollama's API",
}

/** A client endpoint the upstream's dialect has no counterpart for. */
export function unsupportedUpstream(endpoint: string, providerId: string, upstream: Dialect): GatewayError {
  return new GatewayError('invalid_request', `provider "${providerId}" speaks ${DIALECT_NAMES[upstream]}, which has no ${endpoint} endpoint`)
}

/** What the response side needs to remember about the client's request. */
export interface ClientRequestInfo {
  /** The model name the client asked for (reported back in every response). */
  model: string
  stream: boolean
  /** Chat clients only: whether they asked for the final usage chunk. */
  includeUsage: boolean
  stopSequences?: string[]
  /** Custom (freeform) tools the client declared: their calls go back as custom calls. */
  customTools?: string[]
  /** Responses clients: the request fields their response object echoes. */
  echo?: Record<string, unknown>
  /** Responses clients: the id their response gets (unique per request; the store keys on it). */
  responseId?: string
  /** Gemini clients that streamed without `alt=sse` get one JSON array. */
  geminiJsonArray?: boolean
  /** Ollama `/api/generate` clients get `response` instead of `message`. */
  ollamaGenerate?: boolean
}

export interface PreparedRequest {
  /** Path under the upstream API base: `/chat/completions` (OpenAI base), `/v1/messages` (Anthropic root), `/responses`. */
  path: string
  body: Buffer
  client: ClientRequestInfo
}

export type PrepareOptions = EncodeRequestOptions & { upstreamModel: string }

/** Translates a parsed client body for the upstream. Throws GatewayError(400) for what cannot be expressed. */
export function prepareTranslatedRequest(
  translation: TranslationPair,
  body: Record<string, unknown>,
  opts: PrepareOptions,
  target?: RequestTarget,
  flags: Pick<ClientRequestInfo, 'geminiJsonArray' | 'ollamaGenerate'> = {},
): PreparedRequest {
  const { request, path, body: upstream } = translateRequest(translation.client, translation.upstream, body, opts, target)
  const options = body.stream_options as { include_usage?: unknown } | null | undefined
  const client: ClientRequestInfo = {
    model: request.model,
    stream: request.stream,
    includeUsage: translation.client === 'openai-chat' && options?.include_usage === true,
  }
  if (request.sampling.stopSequences) client.stopSequences = request.sampling.stopSequences
  const customTools = customToolNames(request.tools)
  if (customTools) client.customTools = customTools
  if (translation.client === 'openai-responses') {
    client.echo = responsesEcho(request)
    client.responseId = `resp_${randomUUID().replace(/-/g, '')}`
  }
  if (flags.geminiJsonArray) client.geminiJsonArray = true
  if (flags.ollamaGenerate) client.ollamaGenerate = true
  return { path, body: Buffer.from(JSON.stringify(upstream)), client }
}

function responseContext(client: ClientRequestInfo, extra: { inputTokens?: number; messageId?: string; created?: number } = {}): ResponseContext {
  return {
    ...extra,
    messageId: extra.messageId ?? client.responseId,
    model: client.model,
    stopSequences: client.stopSequences,
    includeUsage: client.includeUsage,
    customTools: client.customTools,
    echo: client.echo,
    geminiJsonArray: client.geminiJsonArray,
    ollamaGenerate: client.ollamaGenerate,
  }
}

/** A stream translator for this request's upstream SSE. */
export function createStreamTranslator(
  translation: TranslationPair,
  client: ClientRequestInfo,
  extra: { inputTokens?: number; messageId?: string; created?: number } = {},
): StreamTranslator {
  return translateStream(translation.upstream, translation.client, responseContext(client, extra))
}

/** A complete (non-streamed) upstream JSON body -> the client's dialect. Throws upstream_bad_response on garbage. */
export function translateResponseBody(translation: TranslationPair, upstreamBody: Buffer, client: ClientRequestInfo): Buffer {
  let parsed: unknown
  try {
    parsed = JSON.parse(upstreamBody.toString('utf8'))
  } catch {
    throw new GatewayError('upstream_bad_response', 'the upstream returned a body that is not JSON')
  }
  return translateResponse(translation, parsed, client)
}

/** translateResponseBody for a body already parsed (forwarding parses it once, for metering too). */
export function translateResponse(translation: TranslationPair, parsed: unknown, client: ClientRequestInfo): Buffer {
  return Buffer.from(JSON.stringify(translateBody(translation.upstream, translation.client, parsed, responseContext(client))))
}

/** An upstream error response (status >= 400, any body) -> status and body in the client's dialect. */
export function translateErrorResponse(client: ClientProtocol | Dialect, status: number, upstreamBody: Buffer): { status: number; body: Buffer } {
  const out = translateError(dialectOf(client), upstreamBody, status)
  return { status: out.status, body: Buffer.from(JSON.stringify(out.body)) }
}
