// Translation in every direction among the dialects: requests, non-streamed answers, streams and
// stream errors, each compared by what the receiving side reads back with its own decoder. Usage
// keeps cached and reasoning tokens wherever both dialects can carry them.
import { describe, expect, it } from 'vitest'
import type { AssistantPart, CanonicalRequest, CanonicalResponse, StreamEvent, Usage, UserPart } from '../../../../src/main/gateway/dialects/canonical'
import { DIALECTS, type Dialect } from '../../../../src/main/gateway/dialects/codec'
import { codecFor } from '../../../../src/main/gateway/dialects/registry'
import { translateRequest, translateResponse, translateStream } from '../../../../src/main/gateway/dialects/translate'
import { requestTargetOf } from './helpers'

const PAIRS: Array<[Dialect, Dialect]> = DIALECTS.flatMap((from) => DIALECTS.filter((to) => to !== from).map((to): [Dialect, Dialect] => [from, to]))
const WEATHER_SCHEMA = { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] }

/** One conversation, written natively in each dialect. */
const CONVERSATION: Record<Dialect, Record<string, unknown>> = {
  'openai-chat': {
    model: 'm',
    max_tokens: 300,
    temperature: 0.5,
    stream: true,
    tools: [{ type: 'function', function: { name: 'get_weather', description: 'Weather now', parameters: WEATHER_SCHEMA } }],
    tool_choice: 'required',
    messages: [
      { role: 'system', content: 'Be brief.' },
      { role: 'user', content: 'Weather in Paris?' },
      { role: 'assistant', content: null, tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } }] },
      { role: 'tool', tool_call_id: 'call_1', content: '18°C' },
      { role: 'user', content: 'And tomorrow?' },
    ],
  },
  'anthropic-messages': {
    model: 'm',
    max_tokens: 300,
    temperature: 0.5,
    stream: true,
    system: 'Be brief.',
    tools: [{ name: 'get_weather', description: 'Weather now', input_schema: WEATHER_SCHEMA }],
    tool_choice: { type: 'any' },
    messages: [
      { role: 'user', content: 'Weather in Paris?' },
      { role: 'assistant', content: [{ type: 'tool_use', id: 'call_1', name: 'get_weather', input: { city: 'Paris' } }] },
      { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'call_1', content: '18°C' }, { type: 'text', text: 'And tomorrow?' }] },
    ],
  },
  'openai-responses': {
    model: 'm',
    max_output_tokens: 300,
    temperature: 0.5,
    stream: true,
    instructions: 'Be brief.',
    tools: [{ type: 'function', name: 'get_weather', description: 'Weather now', parameters: WEATHER_SCHEMA, strict: false }],
    tool_choice: 'required',
    input: [
      { role: 'user', content: 'Weather in Paris?' },
      { type: 'function_call', call_id: 'call_1', name: 'get_weather', arguments: '{"city":"Paris"}' },
      { type: 'function_call_output', call_id: 'call_1', output: '18°C' },
      { role: 'user', content: 'And tomorrow?' },
    ],
  },
  // The model and streaming are in the URL (TARGETS); this function call carries an id, as newer models' do.
  gemini: {
    systemInstruction: { parts: [{ text: 'Be brief.' }] },
    tools: [{ functionDeclarations: [{ name: 'get_weather', description: 'Weather now', parameters: { type: 'OBJECT', properties: { city: { type: 'STRING' } }, required: ['city'] } }] }],
    toolConfig: { functionCallingConfig: { mode: 'ANY' } },
    generationConfig: { maxOutputTokens: 300, temperature: 0.5 },
    contents: [
      { role: 'user', parts: [{ text: 'Weather in Paris?' }] },
      { role: 'model', parts: [{ functionCall: { id: 'call_1', name: 'get_weather', args: { city: 'Paris' } } }] },
      { role: 'user', parts: [{ functionResponse: { id: 'call_1', name: 'get_weather', response: { output: '18°C' } } }, { text: 'And tomorrow?' }] },
    ],
  },
  // Ollama has no tool_choice (NO_TOOL_CHOICE).
  ollama: {
    model: 'm',
    stream: true,
    options: { num_predict: 300, temperature: 0.5 },
    tools: [{ type: 'function', function: { name: 'get_weather', description: 'Weather now', parameters: WEATHER_SCHEMA } }],
    messages: [
      { role: 'system', content: 'Be brief.' },
      { role: 'user', content: 'Weather in Paris?' },
      { role: 'assistant', content: '', tool_calls: [{ id: 'call_1', function: { name: 'get_weather', arguments: { city: 'Paris' } } }] },
      { role: 'tool', content: '18°C', tool_call_id: 'call_1', tool_name: 'get_weather' },
      { role: 'user', content: 'And tomorrow?' },
    ],
  },
}
const TARGETS: Partial<Record<Dialect, { model: string; stream: boolean }>> = { gemini: { model: 'm', stream: true } }
const NO_TOOL_CHOICE: readonly Dialect[] = ['ollama']

