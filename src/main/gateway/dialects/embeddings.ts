// OpenAI's embeddings shapes, the form every embedding backend Switchyard reaches speaks (OpenAI,
// vLLM, LM Studio, llama.cpp, Ollama's /v1): the Gemini and Ollama embedding endpoints map onto it.
import { badUpstream, isRecord, records } from './json'

export interface OpenAIEmbeddingsRequest {
  model: string
  input: string | string[]
  dimensions?: number
}

export interface OpenAIEmbeddingsResponse {
  object: 'list'
  data: Array<{ object: 'embedding'; index: number; embedding: number[] }>
  model: string
  usage: { prompt_tokens: number; total_tokens: number }
}

/** The vectors of an OpenAI embeddings answer, in input order. Throws GatewayError 502 on garbage (base64 vectors included). */
export function vectorsOf(body: unknown): number[][] {
  if (!isRecord(body) || !Array.isArray(body.data)) throw badUpstream('embeddings answer')
  return records(body.data)
    .sort((a, b) => Number(a.index ?? 0) - Number(b.index ?? 0))
    .map((d) => {
      if (!Array.isArray(d.embedding)) throw badUpstream('embeddings answer')
      return d.embedding as number[]
    })
}

/** An OpenAI embeddings answer built from other vectors. */
export function openAIEmbeddingsResponse(vectors: number[][], model: string, promptTokens: number): OpenAIEmbeddingsResponse {
  return {
    object: 'list',
    data: vectors.map((embedding, index) => ({ object: 'embedding', index, embedding })),
    model,
    usage: { prompt_tokens: promptTokens, total_tokens: promptTokens },
  }
}
