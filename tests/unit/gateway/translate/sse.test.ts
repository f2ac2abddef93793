import { describe, expect, it } from 'vitest'
import { SseParser, serializeSse, type SseEvent } from '../../../../src/main/gateway/dialects/sse'
import { seededRandom } from '../../../helpers/random'
import { randomSplit } from './helpers'

function parseAll(chunks: Array<string | Buffer>): SseEvent[] {
  const p = new SseParser()
  const out: SseEvent[] = []
  for (const c of chunks) out.push(...p.push(typeof c === 'string' ? Buffer.from(c, 'utf8') : c))
  out.push(...p.end())
  return out
}

describe('SseParser', () => {
  it('parses named and unnamed events, strips one leading space, ignores comments and unknown fields', () => {
    const events = parseAll([': keep-alive\n\nevent: message_start\ndata: {"a":1}\n\ndata:  two spaces\nretry: 10\nfoo: bar\n\n'])
    expect(events).toEqual([{ event: 'message_start', data: '{"a":1}' }, { data: ' two spaces' }])
  })

  it('joins multi-line data with \\n and skips events without data', () => {
    expect(parseAll(['event: ping\n\ndata: a\ndata:\ndata: c\n\n'])).toEqual([{ data: 'a\n\nc' }])
  })

  it('accepts LF, CRLF and lone CR line ends, also when CRLF is split across reads', () => {
    expect(parseAll(['data: 1\r\n\r\ndata: 2\r\r', 'data: 3\r', '\n\r', '\n'])).toEqual([{ data: '1' }, { data: '2' }, { data: '3' }])
    // A CRLF split between reads must not read as a blank line that ends the event early.
    expect(parseAll(['event: a\r', '\ndata: 1\r', '\n\r\n'])).toEqual([{ event: 'a', data: '1' }])
  })

  it('keeps a multi-byte UTF-8 character split across reads intact', () => {
    const bytes = Buffer.from('data: héllo 🌍 ü\n\n', 'utf8')
    for (let cut = 1; cut < bytes.length; cut++) {
      expect(parseAll([bytes.subarray(0, cut), bytes.subarray(cut)])).toEqual([{ data: 'héllo 🌍 ü' }])
    }
  })

  it('yields nothing until an event is complete', () => {
    const p = new SseParser()
    expect(p.push(Buffer.from('data: {"x"'))).toEqual([])
    expect(p.push(Buffer.from(':1}\n'))).toEqual([])
    expect(p.push(Buffer.from('\n'))).toEqual([{ data: '{"x":1}' }])
  })

  it('dispatches a last event that lacks its blank line when the stream ends', () => {
    expect(parseAll(['data: 1\n\ndata: [DONE]'])).toEqual([{ data: '1' }, { data: '[DONE]' }])
  })

  it('strips a UTF-8 byte order mark at the start of the stream', () => {
    expect(parseAll([Buffer.from([0xef, 0xbb]), Buffer.from([0xbf, ...Buffer.from('data: x\n\n')])])).toEqual([{ data: 'x' }])
  })

  it('yields the same events however the bytes are split (200 seeds)', () => {
    const text = 'event: a\r\ndata: ü🌍\r\n\r\n: c\n\nevent: b\rdata: 1\rdata: 2\r\rdata: end\n\n'
    const bytes = Buffer.from(text, 'utf8')
    const whole = parseAll([bytes])
    expect(whole).toEqual([{ event: 'a', data: 'ü🌍' }, { event: 'b', data: '1\n2' }, { data: 'end' }])
    for (let seed = 1; seed <= 200; seed++) expect(parseAll(randomSplit(bytes, seededRandom(seed)))).toEqual(whole)
  })
})

describe('serializeSse', () => {
  it('round-trips through the parser, multi-line data included', () => {
    const events: SseEvent[] = [{ event: 'x', data: 'line1\nline2' }, { data: '{"a":"b"}' }]
    const wire = events.map(serializeSse).join('')
    expect(wire).toBe('event: x\ndata: line1\ndata: line2\n\ndata: {"a":"b"}\n\n')
    expect(parseAll([wire])).toEqual(events)
  })
})
