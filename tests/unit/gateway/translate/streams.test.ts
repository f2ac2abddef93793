import { describe, expect, it } from 'vitest'
import { seededRandom } from '../../../helpers/random'
import { anthropicStreamToOpenAI, openAIStreamToAnthropic, readEvents, randomSplit, streamFixtures, upstreamBytes, type StreamFixture, type StreamTranslator } from './helpers'

type Make = (fx: StreamFixture) => StreamTranslator
const toAnthropic: Make = (fx) => openAIStreamToAnthropic(fx.options as never)
const toOpenAI: Make = (fx) => anthropicStreamToOpenAI(fx.options as never)

function run(make: Make, fx: StreamFixture, chunks: Buffer[]): string {
  const t = make(fx)
  let out = ''
  for (const c of chunks) out += t.push(c)
  out += t.end()
  expect(t.done).toBe(true)
  return out
}

const suites: Array<[string, string, Make]> = [
  ['OpenAI upstream -> Anthropic client', 'stream-openai-to-anthropic-', toAnthropic],
  ['Anthropic upstream -> OpenAI client', 'stream-anthropic-to-openai-', toOpenAI],
]

for (const [title, prefix, make] of suites) {
  describe(`${title} streaming (golden)`, () => {
    const fixtures = streamFixtures(prefix)
    it('has fixtures', () => expect(fixtures.length).toBeGreaterThanOrEqual(5))

    it.each(fixtures)('%s', (_file, fx) => {
      const out = run(make, fx, [upstreamBytes(fx)])
      expect(readEvents(out)).toEqual(fx.expected)
      // Framing: every event is complete; Anthropic events are named after their type.
      expect(out.endsWith('\n\n')).toBe(true)
      if (prefix.includes('to-anthropic')) {
        for (const e of readEvents(out)) expect(e.event).toBe((e.data as { type: string }).type)
      }
    })

    it.each(fixtures)('%s: identical output for any split of the upstream bytes (300 seeds)', (_file, fx) => {
      const bytes = upstreamBytes(fx)
      const whole = run(make, fx, [bytes])
      for (let seed = 1; seed <= 300; seed++) {
        expect(run(make, fx, randomSplit(bytes, seededRandom(seed))), `seed ${seed}`).toBe(whole)
      }
      // One byte at a time is the worst case for the carry-over buffer.
      expect(run(make, fx, [...bytes].map((b) => Buffer.from([b])))).toBe(whole)
    })

    it.each(fixtures)('%s: identical output with CRLF and CR line ends', (_file, fx) => {
      const whole = run(make, fx, [upstreamBytes(fx)])
      expect(run(make, fx, randomSplit(upstreamBytes(fx, '\r\n'), seededRandom(7)))).toBe(whole)
      expect(run(make, fx, randomSplit(upstreamBytes(fx, '\r'), seededRandom(8)))).toBe(whole)
    })
  })
}

