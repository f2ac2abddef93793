// The Responses event sequences clients parse, built from chat and Anthropic upstream streams:
// golden per shape (text, tool call, custom tool call, reasoning summary and raw, incomplete,
// failed), the stream rules checked independently of the goldens, and identical output for any
// split of the upstream bytes.
import { describe, expect, it } from 'vitest'
import { translateStream } from '../../../../../src/main/gateway/dialects/translate'
import { seededRandom } from '../../../../helpers/random'
import { bytesOf, checkResponsesStream, randomSplit, readEvents, responsesStreamFixtures, type ResponsesStreamFixture } from '../helpers'

function run(fx: ResponsesStreamFixture, chunks: Buffer[]): string {
  const t = translateStream(fx.upstreamDialect, 'openai-responses', fx.options)
  let out = ''
  for (const c of chunks) out += t.push(c)
  out += t.end()
  expect(t.done).toBe(true)
  return out
}

const fixtures = responsesStreamFixtures()

describe('Responses stream encoder (golden)', () => {
  it('has a fixture for each shape', () => {
    expect(fixtures.map(([f]) => f)).toEqual(
      expect.arrayContaining(['text', 'tool-call', 'custom-tool', 'reasoning-summary', 'reasoning-raw', 'incomplete', 'failed'].map((s) => `responses-stream-${s}.json`)),
    )
  })

  it.each(fixtures)('%s', (_file, fx) => {
    const out = run(fx, [bytesOf(fx.upstream)])
    expect(readEvents(out)).toEqual(fx.expected)
    expect(out.endsWith('\n\n')).toBe(true)
  })

  it.each(fixtures)('%s: follows the stream rules clients rely on', (_file, fx) => {
    const checked = checkResponsesStream(readEvents(run(fx, [bytesOf(fx.upstream)])))
    if (fx.description.includes('response.failed')) expect(checked.terminal).toBe('response.failed')
  })

  it.each(fixtures)('%s: identical output for any split of the upstream bytes and any line ending', (_file, fx) => {
    const bytes = bytesOf(fx.upstream)
    const whole = run(fx, [bytes])
    for (let seed = 1; seed <= 100; seed++) expect(run(fx, randomSplit(bytes, seededRandom(seed))), `seed ${seed}`).toBe(whole)
    expect(run(fx, [...bytes].map((b) => Buffer.from([b])))).toBe(whole)
    expect(run(fx, randomSplit(bytesOf(fx.upstream, '\r\n'), seededRandom(3)))).toBe(whole)
    expect(run(fx, randomSplit(bytesOf(fx.upstream, '\r'), seededRandom(4)))).toBe(whole)
  })
})

