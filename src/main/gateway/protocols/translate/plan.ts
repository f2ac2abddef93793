// The translate-or-passthrough decision and the per-request glue around the pure mappers: what
// forwarding sends upstream, and how it turns the upstream answer (JSON, SSE or error) into the
// client's protocol.
//
//   client protocol | provider kind                       | translation           | upstream path
//   ----------------+-------------------------------------+-----------------------+------------------------
//   openai          | openai-compatible, vllm, ollama     | passthrough           | /chat/completions (as today)
//   openai          | anthropic                           | openai-to-anthropic   | /v1/messages
//   anthropic       | anthropic                           | passthrough           | /v1/messages (bytes untouched)
//   anthropic       | openai-compatible, vllm, ollama     | anthropic-to-openai   | /chat/completions
//
// /v1/completions and /v1/embeddings have no Anthropic counterpart (unsupportedOnAnthropic).
import type { ProviderKind } from '../../../../shared/config'
import { GatewayError } from '../../errors'
import { openAIClientStatus, toAnthropicErrorBody, toOpenAIErrorBody } from './errors'
import { openAIToAnthropicRequest, type ToAnthropicOptions } from './requestToAnthropic'
import { anthropicToOpenAIRequest, type ToOpenAIOptions } from './requestToOpenAI'
import { anthropicToOpenAIResponse, openAIToAnthropicResponse } from './responses'
import { anthropicStreamToOpenAI, openAIStreamToAnthropic, type StreamTranslator } from './streamTranslator'
import type { AnthropicRequest, OpenAIRequest } from './types'

export type ClientProtocol = 'openai' | 'anthropic'
/** Named after the request's direction: client protocol -> upstream protocol. */
export type Translation = 'passthrough' | 'anthropic-to-openai' | 'openai-to-anthropic'

export function upstreamProtocol(kind: ProviderKind): ClientProtocol {
  return kind === 'anthropic' ? 'anthropic' : 'openai'
}

export function chooseTranslation(client: ClientProtocol, kind: ProviderKind): Translation {
  const upstream = upstreamProtocol(kind)
  if (client === upstream) return 'passthrough'
  return client === 'anthropic' ? 'anthropic-to-openai' : 'openai-to-anthropic'
}

export function unsupportedOnAnthropic(endpoint: string, providerId: string): GatewayError {
  return new GatewayError('invalid_request', `provider "${providerId}" speaks the Anthropic Messages API, which has no ${endpoint} endpoint`)
}

/** What the response side needs to remember about the client's request. */
export interface ClientRequestInfo {
  /** The model name the client asked for (reported back in every response). */
  model: string
  stream: boolean
  /** OpenAI clients only: whether they asked for the final usage chunk. */
  includeUsage: boolean
  stopSequences?: string[]
}

export interface PreparedRequest {
  /** Path under the upstream API root: `/chat/completions` (OpenAI base) or `/v1/messages` (Anthropic root). */
  path: '/chat/completions' | '/v1/messages'
  body: Buffer
  client: ClientRequestInfo
}

export type PrepareOptions = ToOpenAIOptions & ToAnthropicOptions & { upstreamModel: string }

/** Translates a parsed client body for the upstream. Throws GatewayError(400) for what cannot be expressed. */
export function prepareTranslatedRequest(translation: Exclude<Translation, 'passthrough'>, body: Record<string, unknown>, opts: PrepareOptions): PreparedRequest {
  if (typeof body.model !== 'string' || body.model === '') throw new GatewayError('invalid_request', '"model" is required and must be a string', { param: 'model' })
  const stream = body.stream === true
  if (translation === 'anthropic-to-openai') {
    const req = body as AnthropicRequest
    const upstream = anthropicToOpenAIRequest(req, opts)
    const stopSequences = Array.isArray(req.stop_sequences) ? req.stop_sequences : undefined
    return { path: '/chat/completions', body: Buffer.from(JSON.stringify(upstream)), client: { model: req.model, stream, includeUsage: false, stopSequences } }
  }
  const req = body as OpenAIRequest
  const upstream = openAIToAnthropicRequest(req, opts)
  const includeUsage = req.stream_options?.include_usage === true
  return { path: '/v1/messages', body: Buffer.from(JSON.stringify(upstream)), client: { model: req.model, stream, includeUsage } }
}

/** A stream translator for this request's upstream SSE. */
export function createStreamTranslator(
  translation: Exclude<Translation, 'passthrough'>,
  client: ClientRequestInfo,
  extra: { inputTokens?: number; messageId?: string; created?: number } = {},
): StreamTranslator {
  if (translation === 'anthropic-to-openai') {
    return openAIStreamToAnthropic({ model: client.model, stopSequences: client.stopSequences, inputTokens: extra.inputTokens, messageId: extra.messageId })
  }
  return anthropicStreamToOpenAI({ model: client.model, includeUsage: client.includeUsage, created: extra.created })
}

/** A complete (non-streamed) upstream JSON body -> the client's protocol. Throws upstream_bad_response on garbage. */
export function translateResponseBody(translation: Exclude<Translation, 'passthrough'>, upstreamBody: Buffer, client: ClientRequestInfo): Buffer {
  let parsed: unknown
  try {
    parsed = JSON.parse(upstreamBody.toString('utf8'))
  } catch {
    throw new GatewayError('upstream_bad_response', 'the upstream returned a body that is not JSON')
  }
  return translateResponse(translation, parsed, client)
}

/** translateResponseBody for a body already parsed (forwarding parses it once, for metering too). */
export function translateResponse(translation: Exclude<Translation, 'passthrough'>, parsed: unknown, client: ClientRequestInfo): Buffer {
  const out =
    translation === 'anthropic-to-openai'
      ? openAIToAnthropicResponse(parsed, { model: client.model, stopSequences: client.stopSequences })
      : anthropicToOpenAIResponse(parsed, { model: client.model })
  return Buffer.from(JSON.stringify(out))
}

/** An upstream error response (status >= 400, any body) -> status and body in the client's protocol. */
export function translateErrorResponse(client: ClientProtocol, status: number, upstreamBody: Buffer): { status: number; body: Buffer } {
  if (client === 'anthropic') return { status, body: Buffer.from(JSON.stringify(toAnthropicErrorBody(upstreamBody, status))) }
  return { status: openAIClientStatus(status), body: Buffer.from(JSON.stringify(toOpenAIErrorBody(upstreamBody, status))) }
}
