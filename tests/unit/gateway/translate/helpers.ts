// Shared by the translation tests: fixture loading, upstream bytes, reading translated output, and
// the Chat <-> Anthropic translations by their direction (each one decode -> encode through the
// canonical model of dialects/).
import { readFileSync, readdirSync } from 'node:fs'
import { join } from 'node:path'
import type { AnthropicMessage, AnthropicRequest } from '../../../../src/main/gateway/dialects/anthropicMessages/wire'
import type { EncodeRequestOptions, ResponseContext } from '../../../../src/main/gateway/dialects/codec'
import type { OpenAIChatCompletion, OpenAIRequest } from '../../../../src/main/gateway/dialects/openaiChat/wire'
import { SseParser } from '../../../../src/main/gateway/dialects/sse'
import type { StreamTranslator } from '../../../../src/main/gateway/dialects/streamBase'
import { translateRequest, translateResponse, translateStream } from '../../../../src/main/gateway/dialects/translate'

export type { StreamTranslator }
export type ResponseOptions = ResponseContext

export const anthropicToOpenAIRequest = (body: AnthropicRequest, options?: EncodeRequestOptions): OpenAIRequest =>
  translateRequest('anthropic-messages', 'openai-chat', body, options).body as OpenAIRequest
export const openAIToAnthropicRequest = (body: OpenAIRequest, options?: EncodeRequestOptions): AnthropicRequest =>
  translateRequest('openai-chat', 'anthropic-messages', body, options).body as AnthropicRequest
export const openAIToAnthropicResponse = (body: unknown, options: ResponseOptions): AnthropicMessage =>
  translateResponse('openai-chat', 'anthropic-messages', body, options) as AnthropicMessage
export const anthropicToOpenAIResponse = (body: unknown, options: ResponseOptions): OpenAIChatCompletion =>
  translateResponse('anthropic-messages', 'openai-chat', body, options) as OpenAIChatCompletion
/** Client speaks Anthropic, upstream streams chat chunks. */
export const openAIStreamToAnthropic = (options: ResponseOptions): StreamTranslator => translateStream('openai-chat', 'anthropic-messages', options)
/** Client speaks chat, upstream streams Anthropic events. */
export const anthropicStreamToOpenAI = (options: ResponseOptions): StreamTranslator => translateStream('anthropic-messages', 'openai-chat', options)

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
