// Ollama requests: /api/chat and /api/generate bodies, streaming by default, `think`, `format`,
// options, images, tool results paired by call id or tool name, and the encoder's shape for
// Ollama upstreams.
import { describe, expect, it } from 'vitest'
import type { CanonicalRequest } from '../../../../../src/main/gateway/dialects/canonical'
import { ollama } from '../../../../../src/main/gateway/dialects/ollama'
import { translateRequest } from '../../../../../src/main/gateway/dialects/translate'
import { GatewayError } from '../../../../../src/main/gateway/common/errors'

const PNG = 'iVBORw0KGgoAAAANSUhEUg=='
const JPEG = '/9j/4AAQSkZJRg=='

describe('Ollama request decoding', () => {
  it('streams unless told not to (Ollama\'s default)', () => {
    expect(ollama.decodeRequest({ model: 'm', messages: [] }).stream).toBe(true)
    expect(ollama.decodeRequest({ model: 'm', messages: [], stream: false }).stream).toBe(false)
    expect(ollama.decodeRequest({ model: 'm', prompt: 'hi' }).stream).toBe(true)
  })

  it('/api/generate is one user turn: prompt and images, with its system prompt', () => {
    const req = ollama.decodeRequest({ model: 'llava', prompt: 'What is this?', system: 'Be brief.', images: [JPEG], raw: false, keep_alive: '5m', context: [1, 2, 3], options: { num_ctx: 8192, num_predict: 50 } })
    expect(req).toEqual({
      model: 'llava',
      system: [{ type: 'text', text: 'Be brief.' }],
      messages: [{ role: 'user', content: [{ type: 'text', text: 'What is this?' }, { type: 'image', source: { kind: 'base64', mediaType: 'image/jpeg', data: JPEG } }] }],
      sampling: { maxOutputTokens: 50 },
      stream: true,
    })
  })

  it("an empty prompt (Ollama's load request) is no turn at all", () => {
    expect(ollama.decodeRequest({ model: 'm', prompt: '' }).messages).toEqual([])
  })

  it('/api/chat: roles, thinking, tool calls with and without ids, results by call id, by tool name, or in order', () => {
    const req = ollama.decodeRequest({
      model: 'qwen3',
      messages: [
        { role: 'SYSTEM', content: 'sys' },
        { role: 'user', content: 'look', images: [PNG] },
        {
          role: 'assistant',
          content: '',
          thinking: 'Two tools.',
          tool_calls: [
            { function: { name: 'a', arguments: { x: 1 } } },
            { id: 'call_b', function: { name: 'b', arguments: {} } },
            { function: { name: 'c', arguments: {} } },
          ],
        },
        { role: 'tool', content: 'B', tool_call_id: 'call_b' },
        { role: 'tool', content: 'C', tool_name: 'c' },
        { role: 'tool', content: 'A' },
      ],
    })
    expect(req.messages).toEqual([
      { role: 'system', content: [{ type: 'text', text: 'sys' }] },
      { role: 'user', content: [{ type: 'text', text: 'look' }, { type: 'image', source: { kind: 'base64', mediaType: 'image/png', data: PNG } }] },
      {
        role: 'assistant',
        content: [
          { type: 'reasoning', text: 'Two tools.' },
          { type: 'tool_call', kind: 'function', id: 'call_2_0', name: 'a', arguments: '{"x":1}' },
          { type: 'tool_call', kind: 'function', id: 'call_b', name: 'b', arguments: '{}' },
          { type: 'tool_call', kind: 'function', id: 'call_2_2', name: 'c', arguments: '{}' },
        ],
      },
      { role: 'user', content: [{ type: 'tool_result', callId: 'call_b', content: [{ type: 'text', text: 'B' }] }] },
      { role: 'user', content: [{ type: 'tool_result', callId: 'call_2_2', content: [{ type: 'text', text: 'C' }] }] },
      { role: 'user', content: [{ type: 'tool_result', callId: 'call_2_0', content: [{ type: 'text', text: 'A' }] }] },
    ])
  })

  it.each([
    [true, { summary: 'auto' }],
    [false, { effort: 'none' }],
    ['high', { effort: 'high', summary: 'auto' }],
    ['bogus', undefined],
  ])('think %j -> %j', (think, reasoning) => {
    expect(ollama.decodeRequest({ model: 'm', messages: [], think }).reasoning).toEqual(reasoning)
  })

  it('format and options', () => {
    const req = ollama.decodeRequest({ model: 'm', messages: [], format: { type: 'object', properties: { a: { type: 'string' } } }, options: { temperature: 0.1, top_p: 0.5, top_k: 20, num_predict: -1, stop: ['\n\n'], seed: 42, presence_penalty: 0.2, frequency_penalty: 0.3, num_ctx: 4096 } })
    expect(req.responseFormat).toEqual({ type: 'json_schema', schema: { type: 'object', properties: { a: { type: 'string' } } } })
    expect(req.sampling).toEqual({ temperature: 0.1, topP: 0.5, topK: 20, seed: 42, presencePenalty: 0.2, frequencyPenalty: 0.3, stopSequences: ['\n\n'] })
    expect(ollama.decodeRequest({ model: 'm', messages: [], format: 'json' }).responseFormat).toEqual({ type: 'json_object' })
  })

  it.each([
    [{ messages: [] }, 'model'],
    [{ model: 'm', messages: 'hi' }, 'messages'],
    [{ model: 'm', prompt: 'def f(', suffix: '\n  return x' }, 'suffix'],
    [{ model: 'm', messages: [{ role: 'developer', content: 'x' }] }, 'messages[0].role'],
  ])('%j fails with a 400', (body, param) => {
    let error: unknown
    try {
      ollama.decodeRequest(body)
    } catch (e) {
      error = e
    }
    expect(error).toBeInstanceOf(GatewayError)
    expect(error).toMatchObject({ status: 400, param })
  })
})