type Turn = [string, ...unknown[]]

/** What a request means, whatever dialect carried it: instructions, turns, tools, settings. */
function essence(req: CanonicalRequest) {
  const system = [...(req.system ?? []), ...req.messages.flatMap((m) => (m.role === 'system' ? m.content : []))].map((p) => p.text).join('\n\n')
  const turns: Array<{ role: string; parts: Turn[] }> = []
  for (const m of req.messages) {
    if (m.role === 'system') continue
    const parts = (m.content as Array<UserPart | AssistantPart>).flatMap((p): Turn[] => {
      if (p.type === 'text') return [['text', p.text]]
      if (p.type === 'tool_call' && p.kind === 'function') return [['call', p.id, p.name, JSON.parse(p.arguments)]]
      if (p.type === 'tool_result') return [['result', p.callId, p.content.map((c) => (c.type === 'text' ? c.text : c.type)).join('')]]
      return []
    })
    const last = turns.at(-1)
    if (last?.role === m.role) last.parts.push(...parts)
    else turns.push({ role: m.role, parts })
  }
  const tools = (req.tools ?? []).map((t) => (t.kind === 'function' ? [t.name, t.description, t.parameters] : [t.name]))
  return { system, turns, tools, toolChoice: req.toolChoice, max: req.sampling.maxOutputTokens, temperature: req.sampling.temperature, stream: req.stream }
}

describe('requests in every direction', () => {
  const meaning = essence(codecFor('openai-chat').decodeRequest(CONVERSATION['openai-chat']))
  /** The meaning as a dialect can carry it. */
  const meaningIn = (...dialects: Dialect[]) => (dialects.some((d) => NO_TOOL_CHOICE.includes(d)) ? { ...meaning, toolChoice: undefined } : meaning)

  it('the native bodies say the same thing', () => {
    for (const d of DIALECTS) expect(essence(codecFor(d).decodeRequest(CONVERSATION[d], TARGETS[d])), d).toEqual(meaningIn(d))
    expect(meaning.turns).toHaveLength(3)
  })

  it.each(PAIRS)('%s -> %s keeps the conversation, tools and settings', (from, to) => {
    const out = translateRequest(from, to, CONVERSATION[from], { upstreamModel: 'upstream-model' }, TARGETS[from])
    const decoded = codecFor(to).decodeRequest(out.body, requestTargetOf(to, out.path))
    expect(decoded.model).toBe('upstream-model')
    expect(essence(decoded)).toEqual(meaningIn(from, to))
  })
})

const USAGE: Usage = { inputTokens: 100, outputTokens: 40, cachedInputTokens: 60, cacheCreationInputTokens: 0, reasoningTokens: 12 }
const ANSWER: CanonicalResponse = {
  id: 'abc',
  content: [
    { type: 'reasoning', text: 'Paris, so metric.' },
    { type: 'text', text: 'Checking.' },
    { type: 'tool_call', kind: 'function', id: 'call_7', name: 'get_weather', arguments: '{"city":"Paris"}' },
  ],
  stopReason: 'tool_use',
  usage: USAGE,
}

/**
 * Anthropic counts no reasoning tokens of its own, and Ollama neither reasoning nor cached ones,
 * so they are lost on a path through them; every other count is exact.
 */
function expectedUsage(from: Dialect, to: Dialect): Usage {
  const through = (d: Dialect) => from === d || to === d
  if (through('ollama')) return { ...USAGE, cachedInputTokens: 0, reasoningTokens: 0 }
  return through('anthropic-messages') ? { ...USAGE, reasoningTokens: 0 } : USAGE
}

function answerEssence(parts: AssistantPart[]) {
  return parts.map((p) => {
    if (p.type === 'reasoning') return ['reasoning', p.text ?? p.summary?.join('')]
    if (p.type === 'tool_call') return ['call', p.id, p.name, p.kind === 'function' ? JSON.parse(p.arguments) : p.input]
    return [p.type, p.text]
  })
}

describe('non-streamed answers in every direction', () => {
  it.each(PAIRS)('upstream %s -> client %s: content, stop reason and usage', (from, to) => {
    const ctx = { model: 'client-model', created: 1700000000 }
    const upstreamBody = codecFor(from).encodeResponse(ANSWER, ctx)
    const clientBody = translateResponse(from, to, upstreamBody, ctx)
    const read = codecFor(to).decodeResponse(clientBody, ctx)
    expect(read.model).toBe('client-model')
    expect(answerEssence(read.content)).toEqual(answerEssence(ANSWER.content))
    expect(read.stopReason).toBe('tool_use')
    expect(read.usage).toEqual(expectedUsage(from, to))
  })

  it('cache writes survive Anthropic -> Responses and back into Anthropic terms', () => {
    const usage = { ...USAGE, inputTokens: 130, cacheCreationInputTokens: 30, reasoningTokens: 0 }
    const anthropic = codecFor('anthropic-messages').encodeResponse({ ...ANSWER, usage }, { model: 'm' })
    expect((anthropic as { usage: unknown }).usage).toEqual({ input_tokens: 40, output_tokens: 40, cache_creation_input_tokens: 30, cache_read_input_tokens: 60 })
    const responses = translateResponse('anthropic-messages', 'openai-responses', anthropic, { model: 'm' }) as { usage: unknown }
    expect(responses.usage).toEqual({ input_tokens: 130, input_tokens_details: { cached_tokens: 60, cache_write_tokens: 30 }, output_tokens: 40, output_tokens_details: { reasoning_tokens: 0 }, total_tokens: 170 })
  })
})

