// Ollama beside chat: non-streamed answers (chat and generate shapes), its error shape,
// /api/embed and /api/embeddings <-> OpenAI embeddings, and the listing endpoints.
import { describe, expect, it } from 'vitest'
import { ollama } from '../../../../../src/main/gateway/dialects/ollama'
import {
  ollamaEmbedToOpenAI,
  ollamaEmbedToOpenAIResponse,
  ollamaLegacyEmbeddingsToOpenAI,
  openAIEmbeddingsToOllamaEmbed,
  openAIEmbeddingsToOllamaLegacy,
  openAIEmbeddingsToOllamaRequest,
} from '../../../../../src/main/gateway/dialects/ollama/embeddings'
import { OLLAMA_API_VERSION, ollamaPs, ollamaShow, ollamaTags, ollamaVersion } from '../../../../../src/main/gateway/dialects/ollama/models'
import { translateError, translateResponse } from '../../../../../src/main/gateway/dialects/translate'
import { GatewayError } from '../../../../../src/main/gateway/common/errors'

const anthropicAnswer = {
  id: 'msg_1',
  type: 'message',
  role: 'assistant',
  model: 'claude',
  content: [
    { type: 'thinking', thinking: 'hm', signature: 'S' },
    { type: 'text', text: 'Blue.' },
  ],
  stop_reason: 'max_tokens',
  stop_sequence: null,
  usage: { input_tokens: 10, output_tokens: 7, cache_read_input_tokens: 5, cache_creation_input_tokens: 2 },
}

describe('Ollama answers', () => {
  it('/api/chat: message with content and thinking, done_reason, counts (cache reads and writes are prompt tokens)', () => {
    expect(translateResponse('anthropic-messages', 'ollama', anthropicAnswer, { model: 'llama3.2', created: 1700000000 })).toEqual({
      model: 'llama3.2',
      created_at: '2023-11-14T22:13:20.000Z',
      message: { role: 'assistant', content: 'Blue.', thinking: 'hm' },
      done: true,
      done_reason: 'length',
      prompt_eval_count: 17,
      eval_count: 7,
    })
  })

  it('/api/generate: top-level response and thinking', () => {
    expect(translateResponse('anthropic-messages', 'ollama', anthropicAnswer, { model: 'llama3.2', created: 1700000000, ollamaGenerate: true })).toEqual({
      model: 'llama3.2',
      created_at: '2023-11-14T22:13:20.000Z',
      response: 'Blue.',
      thinking: 'hm',
      done: true,
      done_reason: 'length',
      prompt_eval_count: 17,
      eval_count: 7,
    })
  })

  it('reads both shapes from an Ollama upstream; garbage is a 502', () => {
    const generate = { model: 'm', created_at: 't', response: 'Hi', done: true, done_reason: 'stop', context: [1], prompt_eval_count: 3, eval_count: 1 }
    expect(ollama.decodeResponse(generate, { model: 'm' })).toEqual({ model: 'm', content: [{ type: 'text', text: 'Hi' }], stopReason: 'end_turn', usage: { inputTokens: 3, outputTokens: 1, cachedInputTokens: 0, cacheCreationInputTokens: 0, reasoningTokens: 0 } })
    expect(() => ollama.decodeResponse({ done: true }, { model: 'm' })).toThrow(GatewayError)
  })

  it('errors are {"error": message} with the status kept', () => {
    expect(translateError('ollama', '{"error":{"message":"model not found","type":"invalid_request_error"}}', 404)).toEqual({ status: 404, body: { error: 'model not found' } })
    expect(ollama.errorBody(undefined, 502)).toEqual({ status: 502, body: { error: 'upstream answered 502' } })
    expect(translateError('openai-chat', '{"error":"model \\"x\\" not found, try pulling it first"}', 404).body).toMatchObject({ error: { message: 'model "x" not found, try pulling it first', type: 'not_found_error' } })
  })
})

