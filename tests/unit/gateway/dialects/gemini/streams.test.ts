// Gemini streams both ways: golden client streams built from chat and Anthropic upstreams (SSE
// text, a function call with its thinking's signature, the JSON-array stream) and a golden
// Anthropic stream built from a Gemini upstream; identical output for any split of the upstream
// bytes; and the edges — mid-stream errors, cut-short and blocked streams, keep-alives, where
// signatures ride.
import { describe, expect, it } from 'vitest'
import type { StreamEvent } from '../../../../../src/main/gateway/dialects/canonical'
import { codecFor } from '../../../../../src/main/gateway/dialects/registry'
import { translateStream } from '../../../../../src/main/gateway/dialects/translate'
import { seededRandom } from '../../../../helpers/random'
import { bytesOf, randomSplit, readClientStream, readEvents, streamFixtures, translateFixture } from '../helpers'

const fixtures = streamFixtures('gemini-')
const sse = (o: object) => `data: ${JSON.stringify(o)}\n\n`
const chunk = (parts: object[], extra: object = {}) => sse({ candidates: [{ content: { role: 'model', parts }, index: 0, ...extra }], modelVersion: 'gemini-2.5-flash', responseId: 'r9' })

describe('Gemini streams (golden)', () => {
  it('has a fixture for each shape', () => {
    expect(fixtures.map(([f]) => f)).toEqual(['gemini-stream-function-call.json', 'gemini-stream-json-array.json', 'gemini-stream-text.json', 'gemini-upstream-thought-call.json'])
  })

  it.each(fixtures)('%s', (_file, fx) => {
    const out = translateFixture(fx, [bytesOf(fx.upstream)])
    expect(readClientStream(fx.clientDialect, fx.options, out)).toEqual(fx.expected)
  })

  it.each(fixtures)('%s: identical output for any split of the upstream bytes and any line ending', (_file, fx) => {
    const bytes = bytesOf(fx.upstream)
    const whole = translateFixture(fx, [bytes])
    for (let seed = 1; seed <= 50; seed++) expect(translateFixture(fx, randomSplit(bytes, seededRandom(seed))), `seed ${seed}`).toBe(whole)
    expect(translateFixture(fx, [...bytes].map((b) => Buffer.from([b])))).toBe(whole)
    expect(translateFixture(fx, randomSplit(bytesOf(fx.upstream, '\r\n'), seededRandom(3)))).toBe(whole)
  })

  it('the JSON-array stream is one array, its elements written as they come, separated as Google separates them', () => {
    const fx = fixtures.find(([f]) => f.includes('json-array'))![1]
    const out = translateFixture(fx, [bytesOf(fx.upstream)])
    expect(out).toBe('[' + fx.expected.map((e) => JSON.stringify(e)).join(',\r\n') + ']')
  })

  it('the SSE stream is read back by the Gemini decoder as the upstream said it', () => {
    const fx = fixtures.find(([f]) => f.includes('function-call'))![1]
    const out = translateFixture(fx, [bytesOf(fx.upstream)])
    const events = codecFor('gemini').streamDecoder({ model: 'm' }).push(Buffer.from(out))
    expect(events.filter((e) => e.type === 'block_delta').map((e) => (e as Extract<StreamEvent, { type: 'block_delta' }>).delta)).toEqual([
      { type: 'reasoning_summary', text: 'The user wants the file; ', summaryIndex: 0 },
      { type: 'reasoning_summary', text: 'read it.', summaryIndex: 0 },
      { type: 'signature', signature: 'EqQBCgIYAhIMsig' },
      { type: 'arguments', text: '{"absolute_path":"/tmp/Résumé.md"}' },
    ])
    expect(events.at(-1)).toEqual({ type: 'finish', stopReason: 'tool_use', usage: { inputTokens: 30, outputTokens: 42, cachedInputTokens: 10, cacheCreationInputTokens: 0, reasoningTokens: 0 } })
  })
})

