// Gemini beside generation: non-streamed answers' edges, Google's error shape, countTokens,
// embedContent / batchEmbedContents <-> OpenAI embeddings, and the model listing.
import { describe, expect, it } from 'vitest'
import { decodeGeminiCountTokens, decodeGeminiCountTokensResponse, encodeGeminiCountTokens, geminiCountTokensResponse } from '../../../../../src/main/gateway/dialects/gemini/countTokens'
import { geminiEmbedToOpenAI, geminiEmbeddingsToOpenAI, openAIEmbeddingsToGemini, openAIEmbeddingsToGeminiRequest } from '../../../../../src/main/gateway/dialects/gemini/embeddings'
import { geminiModel, geminiModelList } from '../../../../../src/main/gateway/dialects/gemini/models'
import { gemini } from '../../../../../src/main/gateway/dialects/gemini'
import { translateError, translateResponse } from '../../../../../src/main/gateway/dialects/translate'
import { GatewayError } from '../../../../../src/main/gateway/common/errors'

describe('Gemini answers', () => {
  it('a prompt blocked before any candidate is a content filter with the prompt counted', () => {
    const res = gemini.decodeResponse({ promptFeedback: { blockReason: 'SAFETY' }, usageMetadata: { promptTokenCount: 9, totalTokenCount: 9 } }, { model: 'm' })
    expect(res).toMatchObject({ content: [], stopReason: 'content_filter', usage: { inputTokens: 9, outputTokens: 0 } })
  })

  it.each([
    ['STOP', 'end_turn'],
    ['MAX_TOKENS', 'max_tokens'],
    ['SAFETY', 'content_filter'],
    ['RECITATION', 'content_filter'],
    ['MALFORMED_FUNCTION_CALL', 'end_turn'],
    ['OTHER', 'end_turn'],
  ])('finishReason %s -> %s', (finishReason, stopReason) => {
    expect(gemini.decodeResponse({ candidates: [{ content: { role: 'model', parts: [{ text: 'x' }] }, finishReason }] }, { model: 'm' }).stopReason).toBe(stopReason)
  })

  it('garbage is a 502', () => {
    expect(() => gemini.decodeResponse({ choices: [] }, { model: 'm' })).toThrow(GatewayError)
    expect(() => gemini.decodeResponse('nope', { model: 'm' })).toThrow(/not a valid Gemini response/)
  })

  it('a chat answer for a Gemini client: thoughts, text with the reasoning\'s signature, calls with ids, usage with thoughts apart', () => {
    const chat = {
      id: 'chatcmpl-9',
      object: 'chat.completion',
      created: 1,
      model: 'qwen',
      choices: [{ index: 0, message: { role: 'assistant', content: 'Sure.', reasoning_content: 'easy', tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'ls', arguments: '{"p":"."}' } }] }, finish_reason: 'tool_calls' }],
      usage: { prompt_tokens: 100, completion_tokens: 30, total_tokens: 130, prompt_tokens_details: { cached_tokens: 60 }, completion_tokens_details: { reasoning_tokens: 12 } },
    }
    expect(translateResponse('openai-chat', 'gemini', chat, { model: 'gemini-2.5-pro' })).toEqual({
      candidates: [{ content: { role: 'model', parts: [{ text: 'easy', thought: true }, { text: 'Sure.' }, { functionCall: { id: 'call_1', name: 'ls', args: { p: '.' } } }] }, finishReason: 'STOP', index: 0 }],
      usageMetadata: { promptTokenCount: 100, candidatesTokenCount: 18, cachedContentTokenCount: 60, thoughtsTokenCount: 12, totalTokenCount: 130 },
      modelVersion: 'gemini-2.5-pro',
      responseId: '9',
    })
  })
})

describe("Google's error shape", () => {
  it.each([
    [400, 'INVALID_ARGUMENT'],
    [401, 'UNAUTHENTICATED'],
    [403, 'PERMISSION_DENIED'],
    [404, 'NOT_FOUND'],
    [429, 'RESOURCE_EXHAUSTED'],
    [500, 'INTERNAL'],
    [502, 'UNAVAILABLE'],
    [503, 'UNAVAILABLE'],
    [504, 'DEADLINE_EXCEEDED'],
  ])('%i -> %s', (status, name) => {
    expect(gemini.errorBody({ message: 'm' }, status)).toEqual({ status, body: { error: { code: status, message: 'm', status: name } } })
  })

  it("Anthropic's 529 overloaded reaches Gemini clients as 503 UNAVAILABLE, with the upstream's message", () => {
    const out = translateError('gemini', '{"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}', 529)
    expect(out).toEqual({ status: 503, body: { error: { code: 503, message: 'Overloaded', status: 'UNAVAILABLE' } } })
  })

  it("Google's errors reach other clients with Google's message", () => {
    const out = translateError('anthropic-messages', Buffer.from('{"error":{"code":429,"message":"Quota exceeded for metric","status":"RESOURCE_EXHAUSTED"}}'), 429)
    expect(out).toEqual({ status: 429, body: { type: 'error', error: { type: 'rate_limit_error', message: 'Quota exceeded for metric' } } })
  })
})