describe('Responses stream encoder edge cases', () => {
  const chunk = (delta: object, finish: string | null = null) => `data: ${JSON.stringify({ id: 'chatcmpl-e', choices: [{ index: 0, delta, finish_reason: finish }] })}\n\n`

  it('a transport failure before any upstream byte still opens the response, then fails it', () => {
    const t = translateStream('openai-chat', 'openai-responses', { model: 'm', created: 1 })
    const events = readEvents(t.fail('upstream stalled for 120000 ms', 504))
    expect(events.map((e) => e.event)).toEqual(['response.created', 'response.in_progress', 'response.failed', 'error'])
    expect(events[2]!.data).toMatchObject({ response: { status: 'failed', error: { code: 'server_error', message: 'upstream stalled for 120000 ms' } } })
    checkResponsesStream(events)
    expect(t.done).toBe(true)
    expect(t.push(Buffer.from(chunk({ content: 'late' })))).toBe('')
    expect(t.end()).toBe('')
  })

  it('a rate-limit failure carries the code Codex retries on', () => {
    const t = translateStream('openai-chat', 'openai-responses', { model: 'm', created: 1 })
    t.push(Buffer.from(chunk({ content: 'a' })))
    const failed = readEvents(t.fail('limit wait timed out', 429)).find((e) => e.event === 'response.failed')!
    expect(failed.data).toMatchObject({ response: { error: { code: 'rate_limit_exceeded' } } })
  })

  it('start() opens the response before the upstream answers, under the id it was given, once', () => {
    const t = translateStream('openai-chat', 'openai-responses', { model: 'm', created: 1, messageId: 'resp_req42' })
    const start = readEvents(t.start())
    expect(start.map((e) => e.event)).toEqual(['response.created', 'response.in_progress'])
    expect(t.start()).toBe('')
    const rest = readEvents(t.push(Buffer.from(chunk({ content: 'hi' }, 'stop') + 'data: [DONE]\n\n')))
    expect(rest[0]!.data).toMatchObject({ type: 'response.output_item.added', sequence_number: 2, item: { id: 'msg_req42_0' } })
    expect(rest.at(-1)!.data).toMatchObject({ type: 'response.completed', response: { id: 'resp_req42', status: 'completed' } })
  })

  it('an upstream cut short ends the Responses stream with response.failed, not a completed answer', () => {
    const t = translateStream('openai-chat', 'openai-responses', { model: 'm', created: 1 })
    const events = readEvents(t.push(Buffer.from(chunk({ content: 'half' }))) + t.end())
    expect(checkResponsesStream(events).terminal).toBe('response.failed')
    expect(events.at(-2)!.data).toMatchObject({ response: { output: [{ type: 'message', status: 'incomplete', content: [{ text: 'half' }] }] } })
  })

  it('keep-alives from the upstream become SSE comments', () => {
    const t = translateStream('anthropic-messages', 'openai-responses', { model: 'm', created: 1 })
    expect(t.push(Buffer.from('event: ping\ndata: {"type": "ping"}\n\n'))).toBe(': keep-alive\n\n')
  })

  it('a custom tool the upstream streams as raw input passes through as it comes', () => {
    // An upstream that speaks Responses itself returns custom_tool_call input deltas.
    const t = translateStream('openai-responses', 'openai-responses', { model: 'm', created: 1, customTools: ['apply_patch'] })
    const upstream = [
      { type: 'response.created', response: { id: 'resp_u', output: [] } },
      { type: 'response.output_item.added', output_index: 0, item: { type: 'custom_tool_call', call_id: 'call_1', name: 'apply_patch', input: '' } },
      { type: 'response.custom_tool_call_input.delta', output_index: 0, delta: '*** Begin' },
      { type: 'response.custom_tool_call_input.delta', output_index: 0, delta: ' Patch' },
      { type: 'response.output_item.done', output_index: 0, item: { type: 'custom_tool_call', call_id: 'call_1', name: 'apply_patch', input: '*** Begin Patch' } },
      { type: 'response.completed', response: { id: 'resp_u', status: 'completed', output: [], usage: { input_tokens: 3, output_tokens: 2, total_tokens: 5 } } },
    ]
    const events = readEvents(t.push(Buffer.from(upstream.map((e) => `event: ${e.type}\ndata: ${JSON.stringify(e)}\n\n`).join(''))) + t.end())
    expect(events.filter((e) => e.event === 'response.custom_tool_call_input.delta').map((e) => (e.data as { delta: string }).delta)).toEqual(['*** Begin', ' Patch'])
    expect(checkResponsesStream(events).items).toEqual([{ id: 'ctc_u_0', type: 'custom_tool_call', call_id: 'call_1', name: 'apply_patch', input: '*** Begin Patch' }])
  })
})

describe('the stream checker itself', () => {
  const [, fx] = fixtures.find(([f]) => f === 'responses-stream-tool-call.json')!
  const good = () => structuredClone(fx.expected)
  type Events = ResponsesStreamFixture['expected']
  const mutations: Array<[string, (events: Events) => void]> = [
    ['a skipped sequence number', (e) => (e[5]!.data.sequence_number = 99)],
    ['a delta before its part was added', (e) => e.splice(3, 1)],
    ['done text that differs from the deltas', (e) => (e.find((x) => x.event === 'response.output_text.done')!.data.text = 'other')],
    ['arguments done that differ from the deltas', (e) => (e.find((x) => x.event === 'response.function_call_arguments.done')!.data.arguments = '{}')],
    ['an item id that changes', (e) => (e.find((x) => x.event === 'response.output_text.delta')!.data.item_id = 'msg_other')],
    ['no terminal event', (e) => e.pop()],
    ['a final output that is not the items as done', (e) => (e.at(-1)!.data.response.output = [])],
  ]
  it.each(mutations)('rejects %s', (_name, mutate) => {
    const events = good()
    mutate(events)
    expect(() => checkResponsesStream(events)).toThrow()
  })
  it('accepts the golden stream unchanged', () => expect(() => checkResponsesStream(good())).not.toThrow())
})