describe('Gemini upstream streams', () => {
  const toChat = (body: string) => {
    const t = translateStream('gemini', 'openai-chat', { model: 'm', created: 1 })
    return { out: t.push(Buffer.from(body)) + t.end(), t }
  }

  it("an {error} chunk mid-stream fails the client's stream with the upstream's message and status", () => {
    const { out } = toChat(chunk([{ text: 'Half an ans' }]) + sse({ error: { code: 429, message: 'Resource has been exhausted (e.g. check quota).', status: 'RESOURCE_EXHAUSTED' } }))
    const events = readEvents(out)
    expect(events.at(-1)).toEqual({ data: { error: { message: 'Resource has been exhausted (e.g. check quota).', type: 'rate_limit_error', code: 429, param: null } } })
    expect(out).not.toContain('[DONE]')
  })

  it('a stream that ends without a finishReason is reported cut short, not passed off as complete', () => {
    const { out } = toChat(chunk([{ text: 'Half' }]))
    expect(readEvents(out).at(-1)).toMatchObject({ data: { error: { message: expect.stringContaining('before the answer was complete') } } })
  })

  it('a prompt blocked before any candidate finishes as a content filter', () => {
    const { out, t } = toChat(sse({ promptFeedback: { blockReason: 'PROHIBITED_CONTENT' }, usageMetadata: { promptTokenCount: 7, totalTokenCount: 7 }, modelVersion: 'gemini-2.5-flash' }))
    expect(readEvents(out).find((e) => (e.data as { choices?: Array<{ finish_reason: string }> }).choices?.[0]?.finish_reason)).toMatchObject({ data: { choices: [{ finish_reason: 'content_filter' }] } })
    expect(t.usage()).toEqual({ promptTokens: 7, completionTokens: 0, cachedTokens: 0 })
  })

  it('a signature on a text part with no thinking before it stands as a signed thinking block of its own; the placeholder signature is no signature', () => {
    const t = translateStream('gemini', 'anthropic-messages', { model: 'm' })
    const body = chunk([{ text: 'Done.', thoughtSignature: 'sigA' }]) + chunk([{ functionCall: { name: 'ls', args: {} }, thoughtSignature: 'skip_thought_signature_validator' }], { finishReason: 'STOP' })
    const blocks = readEvents(t.push(Buffer.from(body))).filter((e) => e.event === 'content_block_start' || e.event === 'content_block_delta')
    expect(blocks.map((e) => e.data)).toEqual([
      { type: 'content_block_start', index: 0, content_block: { type: 'thinking', thinking: '', signature: '' } },
      { type: 'content_block_delta', index: 0, delta: { type: 'signature_delta', signature: 'sigA' } },
      { type: 'content_block_start', index: 1, content_block: { type: 'text', text: '' } },
      { type: 'content_block_delta', index: 1, delta: { type: 'text_delta', text: 'Done.' } },
      { type: 'content_block_start', index: 2, content_block: { type: 'tool_use', id: 'call_r9_0', name: 'ls', input: {} } },
      { type: 'content_block_delta', index: 2, delta: { type: 'input_json_delta', partial_json: '{}' } },
    ])
  })

  it('usage: prompt includes cached tokens, thoughts count as output and as reasoning, the last report wins', () => {
    const { t } = toChat(chunk([{ text: 'a' }]) + sse({ candidates: [{ content: { parts: [] }, finishReason: 'MAX_TOKENS' }], usageMetadata: { promptTokenCount: 100, candidatesTokenCount: 20, thoughtsTokenCount: 30, cachedContentTokenCount: 40, toolUsePromptTokenCount: 5 } }))
    expect(t.usage()).toEqual({ promptTokens: 105, completionTokens: 50, cachedTokens: 40 })
  })
})

describe('Gemini stream encoder edges', () => {
  const encoder = (geminiJsonArray: boolean) => codecFor('gemini').streamEncoder({ model: 'gemini-2.5-flash', geminiJsonArray })

  it.each([false, true])('a failure before any upstream byte is Google\'s error object (JSON array: %s)', (jsonArray) => {
    const e = encoder(jsonArray)
    const out = e.fail('upstream stalled for 120000 ms', 504)
    const error = { error: { code: 504, message: 'upstream stalled for 120000 ms', status: 'DEADLINE_EXCEEDED' } }
    expect(jsonArray ? JSON.parse(out) : readEvents(out).map((x) => x.data)).toEqual([error])
    expect(e.done).toBe(true)
    expect(e.encode({ type: 'block_start', index: 0, block: { type: 'text' } })).toBe('')
  })

  it('keep-alives: nothing on SSE (old google-genai SDKs fail on comment lines), whitespace inside the array (the array still parses)', () => {
    expect(encoder(false).encode({ type: 'keepalive' })).toBe('')
    const e = encoder(true)
    let out = e.start() + e.encode({ type: 'keepalive' }) + e.encode({ type: 'keepalive' })
    out += e.encode({ type: 'block_start', index: 0, block: { type: 'text' } }) + e.encode({ type: 'block_delta', index: 0, delta: { type: 'text', text: 'hi' } }) + e.encode({ type: 'keepalive' })
    out += e.encode({ type: 'finish', stopReason: 'end_turn' })
    expect(out.startsWith('[\n\n{')).toBe(true)
    expect((JSON.parse(out) as unknown[]).length).toBe(2)
  })

  it('a signature rides on the next non-thought part; a second one before any part goes on an empty text part; one left at the end on the finish chunk', () => {
    const e = encoder(false)
    const script: StreamEvent[] = [
      { type: 'block_start', index: 0, block: { type: 'reasoning' } },
      { type: 'block_delta', index: 0, delta: { type: 'reasoning_summary', text: 'hm', summaryIndex: 0 } },
      { type: 'block_delta', index: 0, delta: { type: 'signature', signature: 's1' } },
      { type: 'block_end', index: 0 },
      { type: 'block_start', index: 1, block: { type: 'reasoning' } },
      { type: 'block_delta', index: 1, delta: { type: 'signature', signature: 's2' } },
      { type: 'block_end', index: 1 },
      { type: 'block_start', index: 2, block: { type: 'text' } },
      { type: 'block_delta', index: 2, delta: { type: 'text', text: 'A' } },
      { type: 'block_delta', index: 2, delta: { type: 'text', text: 'B' } },
      { type: 'block_end', index: 2 },
      { type: 'block_start', index: 3, block: { type: 'reasoning' } },
      { type: 'block_delta', index: 3, delta: { type: 'signature', signature: 's3' } },
      { type: 'block_end', index: 3 },
      { type: 'finish', stopReason: 'end_turn' },
    ]
    const parts = readEvents(script.map((x) => e.encode(x)).join('')).map((x) => (x.data as { candidates: Array<{ content: { parts: unknown[] } }> }).candidates[0]!.content.parts)
    expect(parts).toEqual([[{ text: 'hm', thought: true }], [{ text: '', thoughtSignature: 's1' }], [{ text: 'A', thoughtSignature: 's2' }], [{ text: 'B' }], [{ text: '', thoughtSignature: 's3' }]])
  })
})
