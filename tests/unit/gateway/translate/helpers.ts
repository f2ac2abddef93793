// Shared by the translation tests: fixture loading, upstream bytes, and reading translated output.
import { readFileSync, readdirSync } from 'node:fs'
import { join } from 'node:path'
import { SseParser } from '../../../../src/main/gateway/protocols/translate/sse'

export const FIXTURES = join(__dirname, '../../../fixtures/translate')

export function loadFixture<T = unknown>(name: string): T {
  return JSON.parse(readFileSync(join(FIXTURES, name), 'utf8')) as T
}

export interface StreamFixture {
  description: string
  options: Record<string, unknown>
  /** The upstream body as lines (joined with "\n"); events end with an empty line. */
  upstream: string[]
  /** The client-side events, data parsed as JSON (or the literal "[DONE]"). */
  expected: Array<{ event?: string; data: unknown }>
}

export function streamFixtures(prefix: string): Array<[string, StreamFixture]> {
  return readdirSync(FIXTURES)
    .filter((f) => f.startsWith(prefix) && f.endsWith('.json'))
    .sort()
    .map((f) => [f, loadFixture<StreamFixture>(f)])
}

export function upstreamBytes(fx: StreamFixture, lineEnd = '\n'): Buffer {
  return Buffer.from(fx.upstream.join(lineEnd) + lineEnd, 'utf8')
}

/** Parses translated output back into events for comparison with a golden list. */
export function readEvents(output: string): Array<{ event?: string; data: unknown }> {
  const parser = new SseParser()
  const events = [...parser.push(Buffer.from(output, 'utf8')), ...parser.end()]
  return events.map((e) => {
    const data = e.data === '[DONE]' ? '[DONE]' : (JSON.parse(e.data) as unknown)
    return e.event === undefined ? { data } : { event: e.event, data }
  })
}

/** Splits bytes at random offsets (any byte boundary, so inside CRLF pairs and UTF-8 characters too). */
export function randomSplit(bytes: Buffer, rand: () => number, maxPieces = 40): Buffer[] {
  const cuts = new Set<number>()
  const pieces = 1 + Math.floor(rand() * maxPieces)
  for (let i = 0; i < pieces; i++) cuts.add(1 + Math.floor(rand() * Math.max(1, bytes.length - 1)))
  const sorted = [...cuts].sort((a, b) => a - b)
  const out: Buffer[] = []
  let start = 0
  for (const c of sorted) {
    out.push(bytes.subarray(start, c))
    start = c
  }
  out.push(bytes.subarray(start))
  return out
}
