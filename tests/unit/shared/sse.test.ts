// The one SSE parser (src/shared/sse.ts) against the spec's line rules, over every way reads can
// cut a stream: each case is fed whole, at every single split point, at every pair of split points
// and byte by byte, raw (records, as the relay sees them) and parsed (events, as readers see them).
import { describe, expect, it } from 'vitest'
import { SseEventParser, SseFramer, endsWithBlankLine, sseField, sseFields, type SseEvent, type SseFields } from '../../../src/shared/sse'

interface Case {
  name: string
  stream: string
  events: SseEvent[]
  /** Chars that belong to no record (a byte order mark), as onPiece receives them. */
  pieces?: string
}

const CASES: Case[] = [
  { name: 'LF', stream: 'data: a\n\nevent: x\ndata: b\n\n', events: [{ data: 'a' }, { event: 'x', data: 'b' }] },
  { name: 'CRLF', stream: 'event: x\r\ndata: 1\r\n\r\ndata: 2\r\n\r\n', events: [{ event: 'x', data: '1' }, { data: '2' }] },
  { name: 'CR only', stream: 'event: x\rdata: 1\r\rdata: 2\r\r', events: [{ event: 'x', data: '1' }, { data: '2' }] },
  { name: 'mixed line ends', stream: 'data: a\r\n\rdata: b\n\r\ndata: c\r\r\ndata: d\n\r', events: [{ data: 'a' }, { data: 'b' }, { data: 'c' }, { data: 'd' }] },
  { name: 'UTF-8 BOM (bytes)', stream: '\xef\xbb\xbfdata: x\n\ndata: y\n\n', events: [{ data: 'x' }, { data: 'y' }], pieces: '\xef\xbb\xbf' },
  { name: 'BOM (text)', stream: '\ufeffevent: e\r\ndata: x\r\n\r\n', events: [{ event: 'e', data: 'x' }], pieces: '\ufeff' },
  { name: 'not quite a BOM', stream: '\xef\xbbdata: x\n\ndata: y\n\n', events: [{ data: 'y' }] },
  { name: 'comments', stream: ': hello\n\n: keep-alive\ndata: x\n:tail\n\n', events: [{ data: 'x' }] },
  { name: 'multi-line data', stream: 'data: a\ndata:\ndata:  b\ndata\r\n\r\n', events: [{ data: 'a\n\n b\n' }] },
  { name: 'no space after the colon', stream: 'event:x\ndata:{"a":1}\n\n', events: [{ event: 'x', data: '{"a":1}' }] },
  { name: 'id persists, retry, unknown fields', stream: 'id: 7\nretry: 1500\nfoo: bar\ndata: x\n\ndata: y\n\n', events: [{ id: '7', data: 'x' }, { id: '7', data: 'y' }] },
  { name: 'events without data are not dispatched', stream: 'event: ping\n\n\n\ndata: z\n\n', events: [{ data: 'z' }] },
  { name: 'last event without its blank line', stream: 'data: 1\n\ndata: [DONE]', events: [{ data: '1' }, { data: '[DONE]' }] },
]

/** Feeds chunks; returns the records in order, the pieces, and everything in stream order. */
function frame(chunks: string[], eager: boolean): { records: string[]; pieces: string; all: string } {
  const records: string[] = []
  let pieces = ''
  let all = ''
  const framer = new SseFramer({
    eager,
    onPiece: (p) => {
      pieces += p
      all += p
    },
  })
  const visit = (s: string, a: number, b: number): void => {
    records.push(s.slice(a, b))
    all += s.slice(a, b)
  }
  for (const c of chunks) framer.push(c, visit)
  framer.flush(visit)
  return { records, pieces, all }
}

function parse(chunks: string[]): SseEvent[] {
  const p = new SseEventParser()
  return [...chunks.flatMap((c) => p.push(c)), ...p.end()]
}

/** Every way to cut `s` into two and three pieces, and byte by byte. */
function* cuts(s: string): Generator<string[]> {
  yield [s]
  for (let i = 0; i <= s.length; i++) {
    yield [s.slice(0, i), s.slice(i)]
    for (let j = i; j <= s.length; j++) yield [s.slice(0, i), s.slice(i, j), s.slice(j)]
  }
  yield s.split('')
}

const dispatched = (records: string[]): SseFields[] => records.map((r) => sseFields(r)).filter((f) => f.data !== undefined)

