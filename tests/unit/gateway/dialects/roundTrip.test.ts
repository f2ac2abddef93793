// Each codec against itself: encode(canonical) then decode gives the canonical value back, for
// requests, answers and streams. What a dialect cannot carry is listed per codec, so a loss that
// is not on the list fails the test. Gemini reads the model and streaming from the path its
// encoder built.
import { describe, expect, it } from 'vitest'
import type { CanonicalRequest, CanonicalResponse, StreamEvent } from '../../../../src/main/gateway/dialects/canonical'
import { DIALECTS, type Dialect } from '../../../../src/main/gateway/dialects/codec'
import { codecFor } from '../../../../src/main/gateway/dialects/registry'
import { seededRandom } from '../../../helpers/random'
import { randomSplit, requestTargetOf } from './helpers'

const PNG = { kind: 'base64' as const, mediaType: 'image/png', data: 'iVBORw0KGgo=' }

const REQUEST: CanonicalRequest = {
  model: 'm',
  system: [{ type: 'text', text: 'Be brief.' }],
  messages: [
    { role: 'user', content: [{ type: 'text', text: 'What is on this picture?' }, { type: 'image', source: PNG }, { type: 'image', source: { kind: 'url', url: 'https://example.com/a.jpg' } }] },
    {
      role: 'assistant',
      content: [
        { type: 'reasoning', summary: ['Look closer.'], signature: 'sig-1' },
        { type: 'text', text: 'Zooming in.' },
        { type: 'tool_call', kind: 'function', id: 'call_1', name: 'zoom', arguments: '{"factor":2}' },
      ],
    },
    { role: 'user', content: [{ type: 'tool_result', callId: 'call_1', content: [{ type: 'text', text: 'zoomed' }] }, { type: 'text', text: 'Well?' }] },
  ],
  tools: [{ kind: 'function', name: 'zoom', description: 'Zoom in', parameters: { type: 'object', properties: { factor: { type: 'number' } } } }],
  toolChoice: { type: 'tool', name: 'zoom' },
  parallelToolCalls: false,
  sampling: { maxOutputTokens: 500, temperature: 0.3, topP: 0.9 },
  responseFormat: { type: 'json_schema', name: 'answer', schema: { type: 'object' }, strict: true },
  user: 'u-1',
  stream: true,
}

/** What each dialect cannot carry, applied to the canonical request before comparing. */
const REQUEST_LOSSES: Record<Dialect, (r: CanonicalRequest) => void> = {
  // Chat has no top-level instructions (they become a system message), no signatures, and no top_k.
  'openai-chat': (r) => {
    r.messages.unshift({ role: 'system', content: r.system! })
    delete r.system
    r.messages[2]!.content[0] = { type: 'reasoning', text: 'Look closer.' }
    // A tool turn followed by text is two chat messages; the canonical form splits the same way.
    r.messages.splice(3, 1, { role: 'user', content: [r.messages[3]!.content[0] as never] }, { role: 'user', content: [{ type: 'text', text: 'Well?' }] })
  },
  // Anthropic keeps signed thinking as a summary; a json_schema format loses its name.
  'anthropic-messages': (r) => {
    r.responseFormat = { type: 'json_schema', schema: { type: 'object' }, strict: true }
  },
  // Responses accepts back only its own (encrypted) reasoning; a tool result is its own item. It
  // also states what the others leave implicit: image detail, function strictness, no store.
  'openai-responses': (r) => {
    for (const p of r.messages[0]!.content) if (p.type === 'image') p.detail = 'auto'
    if (r.tools![0]!.kind === 'function') r.tools![0]!.strict = false
    r.messages[1]!.content.shift()
    r.messages.splice(2, 1, { role: 'user', content: [r.messages[2]!.content[0] as never, { type: 'text', text: 'Well?' }] })
    r.store = false
  },
  // Gemini has no end-user id and no parallel-call switch; a response schema has no name or strictness.
  gemini: (r) => {
    delete r.parallelToolCalls
    delete r.user
    r.responseFormat = { type: 'json_schema', schema: { type: 'object' } }
  },
  // Ollama: system text is a message; a message's text is one string with the images beside it
  // (an image behind a URL becomes a note); thinking is raw text without signatures; a tool result
  // is its own message; no tool_choice, parallel switch or end-user id; a schema has no name.
  ollama: (r) => {
    r.messages.unshift({ role: 'system', content: r.system! })
    delete r.system
    r.messages[1] = { role: 'user', content: [{ type: 'text', text: 'What is on this picture?\n[image omitted: this backend only takes inline images]' }, { type: 'image', source: PNG }] }
    r.messages[2]!.content[0] = { type: 'reasoning', text: 'Look closer.' }
    r.messages.splice(3, 1, { role: 'user', content: [r.messages[3]!.content[0] as never] }, { role: 'user', content: [{ type: 'text', text: 'Well?' }] })
    delete r.toolChoice
    delete r.parallelToolCalls
    delete r.user
    r.responseFormat = { type: 'json_schema', schema: { type: 'object' } }
  },
}

