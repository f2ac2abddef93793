// Shared by the dialect tests: fixtures, a loopback server for SDK tests, and a checker for
// Responses event streams that knows the rules clients rely on (independent of any golden file): every event typed and numbered in
// order, items announced before their parts and deltas, ids and indexes consistent, done values
// equal to the accumulated deltas, and a terminal response whose output is the items as done.
import { readFileSync, readdirSync } from 'node:fs'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { join } from 'node:path'
import { expect } from 'vitest'
import type { Dialect, RequestTarget, ResponseContext } from '../../../../src/main/gateway/dialects/codec'
import { geminiTarget, parseGeminiPath } from '../../../../src/main/gateway/dialects/gemini/paths'
import { translateStream } from '../../../../src/main/gateway/dialects/translate'
import { seededRandom } from '../../../helpers/random'

import { randomSplit, readEvents } from '../translate/helpers'

export { randomSplit, readEvents } from '../translate/helpers'

export const FIXTURES = join(__dirname, '../../../fixtures/dialects')

export interface ResponsesStreamFixture {
  description: string
  upstreamDialect: Dialect
  options: ResponseContext
  upstream: string[]
  expected: Array<{ event?: string; data: Json }>
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- walking event JSON
type Json = Record<string, any>

export function responsesStreamFixtures(): Array<[string, ResponsesStreamFixture]> {
  return readdirSync(FIXTURES)
    .filter((f) => f.startsWith('responses-stream-') && f.endsWith('.json'))
    .sort()
    .map((f) => [f, JSON.parse(readFileSync(join(FIXTURES, f), 'utf8')) as ResponsesStreamFixture])
}

/** A golden stream: upstream lines in one dialect, and what a client of another receives, parsed (see readClientStream). */
export interface StreamFixture {
  description: string
  upstreamDialect: Dialect
  clientDialect: Dialect
  options: ResponseContext
  upstream: string[]
  expected: unknown[]
}

export function streamFixtures(prefix: string): Array<[string, StreamFixture]> {
  return readdirSync(FIXTURES)
    .filter((f) => f.startsWith(prefix) && f.endsWith('.json'))
    .sort()
    .map((f) => [f, JSON.parse(readFileSync(join(FIXTURES, f), 'utf8')) as StreamFixture])
}

/** Runs a fixture's upstream through its translation in the given pieces; the client's text. */
export function translateFixture(fx: StreamFixture, chunks: Buffer[]): string {
  const t = translateStream(fx.upstreamDialect, fx.clientDialect, fx.options)
  let out = ''
  for (const c of chunks) out += t.push(c)
  out += t.end()
  expect(t.done, 'the client stream is complete').toBe(true)
  return out
}

/**
 * What a client of `dialect` receives, parsed: SSE events as `{event?, data}`, Ollama's NDJSON
 * lines, or the elements of Gemini's JSON-array stream. Throws when the framing is broken.
 */
export function readClientStream(dialect: Dialect, ctx: ResponseContext, out: string): unknown[] {
  if (dialect === 'gemini' && ctx.geminiJsonArray) return JSON.parse(out) as unknown[]
  if (dialect === 'ollama') {
    expect(out === '' || out.endsWith('\n'), 'every NDJSON line ends').toBe(true)
    return out.split('\n').filter((l) => l !== '').map((l) => JSON.parse(l) as unknown)
  }
  return readEvents(out)
}

/** What an encoded request's path says that its body does not (Gemini: model and streaming). */
export function requestTargetOf(dialect: Dialect, path: string): RequestTarget | undefined {
  if (dialect !== 'gemini') return undefined
  const parsed = parseGeminiPath(path)
  if (!parsed) throw new Error(`not a Gemini path: ${path}`)
  return geminiTarget(parsed)
}

export function loadFixture<T>(name: string): T {
  return JSON.parse(readFileSync(join(FIXTURES, name), 'utf8')) as T
}

export function bytesOf(lines: string[], lineEnd = '\n'): Buffer {
  return Buffer.from(lines.join(lineEnd) + lineEnd, 'utf8')
}

export interface CheckedStream {
  terminal: 'response.completed' | 'response.incomplete' | 'response.failed'
  response: Json
  /** Items as their output_item.done events gave them, by output index. */
  items: Json[]
}

/** Asserts the stream rules and returns what a client ends up with. */
export function checkResponsesStream(events: Array<{ event?: string; data: unknown }>): CheckedStream {
  const items: Json[] = []
  const done = new Set<number>()
  const acc = new Map<string, string>()
  const opened = new Set<string>()
  let responseId: string | undefined
  let terminal: CheckedStream['terminal'] | undefined
  let response: Json | undefined
  events.forEach(({ event, data }, i) => {
    const d = data as Json
    expect(typeof d.type, `event ${i} has a type`).toBe('string')
    expect(event, `event ${i} is named after its type`).toBe(d.type)
    expect(d.sequence_number, `event ${i} sequence_number`).toBe(i)
    if (terminal && terminal !== 'response.failed') throw new Error(`event ${i} (${d.type}) after ${terminal}`)
    if (i === 0) expect(d.type).toBe('response.created')
    if (i === 1) expect(d.type).toBe('response.in_progress')
    if (d.response) {
      responseId ??= d.response.id
      expect(d.response.id, 'one response id throughout').toBe(responseId)
      expect(d.response.object).toBe('response')
    }
    if (typeof d.output_index === 'number' && d.type !== 'response.output_item.added') {
      const item = items[d.output_index]
      expect(item, `${d.type} refers to an announced item`).toBeDefined()
      expect(done.has(d.output_index) && d.type !== 'response.output_item.done', `${d.type} after its item was done`).toBe(false)
      if (d.item_id !== undefined) expect(d.item_id).toBe(item!.id)
    }
    const key = `${d.output_index}/${d.content_index ?? ''}/${d.summary_index ?? ''}`
    switch (d.type) {
      case 'response.output_item.added':
        expect(d.output_index, 'items are announced in order').toBe(items.length)
        items.push(d.item)
        break
      case 'response.content_part.added':
      case 'response.reasoning_summary_part.added':
        expect(opened.has(key), `${key} opened once`).toBe(false)
        opened.add(key)
        acc.set(key, '')
        break
      case 'response.output_text.delta':
      case 'response.refusal.delta':
      case 'response.reasoning_text.delta':
      case 'response.reasoning_summary_text.delta':
        expect(opened.has(key), `${d.type} after its part was added`).toBe(true)
        acc.set(key, acc.get(key)! + d.delta)
        break
      case 'response.function_call_arguments.delta':
      case 'response.custom_tool_call_input.delta':
        acc.set(key, (acc.get(key) ?? '') + d.delta)
        break
      case 'response.output_text.done':
      case 'response.reasoning_text.done':
      case 'response.reasoning_summary_text.done':
        expect(d.text, `${d.type} text equals its deltas`).toBe(acc.get(key))
        break
      case 'response.refusal.done':
        expect(d.refusal).toBe(acc.get(key))
        break
      case 'response.function_call_arguments.done':
        expect(d.arguments).toBe(acc.get(key) ?? '')
        expect(d.name).toBe(items[d.output_index]!.name)
        break
      case 'response.custom_tool_call_input.done':
        expect(d.input).toBe(acc.get(key) ?? '')
        break
      case 'response.output_item.done':
        expect(d.item.id).toBe(items[d.output_index]!.id)
        expect(d.item.type).toBe(items[d.output_index]!.type)
        items[d.output_index] = d.item
        done.add(d.output_index)
        break
      case 'response.completed':
      case 'response.incomplete':
      case 'response.failed':
        terminal = d.type
        response = d.response
        break
      case 'error':
        expect(terminal, 'error follows response.failed').toBe('response.failed')
        expect(i, 'error is the last event').toBe(events.length - 1)
        break
    }
  })
  expect(terminal, 'the stream ends with a terminal response event').toBeDefined()
  if (terminal !== 'response.failed') {
    expect(events.at(-1)!.data).toMatchObject({ type: terminal })
    expect(response!.output, 'the final output is the items as done').toEqual(items)
    expect(done.size).toBe(items.length)
    const u = response!.usage
    expect(u.total_tokens).toBe(u.input_tokens + u.output_tokens)
    expect(u.input_tokens_details.cached_tokens).toBeLessThanOrEqual(u.input_tokens)
    expect(u.output_tokens_details.reasoning_tokens).toBeLessThanOrEqual(u.output_tokens)
  } else {
    expect(response!.error.message).toEqual(expect.any(String))
  }
  return { terminal: terminal!, response: response!, items }
}

export interface LoopbackRequest {
  method: string
  url: string
  body: unknown
}

export interface LoopbackReply {
  status?: number
  contentType?: string
  body: string
}

/**
 * A loopback HTTP server for SDK tests: records each request (JSON body parsed) and answers with
 * what `handle` returns, written in small random pieces so the client's parser sees split events.
 */
export async function loopbackServer(handle: (req: LoopbackRequest) => LoopbackReply): Promise<{ url: string; requests: LoopbackRequest[]; close(): Promise<void> }> {
  const requests: LoopbackRequest[] = []
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8')
      const request = { method: req.method ?? 'GET', url: req.url ?? '/', body: text === '' ? undefined : (JSON.parse(text) as unknown) }
      requests.push(request)
      const reply = handle(request)
      res.writeHead(reply.status ?? 200, { 'content-type': reply.contentType ?? 'application/json' })
      const bytes = Buffer.from(reply.body, 'utf8')
      for (const piece of randomSplit(bytes, seededRandom(bytes.length), 20)) res.write(piece)
      res.end()
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  }
}
