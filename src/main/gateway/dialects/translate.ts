// A translation between two dialects is decode(one) -> encode(other): requests go client ->
// upstream, answers and streams upstream -> client. Every pair goes through the canonical model;
// no code knows a pair.
import type { CanonicalRequest } from './canonical'
import type { Dialect, EncodeRequestOptions, RequestTarget, ResponseContext } from './codec'
import { parseErrorBody, extractUpstreamError } from './errors'
import { codecFor } from './registry'
import { joinStream, type StreamTranslator } from './streamBase'

export interface TranslatedRequest {
  /** The client's request in canonical form (the response side reads stop sequences, tools, … from it). */
  request: CanonicalRequest
  /** Path under the upstream's API base. */
  path: string
  body: object
}

/**
 * A client body in `from` -> the upstream body in `to`. `target` is what the client's URL said
 * (Gemini: model and streaming). Throws GatewayError 400 for what cannot be expressed.
 */
export function translateRequest(from: Dialect, to: Dialect, body: unknown, options: EncodeRequestOptions = {}, target?: RequestTarget): TranslatedRequest {
  const request = codecFor(from).decodeRequest(body, target)
  const encoded = codecFor(to).encodeRequest(request, options)
  return { request, path: encoded.path, body: encoded.body }
}

/** A complete upstream answer in `from` -> the client's body in `to`. Throws GatewayError 502 on garbage. */
export function translateResponse(from: Dialect, to: Dialect, body: unknown, context: ResponseContext): object {
  return codecFor(to).encodeResponse(codecFor(from).decodeResponse(body, context), context)
}

/** Upstream stream bytes in `from` -> client stream text in `to`, one instance per stream. */
export function translateStream(from: Dialect, to: Dialect, context: ResponseContext): StreamTranslator {
  return joinStream(codecFor(from).streamDecoder(context), codecFor(to).streamEncoder(context))
}

/** An upstream error body of any shape (bytes, text or JSON) -> status and body in the client's dialect. */
export function translateError(to: Dialect, body: unknown, status?: number): { status: number; body: object } {
  return codecFor(to).errorBody(extractUpstreamError(parseErrorBody(body)), status)
}
