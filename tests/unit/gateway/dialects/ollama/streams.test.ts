// Ollama streams both ways: golden NDJSON for Ollama clients built from chat and Anthropic
// upstreams (chat text, a tool call, thinking, /api/generate) and a golden chat stream built from
// an Ollama upstream; identical output for any split of the upstream bytes; and the edges —
// error lines, cut-short streams, the generate shape upstream, calls without ids.
import { describe, expect, it } from 'vitest'
import { codecFor } from '../../../../../src/main/gateway/dialects/registry'
import { translateStream } from '../../../../../src/main/gateway/dialects/translate'
import { seededRandom } from '../../../../helpers/random'
import { bytesOf, randomSplit, readClientStream, readEvents, streamFixtures, translateFixture } from '../helpers'

const fixtures = streamFixtures('ollama-')
const line = (o: object) => JSON.stringify(o) + '\n'
const piece = (message: object) => line({ model: 'qwen3:8b', created_at: '2026-08-21T10:00:00Z', message: { role: 'assistant', content: '', ...message }, done: false })

describe('Ollama streams (golden)', () => {
  it('has a fixture for each shape', () => {
    expect(fixtures.map(([f]) => f)).toEqual(['ollama-stream-chat-text.json', 'ollama-stream-generate.json', 'ollama-stream-thinking.json', 'ollama-stream-tool-call.json', 'ollama-upstream-thinking-tool.json'])
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

  it('every line the encoder writes is one JSON object ending in a newline, the last one done', () => {
    for (const [, fx] of fixtures.filter(([, f]) => f.clientDialect === 'ollama')) {
      const out = translateFixture(fx, [bytesOf(fx.upstream)])
      const lines = out.split('\n')
      expect(lines.pop()).toBe('')
      expect(lines.map((l) => (JSON.parse(l) as { done: boolean }).done)).toEqual([...lines.slice(1).map(() => false), true])
    }
  })
})

describe('Ollama upstream streams', () => {
  const toChat = (body: string) => {
    const t = translateStream('ollama', 'openai-chat', { model: 'm', created: 1, includeUsage: true })
    return { out: t.push(Buffer.from(body)) + t.end(), t }
  }

  it("an {error} line mid-stream fails the client's stream with Ollama's message", () => {
    const { out } = toChat(piece({ content: 'Half' }) + line({ error: 'an error was encountered while running the model: CUDA error' }))
    expect(readEvents(out).at(-1)).toMatchObject({ data: { error: { message: 'an error was encountered while running the model: CUDA error' } } })
    expect(out).not.toContain('[DONE]')
  })

  it('a stream without its done line is reported cut short', () => {
    const { out } = toChat(piece({ content: 'Half' }))
    expect(readEvents(out).at(-1)).toMatchObject({ data: { error: { message: expect.stringContaining('before the answer was complete') } } })
  })

  it('reads the /api/generate shape too (top-level response and thinking)', () => {
    const { out, t } = toChat(
      line({ model: 'llama3.2', created_at: 'x', response: '', thinking: 'Hm.', done: false }) +
        line({ model: 'llama3.2', created_at: 'x', response: 'Blue.', done: false }) +
        line({ model: 'llama3.2', created_at: 'x', response: '', done: true, done_reason: 'length', context: [1, 2], prompt_eval_count: 5, eval_count: 3 }),
    )
    const deltas = readEvents(out).flatMap((e) => (e.data as { choices?: Array<{ delta: object; finish_reason: string | null }> }).choices ?? [])
    expect(deltas.map((c) => c.delta)).toEqual([{ role: 'assistant', content: '' }, { reasoning_content: 'Hm.' }, { content: 'Blue.' }, {}])
    expect(deltas.at(-1)!.finish_reason).toBe('length')
    expect(t.usage()).toEqual({ promptTokens: 5, completionTokens: 3, cachedTokens: 0 })
  })

  it('calls without ids (Ollama before 0.12) get ids unique to the answer and to each call', () => {
    const call = (name: string) => ({ function: { name, arguments: {} } })
    const { out } = toChat(piece({ tool_calls: [call('a'), call('b')] }) + line({ model: 'q', created_at: '2026-08-21T10:00:00Z', message: { role: 'assistant', content: '' }, done: true, done_reason: 'stop' }))
    const ids = readEvents(out).flatMap((e) => (e.data as { choices?: Array<{ delta: { tool_calls?: Array<{ id?: string }> } }> }).choices?.[0]?.delta.tool_calls ?? []).flatMap((c) => (c.id ? [c.id] : []))
    expect(ids).toEqual(['call_2026-08-21T100000Z_0', 'call_2026-08-21T100000Z_1'])
  })
})

describe('Ollama stream encoder edges', () => {
  it('a failure is an {error} line and nothing after it; keep-alives write nothing', () => {
    const e = codecFor('ollama').streamEncoder({ model: 'llama3.2' })
    expect(e.start()).toBe('')
    expect(e.encode({ type: 'keepalive' })).toBe('')
    expect(e.fail('upstream stalled for 120000 ms', 504)).toBe('{"error":"upstream stalled for 120000 ms"}\n')
    expect(e.done).toBe(true)
    expect(e.encode({ type: 'finish', stopReason: 'end_turn' })).toBe('')
  })

  it('/api/generate clients get no tool-call lines (generate requests carry no tools)', () => {
    const e = codecFor('ollama').streamEncoder({ model: 'llama3.2', ollamaGenerate: true, created: 0 })
    const out = [
      e.encode({ type: 'block_start', index: 0, block: { type: 'tool_call', kind: 'function', id: 'c', name: 'x' } }),
      e.encode({ type: 'block_delta', index: 0, delta: { type: 'arguments', text: '{}' } }),
      e.encode({ type: 'block_end', index: 0 }),
    ].join('')
    expect(out).toBe('')
  })
})