describe('SseFramer and SseEventParser over every chunk boundary', () => {
  for (const c of CASES) {
    it(c.name, () => {
      const whole = frame([c.stream], false)
      expect(whole.all).toBe(c.stream)
      expect(whole.pieces).toBe(c.pieces ?? '')
      expect(parse([c.stream])).toEqual(c.events)
      for (const chunks of cuts(c.stream)) {
        const label = JSON.stringify(chunks)
        // Held for the next read: the same records whatever the cut, and every char once, in order.
        const held = frame(chunks, false)
        expect(held.records, label).toEqual(whole.records)
        expect(held.all, label).toBe(c.stream)
        // Eager: a CR-ended record may come a char shorter (its LF then arrives as a piece); the
        // events are the same.
        const eager = frame(chunks, true)
        expect(eager.all, label).toBe(c.stream)
        expect(dispatched(eager.records), label).toEqual(dispatched(whole.records))
        expect(parse(chunks), label).toEqual(c.events)
      }
    })
  }

  it('a CR ending one read and a LF opening the next are one line end, not a blank line', () => {
    expect(parse(['event: a\r', '\ndata: 1\r', '\n\r\n'])).toEqual([{ event: 'a', data: '1' }])
    expect(frame(['data: 1\r', '\n\r', '\n'], false).records).toEqual(['data: 1\r\n\r\n'])
  })

  it('eager: an event ended by a CR is handed over at once; held: once the next read shows what follows', () => {
    const eager = new SseEventParser()
    expect(eager.push('data: 1\r\r')).toEqual([{ data: '1' }])
    expect(eager.push('\ndata: 2\r\n\r\n')).toEqual([{ data: '2' }])
    const held: string[] = []
    const framer = new SseFramer()
    const visit = (s: string, a: number, b: number): void => void held.push(s.slice(a, b))
    framer.push('data: 1\r\r', visit)
    expect(held).toEqual([])
    expect(framer.atBoundary).toBe(false)
    framer.push('d', visit)
    expect(held).toEqual(['data: 1\r\r'])
  })

  it('keeps the last retry and never dispatches it as part of an event', () => {
    const p = new SseEventParser()
    expect(p.push('retry: 250\ndata: x\n\nretry: soon\n\n')).toEqual([{ data: 'x' }])
    expect(p.reconnectMs).toBe(250)
  })

  it('ignores an id holding NUL, as EventSource does', () => {
    expect(parse(['id: 1\ndata: a\n\nid: 2\0\ndata: b\n\n'])).toEqual([{ id: '1', data: 'a' }, { id: '1', data: 'b' }])
  })

  it('one event arriving in thousands of small reads comes out whole (pieces joined once)', () => {
    const framer = new SseFramer()
    const seen: string[] = []
    const body = 'x'.repeat(200_000)
    const text = `data: ${body}\r\n\r\n`
    for (let at = 0; at < text.length; at += 7) framer.push(text.slice(at, at + 7), (s, a, b) => void seen.push(s.slice(a, b)))
    expect(seen).toEqual([text])
    expect(sseField(seen[0]!, 0, seen[0]!.length, 'data')).toBe(body)
  })
})

describe('sseFields / sseField on a record inside a larger string', () => {
  it('reads only the range, with every line-end style', () => {
    const s = 'JUNK event: nope\nevent: message_delta\r\ndata: {"a":\rdata: 1}\r\nid: 9\n\nevent: after\n\n'
    const start = s.indexOf('event: message_delta')
    const end = s.indexOf('event: after')
    expect(sseFields(s, start, end)).toEqual({ event: 'message_delta', data: '{"a":\n1}', id: '9' })
    expect(sseField(s, start, end, 'event')).toBe('message_delta')
    expect(sseField(s, start, end, 'data')).toBe('{"a":\n1}')
    expect(sseField(s, start, end, 'id')).toBe('9')
    expect(sseField('data: x\n\n', 0, 9, 'event')).toBeUndefined()
    expect(sseField('datum: x\ndata\n\n', 0, 15, 'data')).toBe('')
  })
})

describe('endsWithBlankLine', () => {
  it.each([
    ['data: x\n\n', true],
    ['data: x\r\n\r\n', true],
    ['data: x\r\r', true],
    ['data: x\n\r', true],
    ['data: x\r\r\n', true],
    ['data: x\n\r\n', true],
    ['data: x\r\n', false],
    ['data: x\n', false],
    ['data: x\r', false],
    ['data: x', false],
    ['\n', false],
  ])('%j -> %s', (text, expected) => {
    expect(endsWithBlankLine(Buffer.from(text, 'latin1'))).toBe(expected)
  })
})

describe('SseFramer.skipWhole', () => {
  it('takes whole LF-ended events at a boundary, and nothing else', () => {
    const framer = new SseFramer()
    expect(framer.skipWhole(Buffer.from('\xef\xbb\xbfdata: x\n\n', 'latin1'))).toBe(false) // a BOM must be seen
    expect(framer.skipWhole(Buffer.from('data: x\n\ndata: y\r\n\r\n'))).toBe(true)
    expect(framer.skipWhole(Buffer.from('data: x\r\r'))).toBe(false) // a LF may still belong to it
    framer.push('data: partial', () => {})
    expect(framer.skipWhole(Buffer.from('\n\n'))).toBe(false)
  })
})
