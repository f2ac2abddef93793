import { describe, expect, it } from 'vitest'
import { usageWithEstimate } from '../../../../src/main/gateway/usage/estimateTokens'
import { UsageScanner, scanFormatFor, type DeliveredText, type ScanFormat, type ScanResult } from '../../../../src/main/gateway/usage/usageScanner'
import type { UsageProtocol } from '../../../../src/main/gateway/usage/types'
import { seededRandom } from '../../../helpers/random'
import { anthropicStream, ollamaNativeStream, openAIStream, randomSplit, TEXT, WORDS } from './fixtures'

/** The scan result, plus the delivered text decoded whether or not usage came (result() skips it then). */
function scan(protocol: UsageProtocol, format: ScanFormat, pieces: Buffer[], opts = {}): ScanResult & DeliveredText {
  const s = new UsageScanner(protocol, format, opts)
  for (const p of pieces) s.push(p)
  return { ...s.result(), ...s.deliveredText() }
}

/** Same result however the stream is cut: at every single byte offset, and at random points. */
function expectSplitInvariant(protocol: UsageProtocol, format: ScanFormat, stream: string): ScanResult & DeliveredText {
  const bytes = Buffer.from(stream)
  const whole = scan(protocol, format, [bytes])
  for (let i = 0; i <= bytes.length; i++) {
    expect(scan(protocol, format, [bytes.subarray(0, i), bytes.subarray(i)])).toEqual(whole)
  }
  for (let seed = 1; seed <= 200; seed++) {
    const random = seededRandom(seed)
    const cuts = 1 + Math.floor(random() * 40)
    expect(scan(protocol, format, randomSplit(bytes, random, cuts))).toEqual(whole)
  }
  // One byte at a time: every UTF-8 character and every terminator split.
  expect(scan(protocol, format, [...bytes].map((b) => Buffer.from([b])))).toEqual(whole)
  return whole
}

const usage = (prompt: number, completion: number, extra: Partial<{ cached: number; cacheCreation: number; reasoning: number }> = {}) => ({
  promptTokens: prompt,
  completionTokens: completion,
  cachedTokens: extra.cached ?? 0,
  cacheCreationTokens: extra.cacheCreation ?? 0,
  reasoningTokens: extra.reasoning ?? 0,
})

describe('UsageScanner: OpenAI-style SSE', () => {
  for (const flavor of ['vllm-0.6', 'vllm', 'openai', 'ollama-v1'] as const) {
    it(`${flavor}: reads the final usage chunk, split anywhere`, () => {
      const stream = openAIStream({ flavor, includeUsage: true, usage: { prompt_tokens: 57, completion_tokens: 6, cached: flavor === 'ollama-v1' ? 0 : 32, reasoning: flavor === 'openai' ? 2 : 0 } })
      const r = expectSplitInvariant('openai', 'openai-sse', stream)
      expect(r.usage).toEqual(usage(57, 6, { cached: flavor === 'ollama-v1' ? 0 : 32, reasoning: flavor === 'openai' ? 2 : 0 }))
      expect(r.complete).toBe(true)
      expect(r.text).toBe(TEXT)
      expect(r.textEvents).toBe(WORDS.length)
    })
  }

  it('without usage: no usage, the delivered text for an estimate', async () => {
    const r = expectSplitInvariant('openai', 'openai-sse', openAIStream({ flavor: 'vllm', includeUsage: false }))
    expect(r.usage).toBeUndefined()
    expect(r.complete).toBe(true)
    expect(r.text).toBe(TEXT)
    const est = await usageWithEstimate(r, { messages: [{ role: 'user', content: 'Say hello to the world in two languages.' }] })
    expect(est.estimated).toBe(true)
    expect(est.usage.completionTokens).toBeGreaterThanOrEqual(WORDS.length)
    expect(est.usage.promptTokens).toBeGreaterThan(5)
  })

  it('a stream cut short before the usage chunk is incomplete and estimated', async () => {
    const r = scan('openai', 'openai-sse', [Buffer.from(openAIStream({ flavor: 'openai', includeUsage: true, cutAfter: 4 }))])
    expect(r.usage).toBeUndefined()
    expect(r.complete).toBe(false)
    expect(r.text).toBe(WORDS.slice(0, 3).join(''))
    const est = await usageWithEstimate(r, undefined)
    expect(est).toMatchObject({ estimated: true, usage: { promptTokens: 0 } })
    expect(est.usage.completionTokens).toBeGreaterThanOrEqual(3)
  })

  it('vLLM continuous usage: the last (cumulative) report wins', () => {
    const ev = (u: number) => `data: {"id":"x","object":"chat.completion.chunk","created":1,"model":"m","choices":[{"index":0,"delta":{"content":"a"}}],"usage":{"prompt_tokens":9,"total_tokens":${9 + u},"completion_tokens":${u}}}\n\n`
    const r = expectSplitInvariant('openai', 'openai-sse', ev(1) + ev(2) + ev(3) + 'data: [DONE]\n\n')
    expect(r.usage).toEqual(usage(9, 3))
  })

  it('Groq x_groq usage and DeepSeek cache-hit counts', () => {
    const groq = 'data: {"id":"c","object":"chat.completion.chunk","choices":[{"index":0,"delta":{},"finish_reason":"stop"}],"x_groq":{"id":"req_1","usage":{"queue_time":0.01,"prompt_tokens":18,"prompt_time":0.002,"completion_tokens":7,"completion_time":0.02,"total_tokens":25,"total_time":0.022}}}\n\ndata: [DONE]\n\n'
    expect(expectSplitInvariant('openai', 'openai-sse', groq).usage).toEqual(usage(18, 7))
    const deepseek = 'data: {"id":"d","object":"chat.completion.chunk","choices":[],"usage":{"prompt_tokens":100,"completion_tokens":5,"total_tokens":105,"prompt_cache_hit_tokens":64,"prompt_cache_miss_tokens":36}}\n\ndata: [DONE]\n\n'
    expect(expectSplitInvariant('openai', 'openai-sse', deepseek).usage).toEqual(usage(100, 5, { cached: 64 }))
  })

  it('CRLF-framed events and tool-call arguments', () => {
    const s =
      'data: {"choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"function":{"arguments":"{\\"city\\": \\"Par"}}]}}]}\r\n\r\n' +
      'data: {"choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"function":{"arguments":"is\\"}"}}]}}]}\r\n\r\n' +
      'data: {"choices":[],"usage":{"prompt_tokens":40,"completion_tokens":12,"total_tokens":52}}\r\n\r\ndata: [DONE]\r\n\r\n'
    const r = expectSplitInvariant('openai', 'openai-sse', s)
    expect(r.usage).toEqual(usage(40, 12))
    expect(r.text).toBe('{"city": "Paris"}')
  })
})

