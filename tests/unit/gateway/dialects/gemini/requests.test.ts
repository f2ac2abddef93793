// Gemini requests: the model and method in the path, calls without ids paired with their
// responses by name and order, thought signatures kept where Gemini needs them, OpenAPI-subset
// schemas, thinking settings, and what cannot be translated failing with a 400 naming the field.
import { describe, expect, it } from 'vitest'
import type { CanonicalRequest } from '../../../../../src/main/gateway/dialects/canonical'
import { gemini } from '../../../../../src/main/gateway/dialects/gemini'
import { geminiPath, parseGeminiPath } from '../../../../../src/main/gateway/dialects/gemini/paths'
import { translateRequest } from '../../../../../src/main/gateway/dialects/translate'
import { GatewayError } from '../../../../../src/main/gateway/common/errors'

const target = { model: 'gemini-2.5-flash', stream: true }
const decode = (body: object) => gemini.decodeRequest(body, target)
const user = (...parts: object[]) => ({ role: 'user', parts })
const model = (...parts: object[]) => ({ role: 'model', parts })

describe('Gemini paths', () => {
  it.each([
    ['/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse', { model: 'gemini-2.5-flash', method: 'streamGenerateContent', sse: true }],
    ['/v1beta/models/gemini-2.5-pro:streamGenerateContent', { model: 'gemini-2.5-pro', method: 'streamGenerateContent', sse: false }],
    ['/v1beta/models/gemini-2.5-pro:generateContent?key=AIza', { model: 'gemini-2.5-pro', method: 'generateContent', sse: false }],
    ['/v1/models/text-embedding-004:batchEmbedContents', { model: 'text-embedding-004', method: 'batchEmbedContents', sse: false }],
    ['/v1beta/models/qwen2.5:7b:countTokens', { model: 'qwen2.5:7b', method: 'countTokens', sse: false }],
    ['/v1beta/models/qwen2.5%3A7b:embedContent', { model: 'qwen2.5:7b', method: 'embedContent', sse: false }],
    ['/v1beta/tunedModels/my-model:generateContent', { model: 'tunedModels/my-model', method: 'generateContent', sse: false }],
  ])('%s', (path, expected) => {
    expect(parseGeminiPath(path)).toEqual(expected)
  })

  it.each(['/v1beta/models', '/v1beta/models/gemini-2.5-flash', '/v1beta/models/x:predict', '/v1/chat/completions', '/v1beta/models/%E0%A4%A:generateContent'])('%s is not a generation path', (path) => {
    expect(parseGeminiPath(path)).toBeUndefined()
  })

  it('builds the upstream path: streams always ask for SSE, the model is escaped', () => {
    expect(geminiPath('gemini-2.5-flash', 'streamGenerateContent')).toBe('/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse')
    expect(geminiPath('models/gemini-2.5-flash', 'generateContent')).toBe('/v1beta/models/gemini-2.5-flash:generateContent')
    expect(geminiPath('a b', 'countTokens')).toBe('/v1beta/models/a%20b:countTokens')
    expect(parseGeminiPath(geminiPath('qwen2.5:7b', 'generateContent'))!.model).toBe('qwen2.5:7b')
  })

  it('encodeRequest puts the upstream model and the method in the path, never in the body', () => {
    const req = decode({ contents: [user({ text: 'hi' })] })
    expect(gemini.encodeRequest(req, { upstreamModel: 'gemini-3-pro-preview' })).toEqual({ path: '/v1beta/models/gemini-3-pro-preview:streamGenerateContent?alt=sse', body: { contents: [user({ text: 'hi' })] } })
    expect(gemini.encodeRequest({ ...req, stream: false }, {}).path).toBe('/v1beta/models/gemini-2.5-flash:generateContent')
  })
})