const SCRIPT: StreamEvent[] = [
  { type: 'start', id: 'abc' },
  { type: 'block_start', index: 0, block: { type: 'reasoning' } },
  { type: 'block_delta', index: 0, delta: { type: 'reasoning', text: 'Paris, ' } },
  { type: 'block_delta', index: 0, delta: { type: 'reasoning', text: 'so metric.' } },
  { type: 'block_end', index: 0 },
  { type: 'block_start', index: 1, block: { type: 'text' } },
  { type: 'block_delta', index: 1, delta: { type: 'text', text: 'Check' } },
  { type: 'block_delta', index: 1, delta: { type: 'text', text: 'ing.' } },
  { type: 'block_end', index: 1 },
  { type: 'block_start', index: 2, block: { type: 'tool_call', kind: 'function', id: 'call_7', name: 'get_weather' } },
  { type: 'block_delta', index: 2, delta: { type: 'arguments', text: '{"city":' } },
  { type: 'block_delta', index: 2, delta: { type: 'arguments', text: '"Paris"}' } },
  { type: 'block_end', index: 2 },
  { type: 'finish', stopReason: 'tool_use', usage: USAGE },
]

/** Upstream bytes in `dialect` for the script, as that dialect's own encoder writes them. */
function upstreamStream(dialect: Dialect, script: StreamEvent[], failWith?: string): Buffer {
  const encoder = codecFor(dialect).streamEncoder({ model: 'upstream-model', includeUsage: true, created: 1 })
  let out = script.map((e) => encoder.encode(e)).join('')
  if (failWith) out += encoder.fail(failWith, 503)
  return Buffer.from(out)
}

/** What a client of `dialect` reads from a stream: text, reasoning, calls, stop reason, usage or error. */
function readStream(dialect: Dialect, bytes: string) {
  const events = [...codecFor(dialect).streamDecoder({ model: 'm' }).push(Buffer.from(bytes))]
  const text: Record<string, string> = {}
  const kinds = new Map<number, string>()
  const calls: unknown[] = []
  for (const e of events) {
    if (e.type === 'block_start') {
      kinds.set(e.index, e.block.type)
      if (e.block.type === 'tool_call') calls.push([e.block.id, e.block.name])
      text[e.block.type] ??= ''
    }
    if (e.type === 'block_delta' && 'text' in e.delta) text[kinds.get(e.index) === 'tool_call' ? 'arguments' : kinds.get(e.index)!] = (text[kinds.get(e.index) === 'tool_call' ? 'arguments' : kinds.get(e.index)!] ?? '') + e.delta.text
  }
  const finish = events.find((e) => e.type === 'finish')
  const error = events.find((e) => e.type === 'error')
  return { text: text.text, reasoning: text.reasoning, arguments: text.arguments, calls, finish, error }
}

describe('streams in every direction', () => {
  it.each(PAIRS)('upstream %s -> client %s: text, reasoning, tool call, stop reason and usage', (from, to) => {
    const t = translateStream(from, to, { model: 'client-model', includeUsage: true, created: 1 })
    const out = t.push(upstreamStream(from, SCRIPT)) + t.end()
    expect(t.done).toBe(true)
    const read = readStream(to, out)
    expect(read).toMatchObject({ text: 'Checking.', reasoning: 'Paris, so metric.', arguments: '{"city":"Paris"}', calls: [['call_7', 'get_weather']] })
    expect(read.error).toBeUndefined()
    expect(read.finish).toMatchObject({ stopReason: 'tool_use', usage: expectedUsage(from, to) })
    // Metering reads the upstream's own count, whatever the client sees.
    expect(t.usage()).toEqual({ promptTokens: 100, completionTokens: 40, cachedTokens: from === 'ollama' ? 0 : 60 })
  })

  it.each(PAIRS)('upstream %s -> client %s: a failure mid-stream reaches the client as its own error event', (from, to) => {
    const t = translateStream(from, to, { model: 'client-model', created: 1 })
    const out = t.push(upstreamStream(from, SCRIPT.slice(0, 7), 'the GPU fell over')) + t.end()
    const read = readStream(to, out)
    expect(read.finish).toBeUndefined()
    expect(read.error).toMatchObject({ type: 'error', error: { message: 'the GPU fell over' } })
  })
})
