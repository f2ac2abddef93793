import { describe, expect, it } from 'vitest'
import { InjectedUsageStripper, withIncludeUsage } from '../../../../src/main/gateway/usage/injectedUsage'
import { UsageScanner } from '../../../../src/main/gateway/usage/usageScanner'
import { seededRandom } from '../../../helpers/random'
import { openAIStream, randomSplit, type OpenAIFlavor } from './fixtures'

function strip(pieces: Buffer[], dropNullUsage = true): Buffer {
  const s = new InjectedUsageStripper({ dropNullUsage })
  const out = pieces.map((p) => s.push(p))
  out.push(s.flush())
  return Buffer.concat(out)
}

describe('withIncludeUsage', () => {
  const raw = (body: object) => Buffer.from(JSON.stringify(body))
  it('adds stream_options.include_usage to a streaming request, keeping every other byte', () => {
    const body = { model: 'm', stream: true, messages: [{ role: 'user', content: 'hi }' }] }
    const r = withIncludeUsage(raw(body), body)
    expect(r.injected).toBe(true)
    expect(JSON.parse(r.body.toString())).toEqual({ ...body, stream_options: { include_usage: true } })
    expect(r.body.toString().startsWith(JSON.stringify(body).slice(0, -1))).toBe(true)
  })
  it('handles trailing whitespace and existing stream_options', () => {
    const body = { model: 'm', stream: true }
    expect(JSON.parse(withIncludeUsage(Buffer.from(`${JSON.stringify(body)}\n  `), body).body.toString())).toEqual({ ...body, stream_options: { include_usage: true } })
    const withOpts = { model: 'm', stream: true, stream_options: { include_usage: false, include_obfuscation: false } }
    const r = withIncludeUsage(raw(withOpts), withOpts)
    expect(r.injected).toBe(true)
    expect(JSON.parse(r.body.toString()).stream_options).toEqual({ include_usage: true, include_obfuscation: false })
  })
  it('leaves alone non-streams, clients that asked, and continuous usage stats', () => {
    for (const body of [
      { model: 'm' },
      { model: 'm', stream: false },
      { model: 'm', stream: true, stream_options: { include_usage: true } },
      { model: 'm', stream: true, stream_options: { continuous_usage_stats: true } },
    ]) {
      const bytes = raw(body)
      const r = withIncludeUsage(bytes, body)
      expect(r).toEqual({ body: bytes, injected: false })
      expect(r.body).toBe(bytes)
    }
  })
})