describe('Gemini request decoding', () => {
  it('takes the model and streaming from the path', () => {
    expect(decode({ contents: [] })).toMatchObject({ model: 'gemini-2.5-flash', stream: true })
    expect(gemini.decodeRequest({ contents: [] }, { model: 'm' }).stream).toBe(false)
    expect(() => gemini.decodeRequest({ contents: [] })).toThrow(GatewayError)
  })

  it('pairs function responses with id-less calls by name and order, parallel calls included', () => {
    const req = decode({
      contents: [
        user({ text: 'Weather in Paris and Rome, and the time?' }),
        model({ functionCall: { name: 'weather', args: { city: 'Paris' } } }, { functionCall: { name: 'weather', args: { city: 'Rome' } } }, { functionCall: { name: 'time', args: {} } }),
        user({ functionResponse: { name: 'time', response: { output: '12:00' } } }, { functionResponse: { name: 'weather', response: { output: 'sunny' } } }, { functionResponse: { name: 'weather', response: { output: 'rain' } } }),
      ],
    })
    const calls = req.messages[1]!.content.map((p) => (p.type === 'tool_call' && p.kind === 'function' ? [p.id, p.arguments] : []))
    expect(calls).toEqual([
      ['call_1_0', '{"city":"Paris"}'],
      ['call_1_1', '{"city":"Rome"}'],
      ['call_1_2', '{}'],
    ])
    expect(req.messages[2]!.content).toEqual([
      { type: 'tool_result', callId: 'call_1_2', content: [{ type: 'text', text: '12:00' }] },
      { type: 'tool_result', callId: 'call_1_0', content: [{ type: 'text', text: 'sunny' }] },
      { type: 'tool_result', callId: 'call_1_1', content: [{ type: 'text', text: 'rain' }] },
    ])
  })

  it("pairs by id when both carry one, and by name when the response's id is one the client made up (Gemini CLI)", () => {
    const req = decode({
      contents: [
        model({ functionCall: { id: 'fc-1', name: 'ls', args: {} } }, { functionCall: { name: 'read', args: {} } }),
        user({ functionResponse: { id: 'read-1724000000-0', name: 'read', response: { error: 'no such file' } } }, { functionResponse: { id: 'fc-1', name: 'ls', response: { files: ['a'] } } }),
      ],
    })
    expect(req.messages[1]!.content).toEqual([
      { type: 'tool_result', callId: 'call_0_1', content: [{ type: 'text', text: 'no such file' }], isError: true },
      { type: 'tool_result', callId: 'fc-1', content: [{ type: 'text', text: '{"files":["a"]}' }] },
    ])
  })

  it('thought signatures: a signed part closes the thought before it; a placeholder signature is none', () => {
    const req = decode({
      contents: [
        model({ text: 'Plan: ', thought: true }, { text: 'look.', thought: true }, { functionCall: { name: 'ls', args: {} }, thoughtSignature: 'SIG1' }),
        user({ functionResponse: { name: 'ls', response: { output: 'a.txt' } } }),
        model({ functionCall: { name: 'cat', args: { f: 'a.txt' } }, thoughtSignature: 'skip_thought_signature_validator' }, { text: 'Here.', thoughtSignature: 'SIG2' }),
      ],
    })
    expect(req.messages[0]!.content.slice(0, 1)).toEqual([{ type: 'reasoning', summary: ['Plan: look.'], signature: 'SIG1' }])
    expect(req.messages[2]!.content.map((p) => p.type)).toEqual(['tool_call', 'reasoning', 'text'])
    expect(req.messages[2]!.content[1]).toEqual({ type: 'reasoning', signature: 'SIG2' })
  })

  it("consecutive contents of one role are one turn (the SDK's chat keeps one content per streamed chunk)", () => {
    const req = decode({
      contents: [
        user({ text: 'q' }),
        model({ text: 'Think', thought: true }),
        model({ text: 'ing.', thought: true }),
        model({ functionCall: { name: 'ls', args: {} }, thoughtSignature: 'SIG' }),
        model({ text: '' }),
        user({ functionResponse: { name: 'ls', response: { output: 'x' } } }),
        user({ text: 'and?' }),
      ],
    })
    expect(req.messages).toEqual([
      { role: 'user', content: [{ type: 'text', text: 'q' }] },
      { role: 'assistant', content: [{ type: 'reasoning', summary: ['Thinking.'], signature: 'SIG' }, { type: 'tool_call', kind: 'function', id: 'call_3_0', name: 'ls', arguments: '{}' }] },
      { role: 'user', content: [{ type: 'tool_result', callId: 'call_3_0', content: [{ type: 'text', text: 'x' }] }, { type: 'text', text: 'and?' }] },
    ])
  })

  it('OpenAPI-subset schemas become JSON Schema; parametersJsonSchema is taken as it is', () => {
    const req = decode({
      contents: [],
      tools: [
        {
          functionDeclarations: [
            { name: 'a', parameters: { type: 'OBJECT', properties: { n: { type: 'INTEGER', nullable: true }, tags: { type: 'ARRAY', items: { type: 'STRING', enum: ['x'] } } }, required: ['n'], propertyOrdering: ['n', 'tags'] } },
            { name: 'b', parametersJsonSchema: { type: 'object', additionalProperties: false } },
          ],
        },
        { googleSearch: {} },
      ],
    })
    expect(req.tools).toEqual([
      { kind: 'function', name: 'a', parameters: { type: 'object', properties: { n: { type: ['integer', 'null'] }, tags: { type: 'array', items: { type: 'string', enum: ['x'] } } }, required: ['n'] } },
      { kind: 'function', name: 'b', parameters: { type: 'object', additionalProperties: false } },
    ])
  })

  it.each([
    [{ mode: 'AUTO' }, { type: 'auto' }],
    [{ mode: 'NONE' }, { type: 'none' }],
    [{ mode: 'ANY' }, { type: 'required' }],
    [{ mode: 'ANY', allowedFunctionNames: ['ls'] }, { type: 'tool', name: 'ls' }],
    [{ mode: 'ANY', allowedFunctionNames: ['ls', 'cat'] }, { type: 'required' }],
  ])('functionCallingConfig %j -> %j', (config, choice) => {
    expect(decode({ contents: [], toolConfig: { functionCallingConfig: config } }).toolChoice).toEqual(choice)
  })

  it.each([
    [{ includeThoughts: true, thinkingBudget: 8192 }, { budgetTokens: 8192, summary: 'auto' }],
    [{ thinkingBudget: 0 }, { effort: 'none' }],
    [{ thinkingBudget: -1 }, undefined],
    [{ thinkingLevel: 'HIGH', includeThoughts: true }, { effort: 'high', summary: 'auto' }],
  ])('thinkingConfig %j -> %j', (thinkingConfig, reasoning) => {
    expect(decode({ contents: [], generationConfig: { thinkingConfig } }).reasoning).toEqual(reasoning)
  })

  it('reads generationConfig: sampling, stop sequences, JSON output', () => {
    const req = decode({ contents: [], generationConfig: { temperature: 0.2, topP: 0.9, topK: 40, maxOutputTokens: 100, stopSequences: ['END', ''], seed: 7, responseMimeType: 'application/json', responseSchema: { type: 'OBJECT' } } })
    expect(req.sampling).toEqual({ temperature: 0.2, topP: 0.9, topK: 40, maxOutputTokens: 100, seed: 7, stopSequences: ['END'] })
    expect(req.responseFormat).toEqual({ type: 'json_schema', schema: { type: 'object' } })
    expect(decode({ contents: [], generationConfig: { responseMimeType: 'application/json' } }).responseFormat).toEqual({ type: 'json_object' })
  })

  it('images and documents: inline bytes, and URLs; files in Google\'s store stay references', () => {
    const req = decode({
      contents: [
        user(
          { inlineData: { mimeType: 'image/jpeg', data: '/9j/4AAQ' } },
          { inlineData: { mimeType: 'application/pdf', data: 'JVBERi0x' } },
          { fileData: { mimeType: 'image/png', fileUri: 'https://example.com/a.png' } },
          { fileData: { mimeType: 'application/pdf', fileUri: 'https://generativelanguage.googleapis.com/v1beta/files/abc123' } },
        ),
      ],
    })
    expect(req.messages[0]!.content).toEqual([
      { type: 'image', source: { kind: 'base64', mediaType: 'image/jpeg', data: '/9j/4AAQ' } },
      { type: 'document', source: { kind: 'base64', mediaType: 'application/pdf', data: 'JVBERi0x' } },
      { type: 'image', source: { kind: 'url', url: 'https://example.com/a.png' } },
      { type: 'document', source: { kind: 'file', fileId: 'https://generativelanguage.googleapis.com/v1beta/files/abc123' } },
    ])
  })

  it.each([
    [{ contents: 'hi' }, 'contents'],
    [{ contents: [], cachedContent: 'cachedContents/abc' }, 'cachedContent'],
    [{ contents: [], generationConfig: { candidateCount: 2 } }, 'generationConfig.candidateCount'],
    [{ contents: [user({ inlineData: { mimeType: 'audio/wav', data: 'UklG' } })] }, 'contents[0].parts[0]'],
    [{ contents: [{ role: 'system', parts: [] }] }, 'contents[0].role'],
  ])('%j fails with a 400 naming %s', (body, param) => {
    let error: unknown
    try {
      decode(body)
    } catch (e) {
      error = e
    }
    expect(error).toBeInstanceOf(GatewayError)
    expect(error).toMatchObject({ status: 400, param })
  })
})

