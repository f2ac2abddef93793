import { describe, expect, it } from 'vitest'
import { createSseParser, type SseEvent } from '../../../src/renderer/src/api/sse'

function parse(pieces: string[]): SseEvent[] {
  const events: SseEvent[] = []
  const parser = createSseParser((e) => events.push(e))
  for (const p of pieces) parser.feed(p)
  return events
}

describe('createSseParser', () => {
  it('parses named events and defaults the name to "message"', () => {
    expect(parse(['event: stats\ndata: {"a":1}\n\n', 'data: plain\n\n'])).toEqual([
      { event: 'stats', data: '{"a":1}' },
      { event: 'message', data: 'plain' },
    ])
  })

  it('reassembles events split anywhere across reads, including inside a line', () => {
    const text = 'event: status\ndata: {"state":"listening"}\n\nevent: stats\ndata: {"n":2}\n\n'
    for (let cut = 1; cut < text.length; cut++) {
      expect(parse([text.slice(0, cut), text.slice(cut)])).toEqual([
        { event: 'status', data: '{"state":"listening"}' },
        { event: 'stats', data: '{"n":2}' },
      ])
    }
  })

  it('handles CRLF and CR line endings, even when a CRLF is split', () => {
    expect(parse(['event: a\r\ndata: 1\r', '\n\r\n'])).toEqual([{ event: 'a', data: '1' }])
    expect(parse(['event: b\rdata: 2\r\r', 'x'])).toEqual([{ event: 'b', data: '2' }])
  })

  it('joins multi-line data, ignores comments, and emits nothing without data', () => {
    expect(parse([': connected\n\n', 'event: x\n\n', 'data: a\ndata: b\n\n', ': keep-alive\n\n'])).toEqual([{ event: 'message', data: 'a\nb' }])
  })

  it('keeps an incomplete trailing event until it ends', () => {
    const events: SseEvent[] = []
    const parser = createSseParser((e) => events.push(e))
    parser.feed('data: partial')
    expect(events).toEqual([])
    parser.feed('\n\n')
    expect(events).toEqual([{ event: 'message', data: 'partial' }])
  })
})