describe('Ollama request encoding', () => {
  const base: CanonicalRequest = { model: 'm', messages: [], sampling: {}, stream: false }

  it('states stream either way, since Ollama streams by default', () => {
    expect(ollama.encodeRequest(base, {}).body).toEqual({ model: 'm', messages: [], stream: false })
    expect(ollama.encodeRequest({ ...base, stream: true }, { upstreamModel: 'qwen3:8b' })).toEqual({ path: '/api/chat', body: { model: 'qwen3:8b', messages: [], stream: true } })
  })

  it("an Anthropic client's turn: results first as tool messages naming call and tool, images inline, others as a note", () => {
    const anthropic = {
      model: 'x',
      max_tokens: 2000,
      system: 'sys',
      thinking: { type: 'enabled', budget_tokens: 1024 },
      messages: [
        { role: 'user', content: 'q' },
        { role: 'assistant', content: [{ type: 'thinking', thinking: 'hmm', signature: 'S' }, { type: 'text', text: 'Looking.' }, { type: 'tool_use', id: 'toolu_1', name: 'shot', input: { w: 1 } }] },
        {
          role: 'user',
          content: [
            { type: 'text', text: 'here:' },
            { type: 'tool_result', tool_use_id: 'toolu_1', content: [{ type: 'text', text: 'ok' }, { type: 'image', source: { type: 'base64', media_type: 'image/png', data: PNG } }] },
            { type: 'image', source: { type: 'url', url: 'https://example.com/x.png' } },
          ],
        },
      ],
    }
    const { path, body } = translateRequest('anthropic-messages', 'ollama', anthropic, { upstreamModel: 'qwen3:8b', maxTokensCap: 1000 })
    expect(path).toBe('/api/chat')
    expect(body).toEqual({
      model: 'qwen3:8b',
      stream: false,
      think: true,
      options: { num_predict: 1000 },
      messages: [
        { role: 'system', content: 'sys' },
        { role: 'user', content: 'q' },
        { role: 'assistant', content: 'Looking.', thinking: 'hmm', tool_calls: [{ id: 'toolu_1', function: { index: 0, name: 'shot', arguments: { w: 1 } } }] },
        { role: 'tool', content: 'ok', tool_call_id: 'toolu_1', tool_name: 'shot' },
        { role: 'user', content: 'here:\n[image omitted: this backend only takes inline images]', images: [PNG] },
      ],
    })
  })

  it.each([
    [{ effort: 'minimal' }, 'low'],
    [{ effort: 'xhigh' }, 'high'],
    [{ effort: 'none' }, false],
    [{ budgetTokens: 0 }, false],
    [{ summary: 'auto' }, true],
    [{}, undefined],
  ])('reasoning %j -> think %j', (reasoning, think) => {
    expect((ollama.encodeRequest({ ...base, reasoning }, {}).body as { think?: unknown }).think).toEqual(think)
  })

  it('tool_choice "none" sends no tools (Ollama has no tool_choice); formats and options', () => {
    const body = ollama.encodeRequest(
      { ...base, tools: [{ kind: 'function', name: 'ls', description: 'List', parameters: { type: 'object' } }], toolChoice: { type: 'none' }, responseFormat: { type: 'json_object' }, sampling: { temperature: 0, topK: 5, stopSequences: ['x'], seed: 1 } },
      {},
    ).body
    expect(body).toEqual({ model: 'm', messages: [], stream: false, format: 'json', options: { temperature: 0, top_k: 5, stop: ['x'], seed: 1 } })
    const withTools = ollama.encodeRequest({ ...base, tools: [{ kind: 'function', name: 'ls', description: 'List', parameters: { type: 'object' } }], toolChoice: { type: 'required' } }, {}).body as { tools: unknown }
    expect(withTools.tools).toEqual([{ type: 'function', function: { name: 'ls', description: 'List', parameters: { type: 'object' } } }])
  })
})