describe('Gemini request encoding', () => {
  const base: CanonicalRequest = { model: 'm', messages: [], sampling: {}, stream: false }

  it('system text from anywhere becomes the systemInstruction; turns of one role merge', () => {
    const body = gemini.encodeRequest(
      {
        ...base,
        system: [{ type: 'text', text: 'Be brief.' }],
        messages: [
          { role: 'system', content: [{ type: 'text', text: 'Use metric.' }] },
          { role: 'user', content: [{ type: 'text', text: 'a' }] },
          { role: 'user', content: [{ type: 'text', text: 'b' }] },
        ],
      },
      {},
    ).body as { systemInstruction: unknown; contents: unknown }
    expect(body.systemInstruction).toEqual({ parts: [{ text: 'Be brief.\n\nUse metric.' }] })
    expect(body.contents).toEqual([user({ text: 'a' }, { text: 'b' })])
  })

  it("a chat client's tool loop: calls signed with Google's placeholder, results named after their tool, errors as {error}", () => {
    const chat = {
      model: 'x',
      messages: [
        { role: 'user', content: 'ls and pwd' },
        {
          role: 'assistant',
          content: null,
          tool_calls: [
            { id: 'call_a', type: 'function', function: { name: 'ls', arguments: '{}' } },
            { id: 'call_b', type: 'function', function: { name: 'pwd', arguments: 'not json' } },
          ],
        },
        { role: 'tool', tool_call_id: 'call_a', content: 'a.txt' },
        { role: 'tool', tool_call_id: 'call_b', content: 'Error: denied' },
      ],
    }
    const { body } = translateRequest('openai-chat', 'gemini', chat, { upstreamModel: 'gemini-3-pro-preview' })
    expect((body as { contents: unknown }).contents).toEqual([
      user({ text: 'ls and pwd' }),
      model({ functionCall: { id: 'call_a', name: 'ls', args: {} }, thoughtSignature: 'skip_thought_signature_validator' }, { functionCall: { id: 'call_b', name: 'pwd', args: { _raw_arguments: 'not json' } } }),
      user({ functionResponse: { id: 'call_a', name: 'ls', response: { output: 'a.txt' } } }, { functionResponse: { id: 'call_b', name: 'pwd', response: { output: 'Error: denied' } } }),
    ])
  })

  it("Claude's signed thinking goes back as a thought part and its signature on the part after it", () => {
    const anthropic = {
      model: 'x',
      max_tokens: 100,
      messages: [
        { role: 'user', content: 'q' },
        { role: 'assistant', content: [{ type: 'thinking', thinking: 'hmm', signature: 'S' }, { type: 'tool_use', id: 'toolu_1', name: 'ls', input: {} }] },
        { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'toolu_1', content: [{ type: 'text', text: 'x' }, { type: 'image', source: { type: 'base64', media_type: 'image/png', data: 'iVBO' } }], is_error: true }] },
      ],
    }
    const { body } = translateRequest('anthropic-messages', 'gemini', anthropic, {})
    expect((body as { contents: unknown[] }).contents.slice(1)).toEqual([
      model({ text: 'hmm', thought: true }, { functionCall: { id: 'toolu_1', name: 'ls', args: {} }, thoughtSignature: 'S' }),
      user({ functionResponse: { id: 'toolu_1', name: 'ls', response: { error: 'x' } } }, { inlineData: { mimeType: 'image/png', data: 'iVBO' } }),
    ])
  })

  it.each([
    ['gemini-2.5-flash', { effort: 'low' }, { thinkingBudget: 1024, includeThoughts: true }],
    ['gemini-2.5-flash', { effort: 'none' }, { thinkingBudget: 0 }],
    ['gemini-3-pro-preview', { effort: 'low' }, { thinkingLevel: 'LOW', includeThoughts: true }],
    ['gemini-3-pro-preview', { budgetTokens: 2048 }, { thinkingBudget: 2048, includeThoughts: true }],
    ['gemini-3-flash', { summary: 'auto' }, { includeThoughts: true }],
    ['gemini-flash-latest', { effort: 'high' }, { thinkingBudget: 24576, includeThoughts: true }],
    ['gemini-3.5-flash', { effort: 'minimal' }, { thinkingLevel: 'MINIMAL', includeThoughts: true }],
  ])('%s with reasoning %j -> thinkingConfig %j', (upstreamModel, reasoning, thinkingConfig) => {
    const { body } = gemini.encodeRequest({ ...base, reasoning }, { upstreamModel })
    expect((body as { generationConfig: unknown }).generationConfig).toEqual({ thinkingConfig })
  })

  it('tool choice, output format and sampling', () => {
    const { body } = gemini.encodeRequest(
      {
        ...base,
        tools: [{ kind: 'custom', name: 'apply_patch', description: 'Patch' }, { kind: 'function', name: 'ls' }],
        toolChoice: { type: 'tool', name: 'gone' },
        responseFormat: { type: 'json_schema', name: 'x', schema: { type: 'object', additionalProperties: false } },
        sampling: { maxOutputTokens: 64000, temperature: 1.5, stopSequences: ['END'], seed: 3, frequencyPenalty: 0.1 },
      },
      { maxTokensCap: 8192 },
    )
    expect(body).toEqual({
      contents: [],
      tools: [{ functionDeclarations: [{ name: 'apply_patch', description: 'Patch', parametersJsonSchema: expect.objectContaining({ required: ['input'] }) }, { name: 'ls' }] }],
      toolConfig: { functionCallingConfig: { mode: 'ANY' } },
      generationConfig: { temperature: 1.5, maxOutputTokens: 8192, stopSequences: ['END'], seed: 3, frequencyPenalty: 0.1, responseMimeType: 'application/json', responseJsonSchema: { type: 'object', additionalProperties: false } },
    })
  })
})