describe('UsageScanner: every line end the SSE spec allows', () => {
  const crlf = (s: string): string => s.replace(/\n/g, '\r\n')
  const cr = (s: string): string => s.replace(/\n/g, '\r')
  const openai = openAIStream({ flavor: 'openai', includeUsage: true, usage: { prompt_tokens: 40, completion_tokens: 6 } })

  it('CR-only and CRLF OpenAI streams (CR/LF pairs split across reads included), and a leading BOM', () => {
    const lf = expectSplitInvariant('openai', 'openai-sse', openai)
    expect(lf.usage).toEqual(usage(40, 6))
    for (const stream of [cr(openai), crlf(openai), `\ufeff${openai}`, `\ufeff${cr(openai)}`]) {
      const r = expectSplitInvariant('openai', 'openai-sse', stream)
      expect(r).toEqual(lf)
    }
  })

  it('CR-only Anthropic streams: event names, usage and the error code', () => {
    const r = expectSplitInvariant('anthropic', 'anthropic-sse', cr(anthropicStream({ input: 25, output: 40, cacheRead: 1800, cacheWrite: 300 })))
    expect(r.usage).toEqual(usage(2125, 40, { cached: 1800, cacheCreation: 300 }))
    expect(r.complete).toBe(true)
    const failed = 'event: error\rdata: {"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}\r\r'
    expect(expectSplitInvariant('anthropic', 'anthropic-sse', failed).streamError).toBe('overloaded_error')
  })
})

describe('UsageScanner: Anthropic SSE', () => {
  it('message_start input and cache counts, last message_delta output (cumulative, not summed)', () => {
    const r = expectSplitInvariant('anthropic', 'anthropic-sse', anthropicStream({ input: 25, output: 40, cacheRead: 1800, cacheWrite: 300 }))
    // promptTokens counts every input token: 25 uncached + 1800 read + 300 written.
    expect(r.usage).toEqual(usage(2125, 40, { cached: 1800, cacheCreation: 300 }))
    expect(r.complete).toBe(true)
    expect(r.text).toBe(TEXT)
  })

  it('a message_delta that repeats input counts replaces them', () => {
    const s =
      'event: message_start\ndata: {"type":"message_start","message":{"usage":{"input_tokens":0,"output_tokens":1}}}\n\n' +
      'event: message_delta\ndata: {"type":"message_delta","delta":{"stop_reason":"end_turn"},"usage":{"input_tokens":14,"output_tokens":9}}\n\n' +
      'event: message_stop\ndata: {"type":"message_stop"}\n\n'
    expect(expectSplitInvariant('anthropic', 'anthropic-sse', s).usage).toEqual(usage(14, 9))
  })

  it('cut short after message_start: exact input, estimated output', async () => {
    const r = expectSplitInvariant('anthropic', 'anthropic-sse', anthropicStream({ input: 25, output: 40, cacheRead: 100 }, { cutAfterDeltas: 2 }))
    expect(r.usage).toBeUndefined()
    expect(r.partialUsage).toEqual(usage(125, 1, { cached: 100 }))
    const est = await usageWithEstimate(r, undefined)
    expect(est.estimated).toBe(true)
    expect(est.usage).toMatchObject({ promptTokens: 125, cachedTokens: 100 })
    expect(est.usage.completionTokens).toBeGreaterThanOrEqual(2)
  })

  it('streams without event: lines still work', () => {
    const s = anthropicStream({ input: 5, output: 7 }).replace(/^event: .*\n/gm, '')
    expect(expectSplitInvariant('anthropic', 'anthropic-sse', s).usage).toEqual(usage(5, 7))
  })
})

