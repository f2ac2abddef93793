// `:embedContent` and `:batchEmbedContents` <-> OpenAI embeddings (`{model, input}` ->
// `{data: [{embedding}]}`), the form every other embedding backend speaks. Only text embeds:
// a content's text parts join with newlines. Gemini's task types and titles have no OpenAI
// counterpart and stay behind; `outputDimensionality` is OpenAI's `dimensions`.
import type { EncodedRequest } from '../codec'
import { openAIEmbeddingsResponse, vectorsOf, type OpenAIEmbeddingsRequest, type OpenAIEmbeddingsResponse } from '../embeddings'
import { badUpstream, invalidRequest, isRecord, records } from '../json'
import { geminiPath, modelResource } from './paths'

export type GeminiEmbedMethod = 'embedContent' | 'batchEmbedContents'

function textOfContent(content: unknown, param: string): string {
  if (!isRecord(content)) throw invalidRequest(`${param} must be a content object`, param)
  return records(content.parts)
    .flatMap((p) => (typeof p.text === 'string' ? [p.text] : []))
    .join('\n')
}

/** A Gemini embed body -> the OpenAI embeddings request for the same texts (one string for embedContent, a list for a batch). */
export function geminiEmbedToOpenAI(method: GeminiEmbedMethod, body: unknown, model: string): OpenAIEmbeddingsRequest {
  if (!isRecord(body)) throw invalidRequest('the request body must be a JSON object')
  const requests = method === 'embedContent' ? [body] : records(body.requests)
  if (method === 'batchEmbedContents' && !Array.isArray(body.requests)) throw invalidRequest('"requests" must be an array', 'requests')
  const texts = requests.map((r, i) => textOfContent(r.content, method === 'embedContent' ? 'content' : `requests[${i}].content`))
  const out: OpenAIEmbeddingsRequest = { model, input: method === 'embedContent' ? texts[0]! : texts }
  const dimensions = requests[0]?.outputDimensionality
  if (typeof dimensions === 'number') out.dimensions = dimensions
  return out
}

/** An OpenAI embeddings answer -> the Gemini answer to `method`. Throws GatewayError 502 on garbage. */
export function openAIEmbeddingsToGemini(method: GeminiEmbedMethod, body: unknown): { embedding: { values: number[] } } | { embeddings: Array<{ values: number[] }> } {
  const vectors = vectorsOf(body)
  if (method === 'embedContent') {
    if (vectors.length === 0) throw badUpstream('embeddings answer')
    return { embedding: { values: vectors[0]! } }
  }
  return { embeddings: vectors.map((values) => ({ values })) }
}

/** An OpenAI embeddings request -> one batchEmbedContents call to a Gemini upstream. */
export function openAIEmbeddingsToGeminiRequest(body: unknown, upstreamModel: string): EncodedRequest {
  if (!isRecord(body)) throw invalidRequest('the request body must be a JSON object')
  const input = typeof body.input === 'string' ? [body.input] : Array.isArray(body.input) && body.input.every((s) => typeof s === 'string') ? (body.input as string[]) : undefined
  if (!input) throw invalidRequest('"input" must be a string or an array of strings for this backend', 'input')
  const model = modelResource(upstreamModel)
  const requests = input.map((text) => {
    const r: Record<string, unknown> = { model, content: { parts: [{ text }] } }
    if (typeof body.dimensions === 'number') r.outputDimensionality = body.dimensions
    return r
  })
  return { path: geminiPath(upstreamModel, 'batchEmbedContents'), body: { requests } }
}

/** A Gemini batchEmbedContents (or embedContent) answer -> an OpenAI embeddings answer. Gemini reports no token count here. */
export function geminiEmbeddingsToOpenAI(body: unknown, model: string): OpenAIEmbeddingsResponse {
  if (!isRecord(body)) throw badUpstream('Gemini embeddings answer')
  const list = Array.isArray(body.embeddings) ? records(body.embeddings) : isRecord(body.embedding) ? [body.embedding] : undefined
  if (!list || list.some((e) => !Array.isArray(e.values))) throw badUpstream('Gemini embeddings answer')
  return openAIEmbeddingsResponse(list.map((e) => e.values as number[]), model, 0)
}