describe('embeddings', () => {
  const openAIAnswer = { object: 'list', data: [{ object: 'embedding', index: 0, embedding: [0.1, 0.2] }, { object: 'embedding', index: 1, embedding: [0.3, 0.4] }], model: 'e', usage: { prompt_tokens: 6, total_tokens: 6 } }

  it('/api/embed <-> OpenAI, the token count as prompt_eval_count', () => {
    expect(ollamaEmbedToOpenAI({ model: 'nomic-embed-text', input: ['a', 'b'], truncate: true, keep_alive: '5m', dimensions: 64 })).toEqual({ model: 'nomic-embed-text', input: ['a', 'b'], dimensions: 64 })
    expect(openAIEmbeddingsToOllamaEmbed(openAIAnswer, 'nomic-embed-text')).toEqual({ model: 'nomic-embed-text', embeddings: [[0.1, 0.2], [0.3, 0.4]], prompt_eval_count: 6 })
    expect(() => ollamaEmbedToOpenAI({ model: 'm', input: 3 })).toThrow(GatewayError)
  })

  it('legacy /api/embeddings <-> OpenAI', () => {
    expect(ollamaLegacyEmbeddingsToOpenAI({ model: 'm', prompt: 'x' })).toEqual({ model: 'm', input: 'x' })
    expect(openAIEmbeddingsToOllamaLegacy(openAIAnswer)).toEqual({ embedding: [0.1, 0.2] })
    expect(() => ollamaLegacyEmbeddingsToOpenAI({ model: 'm' })).toThrow(GatewayError)
  })

  it('an OpenAI embeddings client on an Ollama upstream, usage from prompt_eval_count', () => {
    expect(openAIEmbeddingsToOllamaRequest({ model: 'e', input: 'x' }, 'nomic-embed-text')).toEqual({ path: '/api/embed', body: { model: 'nomic-embed-text', input: 'x' } })
    expect(ollamaEmbedToOpenAIResponse({ model: 'nomic-embed-text', embeddings: [[1, 2]], total_duration: 1, prompt_eval_count: 4 }, 'e')).toEqual({
      object: 'list',
      data: [{ object: 'embedding', index: 0, embedding: [1, 2] }],
      model: 'e',
      usage: { prompt_tokens: 4, total_tokens: 4 },
    })
    expect(() => ollamaEmbedToOpenAIResponse({ embeddings: [1] }, 'e')).toThrow(GatewayError)
  })
})

describe('listing endpoints', () => {
  const model = { name: 'qwen3:8b', modifiedAt: 1700000000, family: 'qwen3', parameterSize: '8.2B', quantizationLevel: 'Q4_K_M', capabilities: ['completion', 'tools', 'thinking'], contextLength: 40960 }

  it('/api/tags lists every model with details and a digest stable per name', () => {
    const tags = ollamaTags([model, { name: 'local' }])
    expect(tags.models[0]).toEqual({
      name: 'qwen3:8b',
      model: 'qwen3:8b',
      modified_at: '2023-11-14T22:13:20.000Z',
      size: 0,
      digest: expect.stringMatching(/^[0-9a-f]{64}$/),
      details: { parent_model: '', format: 'gguf', family: 'qwen3', families: ['qwen3'], parameter_size: '8.2B', quantization_level: 'Q4_K_M' },
      capabilities: ['completion', 'tools', 'thinking'],
    })
    expect(tags.models[1]).toMatchObject({ name: 'local', details: { family: '', families: [] } })
    expect(tags.models[0]!.digest).toBe(ollamaTags([model]).models[0]!.digest)
    expect(tags.models[0]!.digest).not.toBe(tags.models[1]!.digest)
  })

  it('/api/show gives capabilities and the context length where clients look for it', () => {
    expect(ollamaShow(model)).toMatchObject({ capabilities: ['completion', 'tools', 'thinking'], model_info: { 'general.architecture': 'qwen3', 'qwen3.context_length': 40960 }, details: { family: 'qwen3' } })
    expect(ollamaShow({ name: 'x' }).capabilities).toEqual(['completion'])
  })

  it('/api/ps and /api/version', () => {
    expect(ollamaPs([{ ...model, expiresAt: '2026-08-21T10:05:00Z', sizeVram: 5 }]).models[0]).toMatchObject({ name: 'qwen3:8b', expires_at: '2026-08-21T10:05:00.000Z', size_vram: 5, context_length: 40960 })
    expect(ollamaVersion()).toEqual({ version: OLLAMA_API_VERSION })
    expect(ollamaVersion('0.9.0')).toEqual({ version: '0.9.0' })
  })
})
