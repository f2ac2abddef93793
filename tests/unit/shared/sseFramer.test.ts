// The framing half of the one SSE parser as the relay uses it (formerly usage/streamBytes'
// EventSplitter): raw records cut out of latin1 views of the upstream's bytes, bounded memory for
// oversized events, every byte accounted for.
import { describe, expect, it } from 'vitest'
import { SseFramer } from '../../../src/shared/sse'

function collect(framer: SseFramer, chunks: string[]): string[] {
  const events: string[] = []
  const visit = (s: string, start: number, end: number): void => void events.push(s.slice(start, end))
  for (const c of chunks) framer.push(c, visit)
  framer.flush(visit)
  return events
}

describe('SseFramer (the relay\'s event splitter)', () => {
  const stream = 'data: a\n\ndata: bb\r\n\r\ndata: ccc\n\r\ndata: d\n\n'
  const events = ['data: a\n\n', 'data: bb\r\n\r\n', 'data: ccc\n\r\n', 'data: d\n\n']

  it('cuts the same events at every split point, boundaries straddling chunks included', () => {
    for (let i = 0; i <= stream.length; i++) {
      for (let j = i; j <= stream.length; j += 3) {
        expect(collect(new SseFramer(), [stream.slice(0, i), stream.slice(i, j), stream.slice(j)])).toEqual(events)
      }
    }
  })

  it('byte by byte', () => {
    expect(collect(new SseFramer(), stream.split(''))).toEqual(events)
  })

  it('NDJSON lines', () => {
    expect(collect(new SseFramer({ records: 'lines' }), ['{"a":1}\n{"b"', ':2}\n{"c":3}'])).toEqual(['{"a":1}\n', '{"b":2}\n', '{"c":3}'])
  })

  it('drops an oversized event without keeping it, and goes on with the next one', () => {
    const framer = new SseFramer({ maxRecordChars: 100 })
    const seen: string[] = []
    let peak = 0
    const visit = (s: string, a: number, b: number): void => void seen.push(s.slice(a, b))
    framer.push('data: small\n\ndata: ', visit)
    for (let k = 0; k < 50; k++) {
      framer.push('x'.repeat(40), visit)
      peak = Math.max(peak, framer.pendingChars)
    }
    framer.push('\n\ndata: next\n\n', visit)
    expect(seen).toEqual(['data: small\n\n', 'data: next\n\n'])
    expect(peak).toBeLessThanOrEqual(100)
    expect(framer.atBoundary).toBe(true)
  })

  it('hands every byte of an oversized event to onPiece, in order, holding none of it', () => {
    const passed: string[] = []
    const framer = new SseFramer({ maxRecordChars: 64, onPiece: (p: string) => passed.push(p) })
    const seen: string[] = []
    const visit = (s: string, a: number, b: number): void => void seen.push(s.slice(a, b))
    const giant = `data: ${'y'.repeat(1000)}\n\n`
    for (let at = 0; at < giant.length; at += 37) {
      framer.push(giant.slice(at, at + 37), visit)
      expect(framer.pendingChars).toBeLessThanOrEqual(64)
      if (at > 64 && at + 37 < giant.length) expect(framer.atBoundary).toBe(false)
    }
    framer.push('data: after\n\n', visit)
    expect(passed.join('')).toBe(giant)
    expect(seen).toEqual(['data: after\n\n'])
  })
})
