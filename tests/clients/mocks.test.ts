// The scripted mocks on their own, driven by the official SDKs (or raw HTTP for Gemini) through a
// whole tool loop: the wire format parses, the agent calls the read tool first, answers from the
// tool result second, refuses what a real server refuses, and reports the usage the ledger is
// compared with. Seconds, no CLI: when a client case fails, this tells a broken mock apart.
import Anthropic from '@anthropic-ai/sdk'
import OpenAI from 'openai'
import { afterEach, describe, expect, it } from 'vitest'
import { request, sseData } from '../helpers/http'
import { answerSentence, sampleFromSchema, ScriptedAgent } from './mocks/agent'
import { startScriptedAnthropic } from './mocks/scriptedAnthropic'
import { startScriptedChat } from './mocks/scriptedChat'
import { startScriptedGemini } from './mocks/scriptedGemini'
import { startScriptedResponses } from './mocks/scriptedResponses'
import type { ScriptedMock } from './mocks/scriptedServer'

const task = { file: 'hello.txt', dir: '/work/project', wordPattern: /\bswy[0-9a-f]{10}\b/ }
const WORD = 'swy0123456789'
const FILE_TEXT = `${WORD} is the first word.\n`
const readTool = { name: 'read_file', description: 'Reads a file', parameters: { type: 'object', properties: { file_path: { type: 'string' } }, required: ['file_path'] } }

let open: ScriptedMock[] = []
afterEach(async () => {
  await Promise.all(open.map((m) => m.close()))
  open = []
})
const track = (m: ScriptedMock): ScriptedMock => (open.push(m), m)

describe('the scripted agent', () => {
  it('prefers the read tool by name and path parameter, falls back to a shell tool, and answers only from the tool result', () => {
    const agent = new ScriptedAgent(task)
    const call = agent.decide({ tools: [{ name: 'Bash', kind: 'function', schema: { properties: { command: { type: 'string' } } } }, { name: 'Read', kind: 'function', schema: { properties: { file_path: { type: 'string' } } } }], toolResults: [] })
    expect(call).toMatchObject({ kind: 'tool_call', name: 'Read', args: { file_path: '/work/project/hello.txt' } })
    const shell = new ScriptedAgent(task).decide({ tools: [{ name: 'exec_command', kind: 'function', schema: { properties: { cmd: { type: 'string' }, workdir: { type: 'string' } } } }], toolResults: [] })
    expect(shell).toMatchObject({ kind: 'tool_call', name: 'exec_command', args: { cmd: 'cat hello.txt', workdir: '/work/project' } })
    if (call.kind !== 'tool_call') throw new Error('no call')
    expect(agent.decide({ tools: [], toolResults: [{ callId: call.callId, text: FILE_TEXT }] })).toEqual({ kind: 'text', text: answerSentence('hello.txt', WORD), why: 'answer' })
  })

  it('does not invent the answer: a result without the word, or a result for a call it never made, gives no answer sentence', () => {
    const agent = new ScriptedAgent(task)
    const call = agent.decide({ tools: [{ name: 'read', kind: 'function', schema: { properties: { filePath: { type: 'string' } } } }], toolResults: [] })
    if (call.kind !== 'tool_call') throw new Error('no call')
    const wrong = agent.decide({ tools: [], toolResults: [{ callId: call.callId, text: 'ENOENT: no such file' }] })
    expect(wrong.kind === 'text' && wrong.text).toContain('did not contain')
    const stranger = new ScriptedAgent(task).decide({ tools: [], toolResults: [{ callId: 'call_someone_else', text: FILE_TEXT }] })
    expect(stranger).toMatchObject({ kind: 'text', why: 'side-request' })
  })

  it('answers JSON-only side requests with the smallest object their schema allows', () => {
    expect(sampleFromSchema({ type: 'object', properties: { reasoning: { type: 'string' }, next_speaker: { type: 'string', enum: ['user', 'model'] } }, required: ['reasoning', 'next_speaker'] })).toEqual({ reasoning: 'ok', next_speaker: 'user' })
  })
})