describe('InjectedUsageStripper: the client stream is byte-identical to one that never asked', () => {
  const flavors: OpenAIFlavor[] = ['vllm-0.6', 'vllm', 'openai', 'ollama-v1']
  for (const flavor of flavors) {
    it(`${flavor}: split at every byte and at random points`, () => {
      const injected = Buffer.from(openAIStream({ flavor, includeUsage: true, usage: { prompt_tokens: 40, completion_tokens: 6, cached: 16 } }))
      const plain = Buffer.from(openAIStream({ flavor, includeUsage: false }))
      expect(injected.equals(plain)).toBe(false)
      expect(strip([injected]).equals(plain)).toBe(true)
      for (let i = 0; i <= injected.length; i++) {
        expect(strip([injected.subarray(0, i), injected.subarray(i)]).toString()).toBe(plain.toString())
      }
      for (let seed = 1; seed <= 300; seed++) {
        const random = seededRandom(seed)
        expect(strip(randomSplit(injected, random, 1 + Math.floor(random() * 30))).equals(plain)).toBe(true)
      }
    })
  }

  it('CR-only and CRLF streams, and a leading BOM: byte-identical at every split', () => {
    const injected = openAIStream({ flavor: 'vllm-0.6', includeUsage: true, usage: { prompt_tokens: 40, completion_tokens: 6 } })
    const plain = openAIStream({ flavor: 'vllm-0.6', includeUsage: false })
    for (const [from, to] of [
      [injected.replace(/\n/g, '\r'), plain.replace(/\n/g, '\r')],
      [injected.replace(/\n/g, '\r\n'), plain.replace(/\n/g, '\r\n')],
      [`\ufeff${injected}`, `\ufeff${plain}`],
    ]) {
      const bytes = Buffer.from(from!)
      expect(strip([bytes]).toString()).toBe(to)
      for (let i = 0; i <= bytes.length; i++) expect(strip([bytes.subarray(0, i), bytes.subarray(i)]).toString()).toBe(to)
      expect(strip([...bytes].map((b) => Buffer.from([b]))).toString()).toBe(to)
    }
  })

  it('the scanner still reads the usage from the raw upstream bytes', () => {
    const injected = Buffer.from(openAIStream({ flavor: 'vllm-0.6', includeUsage: true, usage: { prompt_tokens: 40, completion_tokens: 6 } }))
    const scanner = new UsageScanner('openai', 'openai-sse')
    const stripper = new InjectedUsageStripper()
    const client: Buffer[] = []
    for (const piece of randomSplit(injected, seededRandom(7), 12)) {
      scanner.push(piece)
      client.push(stripper.push(piece))
    }
    client.push(stripper.flush())
    expect(scanner.result().usage).toMatchObject({ promptTokens: 40, completionTokens: 6 })
    expect(Buffer.concat(client).toString()).not.toContain('"usage"')
  })

  it('passes whole-event chunks through as the same Buffer when there is nothing to remove', () => {
    const s = new InjectedUsageStripper()
    const chunk = Buffer.from('data: {"id":"x","choices":[{"index":0,"delta":{"content":"hi"}}]}\n\n')
    expect(s.push(chunk)).toBe(chunk)
    const partial = Buffer.from('data: {"id":"x","choices":[{"ind')
    expect(s.push(partial).length).toBe(0) // held until the event completes
    expect(s.atEventBoundary).toBe(false)
    expect(s.push(Buffer.from('ex":0}]}\n\n')).toString()).toBe('data: {"id":"x","choices":[{"index":0}]}\n\n')
    expect(s.atEventBoundary).toBe(true)
  })

  it('removes only the top-level usage key: nested ones and text mentioning usage stay', () => {
    const events =
      'data: {"id":"x","choices":[{"index":0,"delta":{"content":"\\"usage\\":null, \\"choices\\":[]"},"usage":null}],"usage":null}\n\n' +
      'data: {"usage":null,"id":"y","choices":[{"index":0,"delta":{"content":"a"}}]}\n\n' +
      'data: {"id":"z", "choices": [], "usage": null, "obfuscation": "k9"}\n\n' +
      'data: {"id":"z","choices":[{"index":0,"delta":{}}],"usage":{"prompt_tokens":1,"completion_tokens":1,"total_tokens":2}}\n\n'
    const expected =
      'data: {"id":"x","choices":[{"index":0,"delta":{"content":"\\"usage\\":null, \\"choices\\":[]"},"usage":null}]}\n\n' +
      'data: {"id":"y","choices":[{"index":0,"delta":{"content":"a"}}]}\n\n' +
      'data: {"id":"z", "choices": [], "obfuscation": "k9"}\n\n' +
      // usage on a chunk that still carries choices is content, not the injected chunk: kept
      'data: {"id":"z","choices":[{"index":0,"delta":{}}],"usage":{"prompt_tokens":1,"completion_tokens":1,"total_tokens":2}}\n\n'
    expect(strip([Buffer.from(events)]).toString()).toBe(expected)
  })

  it('drops a spaced (json.dumps-style) usage chunk and keeps nulls when told to', () => {
    const s = 'data: {"id": "a", "choices": [], "usage": {"prompt_tokens": 3, "completion_tokens": 2, "total_tokens": 5}}\n\ndata: [DONE]\n\n'
    expect(strip([Buffer.from(s)]).toString()).toBe('data: [DONE]\n\n')
    const nulls = 'data: {"id":"a","choices":[],"usage":null}\n\n'
    expect(strip([Buffer.from(nulls)], false).toString()).toBe(nulls)
  })

  it('flush hands over a trailing partial event on a broken stream', () => {
    const s = new InjectedUsageStripper()
    expect(s.push(Buffer.from('data: {"id":"x","choices":[{"index":0,"delta":{"content":"cut')).length).toBe(0)
    expect(s.flush().toString()).toBe('data: {"id":"x","choices":[{"index":0,"delta":{"content":"cut')
  })
})
