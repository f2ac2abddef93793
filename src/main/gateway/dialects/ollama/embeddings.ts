// `/api/embed` and the legacy `/api/embeddings` <-> OpenAI embeddings (`{model, input}` ->
// `{data: [{embedding}], usage}`), the form every other embedding backend speaks. Ollama's counts
// map to usage both ways (`prompt_eval_count` is `prompt_tokens`); load options stay behind.
import type { EncodedRequest } from '../codec'
import { openAIEmbeddingsResponse, vectorsOf, type OpenAIEmbeddingsRequest, type OpenAIEmbeddingsResponse } from '../embeddings'
import { badUpstream, count, invalidRequest, isRecord, requireModel } from '../json'

function inputOf(value: unknown, param: string): string | string[] {
  if (typeof value === 'string') return value
  if (Array.isArray(value) && value.every((s) => typeof s === 'string')) return value as string[]
  throw invalidRequest(`"${param}" must be a string or an array of strings`, param)
}

/** `/api/embed` `{model, input, dimensions?}` -> an OpenAI embeddings request. */
export function ollamaEmbedToOpenAI(body: unknown): OpenAIEmbeddingsRequest {
  const req = requireModel(body)
  const out: OpenAIEmbeddingsRequest = { model: req.model, input: inputOf(req.input, 'input') }
  if (typeof req.dimensions === 'number') out.dimensions = req.dimensions
  return out
}

/** Legacy `/api/embeddings` `{model, prompt}` -> an OpenAI embeddings request for the one text. */
export function ollamaLegacyEmbeddingsToOpenAI(body: unknown): OpenAIEmbeddingsRequest {
  const req = requireModel(body)
  if (typeof req.prompt !== 'string') throw invalidRequest('"prompt" must be a string', 'prompt')
  return { model: req.model, input: req.prompt }
}

/** An OpenAI embeddings answer -> `/api/embed`'s `{model, embeddings, prompt_eval_count}`. */
export function openAIEmbeddingsToOllamaEmbed(body: unknown, model: string): { model: string; embeddings: number[][]; prompt_eval_count: number } {
  const usage = isRecord(body) && isRecord(body.usage) ? body.usage : {}
  return { model, embeddings: vectorsOf(body), prompt_eval_count: count(usage.prompt_tokens) }
}

/** An OpenAI embeddings answer -> legacy `/api/embeddings`' `{embedding}`. */
export function openAIEmbeddingsToOllamaLegacy(body: unknown): { embedding: number[] } {
  const vectors = vectorsOf(body)
  if (vectors.length === 0) throw badUpstream('embeddings answer')
  return { embedding: vectors[0]! }
}

/** An OpenAI embeddings request -> an `/api/embed` call to an Ollama upstream. */
export function openAIEmbeddingsToOllamaRequest(body: unknown, upstreamModel: string): EncodedRequest {
  const req = requireModel(body)
  const out: Record<string, unknown> = { model: upstreamModel, input: inputOf(req.input, 'input') }
  if (typeof req.dimensions === 'number') out.dimensions = req.dimensions
  return { path: '/api/embed', body: out }
}

/** An `/api/embed` answer -> an OpenAI embeddings answer, its usage from prompt_eval_count. */
export function ollamaEmbedToOpenAIResponse(body: unknown, model: string): OpenAIEmbeddingsResponse {
  if (!isRecord(body) || !Array.isArray(body.embeddings) || body.embeddings.some((e) => !Array.isArray(e))) throw badUpstream('Ollama embed answer')
  return openAIEmbeddingsResponse(body.embeddings as number[][], model, count(body.prompt_eval_count))
}