describe('stream translator edge cases', () => {
  it('emits message_start before the first upstream byte when asked (keep-alive pings can follow), once', () => {
    const t = openAIStreamToAnthropic({ model: 'claude-x', messageId: 'msg_req1', inputTokens: 12 })
    const start = readEvents(t.start())
    expect(start).toHaveLength(1)
    expect(start[0]!.data).toMatchObject({ type: 'message_start', message: { id: 'msg_req1', model: 'claude-x', usage: { input_tokens: 12 } } })
    const rest = readEvents(t.push(Buffer.from('data: {"id":"chatcmpl-z","choices":[{"index":0,"delta":{"content":"hi"}}]}\n\n')))
    expect(rest.map((e) => e.event)).toEqual(['content_block_start', 'content_block_delta'])
  })

  it('corrects an estimated input count in message_delta with the upstream\'s', () => {
    const t = openAIStreamToAnthropic({ model: 'm', inputTokens: 90 })
    const out =
      t.push(Buffer.from('data: {"id":"c","choices":[{"index":0,"delta":{"content":"a"},"finish_reason":"stop"}]}\n\n')) +
      t.push(Buffer.from('data: {"id":"c","choices":[],"usage":{"prompt_tokens":100,"completion_tokens":1}}\n\ndata: [DONE]\n\n'))
    const events = readEvents(out)
    expect(events[0]!.data).toMatchObject({ message: { usage: { input_tokens: 90 } } })
    expect(events.at(-2)!.data).toEqual({ type: 'message_delta', delta: { stop_reason: 'end_turn', stop_sequence: null }, usage: { output_tokens: 1, input_tokens: 100, cache_read_input_tokens: 0 } })
  })

  it('ends with an error event on a transport failure and ignores anything after it', () => {
    const t = openAIStreamToAnthropic({ model: 'm' })
    t.push(Buffer.from('data: {"id":"x","choices":[{"index":0,"delta":{"content":"a"}}]}\n\n'))
    expect(readEvents(t.fail('upstream stalled for 120000 ms mid-response', 504))).toEqual([
      { event: 'error', data: { type: 'error', error: { type: 'timeout_error', message: 'upstream stalled for 120000 ms mid-response' } } },
    ])
    expect(t.push(Buffer.from('data: [DONE]\n\n'))).toBe('')
    expect(t.end()).toBe('')
    const o = anthropicStreamToOpenAI({ model: 'm', includeUsage: false })
    expect(readEvents(o.fail('queue timed out', 503))).toEqual([{ data: { error: { message: 'queue timed out', type: 'api_error', code: null, param: null } } }])
  })

  it('a tool call whose name arrives after its first fragment still opens with the name', () => {
    const t = openAIStreamToAnthropic({ model: 'm' })
    const chunks = [
      { choices: [{ index: 0, delta: { tool_calls: [{ index: 0, id: 'call_9', function: { arguments: '{"a"' } }] } }] },
      { choices: [{ index: 0, delta: { tool_calls: [{ index: 0, function: { name: 'f', arguments: ':1}' } }] } }] },
      { choices: [{ index: 0, delta: {}, finish_reason: 'tool_calls' }] },
    ]
    const out = chunks.map((c) => t.push(Buffer.from(`data: ${JSON.stringify(c)}\n\n`))).join('') + t.end()
    const blocks = readEvents(out).filter((e) => String(e.event).startsWith('content_block'))
    expect(blocks.map((e) => e.data)).toEqual([
      { type: 'content_block_start', index: 0, content_block: { type: 'tool_use', id: 'call_9', name: 'f', input: {} } },
      { type: 'content_block_delta', index: 0, delta: { type: 'input_json_delta', partial_json: '{"a"' } },
      { type: 'content_block_delta', index: 0, delta: { type: 'input_json_delta', partial_json: ':1}' } },
      { type: 'content_block_stop', index: 0 },
    ])
  })

  it('reports usage for metering in both directions', () => {
    const a = openAIStreamToAnthropic({ model: 'm' })
    a.push(Buffer.from('data: {"choices":[],"usage":{"prompt_tokens":10,"completion_tokens":3,"prompt_tokens_details":{"cached_tokens":4}}}\n\n'))
    expect(a.usage()).toEqual({ promptTokens: 10, completionTokens: 3, cachedTokens: 4 })
    const o = anthropicStreamToOpenAI({ model: 'm', includeUsage: false })
    o.push(Buffer.from('event: message_start\ndata: {"type":"message_start","message":{"id":"msg_1","usage":{"input_tokens":5,"cache_read_input_tokens":20,"output_tokens":1}}}\n\n'))
    o.push(Buffer.from('event: message_delta\ndata: {"type":"message_delta","delta":{"stop_reason":"end_turn"},"usage":{"output_tokens":7}}\n\n'))
    expect(o.usage()).toEqual({ promptTokens: 25, completionTokens: 7, cachedTokens: 20 })
  })
})
