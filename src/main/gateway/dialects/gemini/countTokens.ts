// `:countTokens`, both ways. A client's body is `{contents}` or `{generateContentRequest}` (the
// whole request, so system instruction and tools count too); the answer is `{totalTokens}`.
// Clients of other dialects counting against a Gemini upstream send the whole request.
import type { CanonicalRequest } from '../canonical'
import type { EncodedRequest } from '../codec'
import { badUpstream, count, invalidRequest, isRecord } from '../json'
import { decodeGeminiRequest } from './decodeRequest'
import { encodeGeminiRequest } from './encodeRequest'
import { geminiPath, modelResource } from './paths'

/** A countTokens body -> the canonical request whose tokens are counted (for a local estimate or another dialect's counter). */
export function decodeGeminiCountTokens(body: unknown, model: string): CanonicalRequest {
  if (!isRecord(body)) throw invalidRequest('the request body must be a JSON object')
  if (isRecord(body.generateContentRequest)) return decodeGeminiRequest(body.generateContentRequest, { model, stream: false })
  return decodeGeminiRequest({ contents: body.contents ?? [] }, { model, stream: false })
}

export function geminiCountTokensResponse(totalTokens: number): { totalTokens: number } {
  return { totalTokens }
}

/** A canonical request -> the countTokens call that counts it on a Gemini upstream. */
export function encodeGeminiCountTokens(req: CanonicalRequest, upstreamModel: string): EncodedRequest {
  const { body } = encodeGeminiRequest({ ...req, stream: false }, { upstreamModel })
  return { path: geminiPath(upstreamModel, 'countTokens'), body: { generateContentRequest: { model: modelResource(upstreamModel), ...body } } }
}

/** A Gemini countTokens answer -> its count. Throws GatewayError 502 on garbage. */
export function decodeGeminiCountTokensResponse(body: unknown): number {
  if (!isRecord(body) || typeof body.totalTokens !== 'number') throw badUpstream('Gemini countTokens answer')
  return count(body.totalTokens)
}