describe('UsageScanner: Ollama native NDJSON', () => {
  it('/api/chat: the done:true object', () => {
    const r = expectSplitInvariant('ollama', 'ollama-ndjson', ollamaNativeStream(26, 298))
    expect(r.usage).toEqual(usage(26, 298))
    expect(r.text).toBe(TEXT)
    expect(r.complete).toBe(true)
  })
  it('/api/generate: done before a long context array', () => {
    expect(expectSplitInvariant('ollama', 'ollama-ndjson', ollamaNativeStream(11, 6, { endpoint: 'generate' })).usage).toEqual(usage(11, 6))
  })
  it('cut short: no usage', () => {
    const r = scan('ollama', 'ollama-ndjson', [Buffer.from(ollamaNativeStream(1, 1, { cut: true }))])
    expect(r).toMatchObject({ usage: undefined, complete: false, text: TEXT })
  })
})

describe('UsageScanner: whole JSON bodies', () => {
  const bodies: Array<[UsageProtocol, unknown, ReturnType<typeof usage>]> = [
    ['openai', { id: 'x', object: 'chat.completion', choices: [{ index: 0, message: { role: 'assistant', content: 'hi' } }], usage: { prompt_tokens: 12, completion_tokens: 4, total_tokens: 16, prompt_tokens_details: { cached_tokens: 8 }, completion_tokens_details: { reasoning_tokens: 3 } } }, usage(12, 4, { cached: 8, reasoning: 3 })],
    ['openai', { object: 'list', data: [{ object: 'embedding', embedding: [0.1] }], model: 'e', usage: { prompt_tokens: 7, total_tokens: 7 } }, usage(7, 0)],
    ['anthropic', { id: 'msg', type: 'message', content: [{ type: 'text', text: 'hi' }], usage: { input_tokens: 10, output_tokens: 3, cache_read_input_tokens: 5, cache_creation_input_tokens: 0 } }, usage(15, 3, { cached: 5 })],
    ['ollama', { model: 'llama3.2', message: { role: 'assistant', content: 'hi' }, done: true, prompt_eval_count: 26, eval_count: 5 }, usage(26, 5)],
  ]
  for (const [protocol, body, expected] of bodies) {
    it(`${protocol}: ${JSON.stringify(body).slice(0, 40)}…`, () => {
      const r = expectSplitInvariant(protocol, 'json', JSON.stringify(body))
      expect(r.usage).toEqual(expected)
    })
  }

  it('an oversized body is read from its tail', () => {
    const big = { id: 'x', choices: [{ message: { content: 'y'.repeat(300_000) } }], usage: { prompt_tokens: 3, completion_tokens: 100_000, total_tokens: 100_003 } }
    const s = new UsageScanner('openai', 'json', { maxJsonBytes: 64 * 1024 })
    const bytes = Buffer.from(JSON.stringify(big))
    for (let i = 0; i < bytes.length; i += 10_000) s.push(bytes.subarray(i, i + 10_000))
    expect(s.result().usage).toEqual(usage(3, 100_000))
  })
})

describe('scanFormatFor', () => {
  it('picks the format from protocol and content type', () => {
    expect(scanFormatFor('openai', 'text/event-stream; charset=utf-8')).toBe('openai-sse')
    expect(scanFormatFor('anthropic', 'text/event-stream')).toBe('anthropic-sse')
    expect(scanFormatFor('ollama', 'application/x-ndjson')).toBe('ollama-ndjson')
    expect(scanFormatFor('ollama', 'application/json; charset=utf-8')).toBe('json')
    expect(scanFormatFor('openai', 'application/json')).toBe('json')
  })
})

describe('UsageScanner: delivered text', () => {
  it('is decoded only when usage is missing', () => {
    const withUsage = new UsageScanner('openai', 'openai-sse')
    withUsage.push(Buffer.from(openAIStream({ flavor: 'vllm', includeUsage: true })))
    expect(withUsage.result().delivered).toEqual({ text: '', textChars: 0, textEvents: 0 })
    const without = new UsageScanner('openai', 'openai-sse')
    without.push(Buffer.from(openAIStream({ flavor: 'vllm', includeUsage: false })))
    expect(without.result().delivered).toEqual({ text: TEXT, textChars: TEXT.length, textEvents: WORDS.length })
  })

  it('keeps a bounded amount of raw events and extrapolates past it', () => {
    const words = Array.from({ length: 400 }, (_, i) => ` w${i % 10}`)
    const r = scan('openai', 'openai-sse', [Buffer.from(openAIStream({ flavor: 'openai', includeUsage: false, words }))], { maxRawBytes: 4096 })
    expect(r.text.length).toBeLessThan(words.join('').length / 4)
    expect(r.textEvents).toBeGreaterThan(360)
    expect(r.textEvents).toBeLessThan(440)
    expect(Math.abs(r.textChars - words.join('').length)).toBeLessThan(words.join('').length * 0.1)
  })
})