const USAGE = { inputTokens: 50, outputTokens: 9, cachedInputTokens: 20, cacheCreationInputTokens: 0, reasoningTokens: 0 }

/** Ollama answers carry no id and count no cached tokens. */
const ANSWER_LOSSES: Partial<Record<Dialect, (a: CanonicalResponse) => void>> = {
  ollama: (a) => {
    delete a.id
    a.usage = { ...a.usage!, cachedInputTokens: 0 }
  },
}

/** Gemini and Ollama stream each tool call whole; Ollama streams carry no id and no cached count. */
const STREAM_LOSSES: Partial<Record<Dialect, (events: StreamEvent[]) => StreamEvent[]>> = {
  gemini: (events) => joinArguments(events),
  ollama: (events) =>
    joinArguments(events).map((e) => {
      if (e.type === 'start') return { type: 'start' }
      if (e.type === 'finish') return { ...e, usage: { ...e.usage!, cachedInputTokens: 0 } }
      return e
    }),
}

function joinArguments(events: StreamEvent[]): StreamEvent[] {
  const out: StreamEvent[] = []
  for (const e of events) {
    const last = out.at(-1)
    if (e.type === 'block_delta' && e.delta.type === 'arguments' && last?.type === 'block_delta' && last.delta.type === 'arguments' && last.index === e.index) {
      out[out.length - 1] = { ...last, delta: { type: 'arguments', text: last.delta.text + e.delta.text } }
    } else out.push(e)
  }
  return out
}

describe.each(DIALECTS)('%s codec round trips', (dialect) => {
  const codec = codecFor(dialect)

  it('request: decode(encode(canonical)) is the canonical request, less what the dialect cannot carry', () => {
    const expected = structuredClone(REQUEST)
    REQUEST_LOSSES[dialect](expected)
    const encoded = codec.encodeRequest(REQUEST, {})
    const decoded = codec.decodeRequest(encoded.body, requestTargetOf(dialect, encoded.path))
    expect(JSON.parse(JSON.stringify(decoded))).toEqual(JSON.parse(JSON.stringify(expected)))
  })

  it('answer: decode(encode(answer)) keeps content, stop reason, id and usage', () => {
    const answer: CanonicalResponse = {
      id: 'r1',
      content: [
        { type: 'text', text: 'It is a cat.' },
        { type: 'tool_call', kind: 'function', id: 'call_2', name: 'zoom', arguments: '{"factor":4}' },
      ],
      stopReason: 'tool_use',
      usage: USAGE,
    }
    const ctx = { model: 'm', created: 1 }
    const decoded = codec.decodeResponse(codec.encodeResponse(answer, ctx), ctx)
    const expected = structuredClone(answer)
    ANSWER_LOSSES[dialect]?.(expected)
    expect(decoded).toMatchObject({ ...expected, model: 'm' })
    if (expected.id === undefined) expect(decoded.id).toBeUndefined()
  })

  it.each(['end_turn', 'max_tokens'] as const)('answer: stop reason %s survives', (stopReason) => {
    const ctx = { model: 'm' }
    const answer: CanonicalResponse = { content: [{ type: 'text', text: 'x' }], stopReason }
    expect(codec.decodeResponse(codec.encodeResponse(answer, ctx), ctx).stopReason).toBe(stopReason)
  })

  it('stream: the decoder reads back what the encoder wrote, for any split of the bytes', () => {
    const script: StreamEvent[] = [
      { type: 'start', id: 'r1' },
      { type: 'block_start', index: 0, block: { type: 'text' } },
      { type: 'block_delta', index: 0, delta: { type: 'text', text: 'Grüße 👋' } },
      { type: 'block_end', index: 0 },
      { type: 'block_start', index: 1, block: { type: 'tool_call', kind: 'function', id: 'call_3', name: 'zoom' } },
      { type: 'block_delta', index: 1, delta: { type: 'arguments', text: '{"factor":' } },
      { type: 'block_delta', index: 1, delta: { type: 'arguments', text: '8}' } },
      { type: 'block_end', index: 1 },
      { type: 'finish', stopReason: 'tool_use', usage: { inputTokens: 7, outputTokens: 3, cachedInputTokens: 2, cacheCreationInputTokens: 0, reasoningTokens: 0 } },
    ]
    const encoder = codec.streamEncoder({ model: 'm', includeUsage: true, created: 1 })
    const bytes = Buffer.from(script.map((e) => encoder.encode(e)).join(''))
    const read = (chunks: Buffer[]): StreamEvent[] => {
      const decoder = codec.streamDecoder({ model: 'm' })
      return [...chunks.flatMap((c) => decoder.push(c)), ...decoder.end()]
    }
    const events = read([bytes])
    const expected = STREAM_LOSSES[dialect]?.(script) ?? script
    expect(events.filter((e) => e.type !== 'start')).toEqual(expected.slice(1))
    expect(events[0]).toMatchObject(expected[0]!)
    for (let seed = 1; seed <= 20; seed++) expect(read(randomSplit(bytes, seededRandom(seed)))).toEqual(events)
  })
})