describe('countTokens', () => {
  it('counts `contents`, or a whole generateContentRequest (system and tools too)', () => {
    expect(decodeGeminiCountTokens({ contents: [{ role: 'user', parts: [{ text: 'hi' }] }] }, 'gemini-2.5-flash').messages).toEqual([{ role: 'user', content: [{ type: 'text', text: 'hi' }] }])
    const whole = decodeGeminiCountTokens({ generateContentRequest: { model: 'models/x', contents: [], systemInstruction: { parts: [{ text: 'sys' }] }, tools: [{ functionDeclarations: [{ name: 'ls' }] }] } }, 'gemini-2.5-flash')
    expect(whole).toMatchObject({ model: 'gemini-2.5-flash', system: [{ type: 'text', text: 'sys' }], tools: [{ name: 'ls' }], stream: false })
    expect(geminiCountTokensResponse(42)).toEqual({ totalTokens: 42 })
  })

  it('counts a request of another dialect on a Gemini upstream', () => {
    const req = decodeGeminiCountTokens({ contents: [{ role: 'user', parts: [{ text: 'hi' }] }] }, 'x')
    expect(encodeGeminiCountTokens({ ...req, stream: true }, 'gemini-2.5-flash')).toEqual({
      path: '/v1beta/models/gemini-2.5-flash:countTokens',
      body: { generateContentRequest: { model: 'models/gemini-2.5-flash', contents: [{ role: 'user', parts: [{ text: 'hi' }] }] } },
    })
    expect(decodeGeminiCountTokensResponse({ totalTokens: 31 })).toBe(31)
    expect(() => decodeGeminiCountTokensResponse({})).toThrow(GatewayError)
  })
})

describe('embeddings', () => {
  const openAIAnswer = { object: 'list', data: [{ object: 'embedding', index: 1, embedding: [0.3, 0.4] }, { object: 'embedding', index: 0, embedding: [0.1, 0.2] }], model: 'e', usage: { prompt_tokens: 6, total_tokens: 6 } }

  it('embedContent <-> one OpenAI input', () => {
    expect(geminiEmbedToOpenAI('embedContent', { content: { parts: [{ text: 'a' }, { text: 'b' }] }, taskType: 'RETRIEVAL_QUERY', outputDimensionality: 256 }, 'text-embedding-004')).toEqual({ model: 'text-embedding-004', input: 'a\nb', dimensions: 256 })
    expect(openAIEmbeddingsToGemini('embedContent', openAIAnswer)).toEqual({ embedding: { values: [0.1, 0.2] } })
  })

  it('batchEmbedContents <-> an OpenAI input list, in order', () => {
    const body = { requests: [{ model: 'models/e', content: { parts: [{ text: 'one' }] } }, { model: 'models/e', content: { parts: [{ text: 'two' }] } }] }
    expect(geminiEmbedToOpenAI('batchEmbedContents', body, 'e')).toEqual({ model: 'e', input: ['one', 'two'] })
    expect(openAIEmbeddingsToGemini('batchEmbedContents', openAIAnswer)).toEqual({ embeddings: [{ values: [0.1, 0.2] }, { values: [0.3, 0.4] }] })
    expect(() => geminiEmbedToOpenAI('batchEmbedContents', { requests: {} }, 'e')).toThrow(GatewayError)
  })

  it('an OpenAI embeddings client on a Gemini upstream', () => {
    expect(openAIEmbeddingsToGeminiRequest({ model: 'e', input: ['x', 'y'], dimensions: 8 }, 'gemini-embedding-001')).toEqual({
      path: '/v1beta/models/gemini-embedding-001:batchEmbedContents',
      body: { requests: ['x', 'y'].map((text) => ({ model: 'models/gemini-embedding-001', content: { parts: [{ text }] }, outputDimensionality: 8 })) },
    })
    expect(geminiEmbeddingsToOpenAI({ embeddings: [{ values: [1] }, { values: [2] }] }, 'e')).toEqual({
      object: 'list',
      data: [
        { object: 'embedding', index: 0, embedding: [1] },
        { object: 'embedding', index: 1, embedding: [2] },
      ],
      model: 'e',
      usage: { prompt_tokens: 0, total_tokens: 0 },
    })
    expect(() => openAIEmbeddingsToGeminiRequest({ model: 'e', input: [1, 2] }, 'g')).toThrow(GatewayError)
    expect(() => geminiEmbeddingsToOpenAI({ embeddings: [{}] }, 'e')).toThrow(GatewayError)
  })
})

describe('model listing', () => {
  it('names models as resources, with their limits and the calls they take', () => {
    expect(geminiModel({ id: 'local', displayName: 'Local', inputTokenLimit: 32768, outputTokenLimit: 8192, thinking: true })).toEqual({
      name: 'models/local',
      baseModelId: 'local',
      version: '001',
      displayName: 'Local',
      description: '',
      inputTokenLimit: 32768,
      outputTokenLimit: 8192,
      supportedGenerationMethods: ['generateContent', 'streamGenerateContent', 'countTokens'],
      thinking: true,
    })
    expect(geminiModelList([{ id: 'a' }, { id: 'e', embedding: true }]).models.map((m) => [m.name, m.supportedGenerationMethods])).toEqual([
      ['models/a', ['generateContent', 'streamGenerateContent', 'countTokens']],
      ['models/e', ['embedContent', 'batchEmbedContents', 'countTokens']],
    ])
  })
})