describe('scripted mocks through the official SDKs', () => {
  it('OpenAI Chat: tool call streamed in pieces, then the answer; usage only when include_usage asks; wrong key and model refused', async () => {
    const mock = track(await startScriptedChat({ agent: new ScriptedAgent(task) }))
    const client = new OpenAI({ baseURL: mock.baseUrl, apiKey: mock.key, maxRetries: 0 })
    const tools = [{ type: 'function' as const, function: readTool }]
    const messages: OpenAI.ChatCompletionMessageParam[] = [{ role: 'user', content: 'read hello.txt' }]
    const first = await client.chat.completions.stream({ model: mock.model, messages, tools, stream_options: { include_usage: true } }).finalChatCompletion()
    const call = first.choices[0]!.message.tool_calls![0]!
    expect(call.type === 'function' && JSON.parse(call.function.arguments)).toEqual({ file_path: '/work/project/hello.txt' })
    expect(first.usage).toMatchObject({ prompt_tokens: 1200, completion_tokens: 40, prompt_tokens_details: { cached_tokens: 256 } })
    messages.push(first.choices[0]!.message, { role: 'tool', tool_call_id: call.id, content: FILE_TEXT })
    const second = await client.chat.completions.stream({ model: mock.model, messages, tools }).finalChatCompletion()
    expect(second.choices[0]!.message.content).toBe(answerSentence('hello.txt', WORD))
    expect(second.usage ?? undefined).toBeUndefined()
    expect(mock.modelCalls.map((c) => c.completed)).toEqual([true, true])
    await expect(new OpenAI({ baseURL: mock.baseUrl, apiKey: 'other', maxRetries: 0 }).chat.completions.create({ model: mock.model, messages })).rejects.toMatchObject({ status: 401 })
    await expect(client.chat.completions.create({ model: 'gpt-4o', messages })).rejects.toMatchObject({ status: 404 })
  })

  it('Anthropic Messages: tool_use with input_json_delta, then the answer; cache counts in message_start', async () => {
    const mock = track(await startScriptedAnthropic({ agent: new ScriptedAgent(task) }))
    const client = new Anthropic({ baseURL: mock.baseUrl, apiKey: mock.key, maxRetries: 0 })
    const tools = [{ name: 'Read', description: 'Reads a file', input_schema: { type: 'object' as const, properties: { file_path: { type: 'string' } } } }]
    const messages: Anthropic.MessageParam[] = [{ role: 'user', content: 'read hello.txt' }]
    const first = await client.messages.stream({ model: mock.model, max_tokens: 1024, messages, tools }).finalMessage()
    const use = first.content.find((b) => b.type === 'tool_use')!
    expect(use).toMatchObject({ name: 'Read', input: { file_path: '/work/project/hello.txt' } })
    expect(first.usage).toMatchObject({ input_tokens: 1200 - 256, cache_read_input_tokens: 256, output_tokens: 40 })
    messages.push({ role: 'assistant', content: first.content }, { role: 'user', content: [{ type: 'tool_result', tool_use_id: use.id, content: FILE_TEXT }] })
    const second = await client.messages.stream({ model: mock.model, max_tokens: 1024, messages, tools }).finalMessage()
    expect(second.content).toEqual([expect.objectContaining({ type: 'text', text: answerSentence('hello.txt', WORD) })])
    expect(mock.modelCalls.map((c) => c.usage.reasoningTokens)).toEqual([0, 0])
    await expect(new Anthropic({ baseURL: mock.baseUrl, apiKey: 'other', maxRetries: 0 }).messages.create({ model: mock.model, max_tokens: 5, messages })).rejects.toMatchObject({ status: 401 })
  })

  it('OpenAI Responses: function_call item with argument deltas, then the answer; usage with cached and reasoning tokens', async () => {
    const mock = track(await startScriptedResponses({ agent: new ScriptedAgent(task) }))
    const client = new OpenAI({ baseURL: mock.baseUrl, apiKey: mock.key, maxRetries: 0 })
    const tools = [{ type: 'function' as const, name: 'exec_command', strict: false, parameters: { type: 'object', properties: { cmd: { type: 'string' } } } }]
    const first = await client.responses.stream({ model: mock.model, input: 'read hello.txt', tools }).finalResponse()
    const call = first.output.find((i) => i.type === 'function_call')!
    expect(call).toMatchObject({ name: 'exec_command', arguments: JSON.stringify({ cmd: 'cat hello.txt' }) })
    expect(first.usage).toMatchObject({ input_tokens: 1200, output_tokens: 40, input_tokens_details: { cached_tokens: 256 }, output_tokens_details: { reasoning_tokens: 5 } })
    const second = await client.responses.stream({ model: mock.model, tools, input: [{ role: 'user', content: 'read hello.txt' }, call, { type: 'function_call_output', call_id: call.call_id, output: FILE_TEXT }] }).finalResponse()
    expect(second.output_text).toBe(answerSentence('hello.txt', WORD))
    const plain = await client.responses.create({ model: mock.model, input: 'hi' })
    expect(plain.output_text).toBe('Reading hello.txt.')
  })

  it('Gemini: functionCall part, then the answer from the functionResponse; SSE with alt=sse, a JSON array without', async () => {
    const mock = track(await startScriptedGemini({ agent: new ScriptedAgent(task) }))
    const tools = [{ functionDeclarations: [{ name: 'read_file', parametersJsonSchema: readTool.parameters }] }]
    const path = `/v1beta/models/${mock.model}:streamGenerateContent`
    const headers = { 'content-type': 'application/json', 'x-goog-api-key': mock.key }
    const contents: unknown[] = [{ role: 'user', parts: [{ text: 'read hello.txt' }] }]
    const first = await request(mock.url, { path: `${path}?alt=sse`, headers, body: { contents, tools } })
    const chunks = sseData(first.text).map((d) => JSON.parse(d))
    const fc = chunks[0].candidates[0].content.parts[0].functionCall
    expect(fc).toMatchObject({ name: 'read_file', args: { file_path: '/work/project/hello.txt' } })
    expect(chunks.at(-1).usageMetadata).toMatchObject({ promptTokenCount: 1200, candidatesTokenCount: 35, thoughtsTokenCount: 5, cachedContentTokenCount: 256 })
    contents.push({ role: 'model', parts: [{ functionCall: fc }] }, { role: 'user', parts: [{ functionResponse: { id: fc.id, name: fc.name, response: { output: FILE_TEXT } } }] })
    const second = await request(mock.url, { path, headers, body: { contents, tools } })
    const array = second.json<unknown>() as Array<{ candidates: Array<{ content: { parts: Array<{ text: string }> } }> }>
    expect(array.map((c) => c.candidates[0]!.content.parts[0]!.text).join('')).toBe(answerSentence('hello.txt', WORD))
    expect((await request(mock.url, { path: `${path}?alt=sse&key=wrong`, headers: { 'content-type': 'application/json' }, body: { contents } })).status).toBe(400)
  })
})
