// The official SDKs must accept what the bridge produces. A loopback server replays translated
// output verbatim; the clients parse every event, accumulate text and tool input, and surface
// mid-stream errors as errors. The follow-up request each SDK builds from a tool call is captured
// and translated back, closing the tool-use round trip.
import Anthropic, { APIError as AnthropicAPIError } from '@anthropic-ai/sdk'
import OpenAI, { APIError as OpenAIAPIError } from 'openai'
import { createServer, type IncomingMessage, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { seededRandom } from '../../../helpers/random'
import {
  anthropicStreamToOpenAI,
  anthropicToOpenAIRequest,
  anthropicToOpenAIResponse,
  loadFixture,
  openAIStreamToAnthropic,
  openAIToAnthropicRequest,
  openAIToAnthropicResponse,
  randomSplit,
  streamFixtures,
  upstreamBytes,
  type ResponseOptions,
  type StreamFixture,
} from './helpers'

interface Reply {
  contentType: string
  body: string
}

let server: Server
let baseURL: string
let reply: Reply = { contentType: 'application/json', body: '{}' }
const received: unknown[] = []

async function readJson(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = []
  for await (const c of req) chunks.push(c as Buffer)
  return JSON.parse(Buffer.concat(chunks).toString('utf8'))
}

beforeAll(async () => {
  server = createServer((req, res) => {
    void readJson(req).then((body) => {
      received.push(body)
      res.writeHead(200, { 'content-type': reply.contentType, 'request-id': 'req_test' })
      // Written in small pieces so the SDK's own SSE decoder also sees events split across reads.
      const bytes = Buffer.from(reply.body, 'utf8')
      for (const piece of randomSplit(bytes, seededRandom(bytes.length), 20)) res.write(piece)
      res.end()
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  baseURL = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
})
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())))

function serveStream(body: string): void {
  reply = { contentType: 'text/event-stream; charset=utf-8', body }
}
function serveJson(body: unknown): void {
  reply = { contentType: 'application/json', body: JSON.stringify(body) }
}

/** What a correct client should end up with, computed from the golden client-side events. */
function expectedOutcome(fx: StreamFixture): { text: string; tools: Array<{ name: string; input: unknown }>; error?: string } {
  let text = ''
  const tools: Array<{ name: string; args: string }> = []
  let error: string | undefined
  for (const { data } of fx.expected) {
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- walking golden JSON of either protocol
    const d = data as Record<string, any>
    if (d.type === 'content_block_delta' && d.delta.type === 'text_delta') text += d.delta.text
    if (d.type === 'content_block_start' && d.content_block.type === 'tool_use') tools.push({ name: d.content_block.name, args: '' })
    if (d.type === 'content_block_delta' && d.delta.type === 'input_json_delta') tools.at(-1)!.args += d.delta.partial_json
    if (d.type === 'error') error = d.error.message
    for (const c of d.choices ?? []) {
      if (typeof c.delta?.content === 'string') text += c.delta.content
      for (const t of c.delta?.tool_calls ?? []) {
        if (t.function?.name) tools[t.index] = { name: t.function.name, args: '' }
        if (t.function?.arguments) tools[t.index]!.args += t.function.arguments
      }
    }
    if (d.error && !d.type) error = d.error.message
  }
  return { text, tools: tools.map((t) => ({ name: t.name, input: JSON.parse(t.args || '{}') })), error }
}

function translate(make: 'toAnthropic' | 'toOpenAI', fx: StreamFixture): string {
  const t = make === 'toAnthropic' ? openAIStreamToAnthropic(fx.options as never) : anthropicStreamToOpenAI(fx.options as never)
  return t.push(upstreamBytes(fx)) + t.end()
}

describe('@anthropic-ai/sdk reads streams translated from OpenAI upstreams', () => {
  const anthropic = () => new Anthropic({ baseURL, apiKey: 'sk-ant-test', maxRetries: 0 })

  it.each(streamFixtures('stream-openai-to-anthropic-'))('%s via messages.stream()', async (_file, fx) => {
    serveStream(translate('toAnthropic', fx))
    const want = expectedOutcome(fx)
    const stream = anthropic().messages.stream({ model: 'qwen-local', max_tokens: 100, messages: [{ role: 'user', content: 'hi' }] })
    if (want.error !== undefined) {
      const err = await stream.finalMessage().catch((e: unknown) => e)
      expect(err).toBeInstanceOf(AnthropicAPIError)
      expect((err as AnthropicAPIError).message).toContain(want.error)
      return
    }
    const message = await stream.finalMessage()
    expect(message.model).toBe(fx.options.model)
    const text = message.content.flatMap((b) => (b.type === 'text' ? [b.text] : [])).join('')
    expect(text).toBe(want.text)
    expect(message.content.flatMap((b) => (b.type === 'tool_use' ? [{ name: b.name, input: b.input }] : []))).toEqual(want.tools)
    expect(message.stop_reason).toBe((fx.expected.at(-2)!.data as { delta: { stop_reason: string } }).delta.stop_reason)
  })

  it('parses every raw event of messages.create({ stream: true })', async () => {
    const [, fx] = streamFixtures('stream-openai-to-anthropic-tool-split')[0]!
    serveStream(translate('toAnthropic', fx))
    const types: string[] = []
    const stream = await anthropic().messages.create({ model: 'm', max_tokens: 10, stream: true, messages: [{ role: 'user', content: 'hi' }] })
    for await (const event of stream) types.push(event.type)
    expect(types).toEqual(fx.expected.map((e) => e.event))
  })

  it.each(loadFixture<{ openaiToAnthropic: Array<{ name: string; input: unknown; options: ResponseOptions }> }>('responses.json').openaiToAnthropic.map((c) => [c.name, c] as const))(
    'messages.create() reads a translated non-stream response: %s',
    async (_name, c) => {
      const translated = openAIToAnthropicResponse(c.input, c.options)
      serveJson(translated)
      const message = await anthropic().messages.create({ model: 'm', max_tokens: 10, messages: [{ role: 'user', content: 'hi' }] })
      expect(message).toEqual(translated)
    },
  )

  it('completes a tool-use round trip: the follow-up request translates to tool messages after the assistant turn', async () => {
    const [, fx] = streamFixtures('stream-openai-to-anthropic-parallel-tools')[0]!
    serveStream(translate('toAnthropic', fx))
    const client = anthropic()
    const messages: Anthropic.MessageParam[] = [{ role: 'user', content: 'Weather in Paris and the time in CET?' }]
    const first = await client.messages.stream({ model: 'qwen-local', max_tokens: 100, messages }).finalMessage()
    expect(first.stop_reason).toBe('tool_use')
    messages.push({ role: first.role, content: first.content })
    const results = first.content.flatMap((b) => (b.type === 'tool_use' ? [{ type: 'tool_result' as const, tool_use_id: b.id, content: `result of ${b.name}` }] : []))
    messages.push({ role: 'user', content: results })
    serveStream(translate('toAnthropic', streamFixtures('stream-openai-to-anthropic-text')[0]![1]))
    received.length = 0
    await client.messages.stream({ model: 'qwen-local', max_tokens: 100, messages }).finalMessage()
    const upstream = anthropicToOpenAIRequest(received[0] as never)
    expect(upstream.messages.slice(1)).toEqual([
      { role: 'assistant', content: null, tool_calls: [
        { id: 'call_1', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } },
        { id: 'call_2', type: 'function', function: { name: 'get_time', arguments: '{"tz":"CET"}' } },
      ] },
      { role: 'tool', tool_call_id: 'call_1', content: 'result of get_weather' },
      { role: 'tool', tool_call_id: 'call_2', content: 'result of get_time' },
    ])
  })
})

describe('openai SDK reads streams translated from Anthropic upstreams', () => {
  const openai = () => new OpenAI({ baseURL: `${baseURL}/v1`, apiKey: 'sk-test', maxRetries: 0 })

  it.each(streamFixtures('stream-anthropic-to-openai-'))('%s via chat.completions.stream()', async (_file, fx) => {
    serveStream(translate('toOpenAI', fx))
    const want = expectedOutcome(fx)
    const stream = openai().chat.completions.stream({ model: 'gpt-4o', messages: [{ role: 'user', content: 'hi' }] })
    if (want.error !== undefined) {
      const err = await stream.finalChatCompletion().catch((e: unknown) => e)
      expect(err).toBeInstanceOf(OpenAIAPIError)
      expect((err as OpenAIAPIError).message).toContain(want.error)
      return
    }
    const completion = await stream.finalChatCompletion()
    const message = completion.choices[0]!.message
    expect(completion.model).toBe('gpt-4o')
    expect(message.content ?? '').toBe(want.text)
    expect((message.tool_calls ?? []).map((t) => (t.type === 'function' ? { name: t.function.name, input: JSON.parse(t.function.arguments) } : t))).toEqual(want.tools)
  })

  it('chat.completions.create({ stream: true }) yields every chunk, the usage chunk when asked for', async () => {
    const [, fx] = streamFixtures('stream-anthropic-to-openai-parallel-tools')[0]!
    serveStream(translate('toOpenAI', fx))
    const chunks: OpenAI.ChatCompletionChunk[] = []
    const stream = await openai().chat.completions.create({ model: 'gpt-4o', stream: true, stream_options: { include_usage: true }, messages: [{ role: 'user', content: 'hi' }] })
    for await (const chunk of stream) chunks.push(chunk)
    expect(chunks).toHaveLength(fx.expected.length - 1) // all but [DONE]
    expect(chunks.at(-1)!.usage).toEqual({ prompt_tokens: 100, completion_tokens: 40, total_tokens: 140, prompt_tokens_details: { cached_tokens: 90 } })
  })

  it.each(loadFixture<{ anthropicToOpenAI: Array<{ name: string; input: unknown; options: ResponseOptions }> }>('responses.json').anthropicToOpenAI.map((c) => [c.name, c] as const))(
    'chat.completions.create() reads a translated non-stream response: %s',
    async (_name, c) => {
      const translated = anthropicToOpenAIResponse(c.input, c.options)
      serveJson(translated)
      const completion = await openai().chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'hi' }] })
      expect(completion).toEqual(translated)
    },
  )

  it('completes a tool-use round trip: the follow-up request translates to tool_result blocks', async () => {
    const [, fx] = streamFixtures('stream-anthropic-to-openai-tool')[0]!
    serveStream(translate('toOpenAI', fx))
    const client = openai()
    const messages: OpenAI.ChatCompletionMessageParam[] = [{ role: 'user', content: 'Weather in SF?' }]
    const first = await client.chat.completions.stream({ model: 'gpt-4o', messages }).finalChatCompletion()
    const assistant = first.choices[0]!.message
    expect(first.choices[0]!.finish_reason).toBe('tool_calls')
    messages.push({ role: 'assistant', content: assistant.content, tool_calls: assistant.tool_calls })
    for (const call of assistant.tool_calls ?? []) messages.push({ role: 'tool', tool_call_id: call.id, content: '15°C' })
    serveStream(translate('toOpenAI', streamFixtures('stream-anthropic-to-openai-text')[0]![1]))
    received.length = 0
    await client.chat.completions.stream({ model: 'gpt-4o', messages }).finalChatCompletion()
    const upstream = openAIToAnthropicRequest(received[0] as never)
    expect(upstream.messages.slice(1)).toEqual([
      { role: 'assistant', content: [
        { type: 'text', text: "Okay, let's check the weather for San Francisco, CA:" },
        { type: 'tool_use', id: 'toolu_01T1x1fJ34qAmk2tNTrN7Up6', name: 'get_weather', input: { location: 'San Francisco, CA', unit: 'fahrenheit' } },
      ] },
      { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'toolu_01T1x1fJ34qAmk2tNTrN7Up6', content: '15°C' }] },
    ])
  })
})
