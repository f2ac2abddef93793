// The NDJSON parser under every way reads can split a stream: inside a line, inside a CRLF pair,
// inside a UTF-8 character; with LF, CRLF or CR line ends, blank lines, and a last line without
// its line end.
import { describe, expect, it } from 'vitest'
import { NdjsonParser, ndjsonLine } from '../../../../src/main/gateway/dialects/ndjson'
import { seededRandom } from '../../../helpers/random'
import { randomSplit } from './helpers'

const LINES = ['{"a":"Grüße 👋"}', '{"b":[1,2,3]}', '{"c":"line\\nbreak inside a string"}', '{"done":true}']

function parse(chunks: Buffer[]): string[] {
  const p = new NdjsonParser()
  return [...chunks.flatMap((c) => p.push(c)), ...p.end()]
}

describe('NdjsonParser', () => {
  it.each([
    ['LF', '\n'],
    ['CRLF', '\r\n'],
    ['CR', '\r'],
  ])('yields whole lines for any split of the bytes (%s)', (_name, end) => {
    const bytes = Buffer.from(LINES.join(end) + end)
    expect(parse([bytes])).toEqual(LINES)
    for (let seed = 1; seed <= 100; seed++) expect(parse(randomSplit(bytes, seededRandom(seed))), `seed ${seed}`).toEqual(LINES)
    expect(parse([...bytes].map((b) => Buffer.from([b])))).toEqual(LINES)
  })

  it('skips blank lines and keeps a last line that has no line end', () => {
    expect(parse([Buffer.from('\n\n{"x":1}\n  \n\r\n{"y":2}')])).toEqual(['{"x":1}', '{"y":2}'])
  })

  it('holds an unfinished line back until its end arrives', () => {
    const p = new NdjsonParser()
    expect(p.push(Buffer.from('{"x":'))).toEqual([])
    expect(p.push(Buffer.from('1}\n{"y"'))).toEqual(['{"x":1}'])
    expect(p.end()).toEqual(['{"y"'])
  })

  it('ndjsonLine writes one object per line', () => {
    expect(ndjsonLine({ a: 'x\ny' })).toBe('{"a":"x\\ny"}\n')
  })
})
