// Issue 6, OpenAI ingress -> `anthropic`-kind provider: the official `openai` client talks to the
// real gateway, which translates chat completions to the Messages API of a mock Anthropic on
// loopback, and the answers (JSON, SSE, errors) back.
import OpenAI from 'openai'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { startTestGateway, type TestGateway } from '../../helpers/gateway'
import { postJson, sseData } from '../../helpers/http'
import { startMockAnthropic, type MockAnthropic, type MockTurn } from '../../helpers/mockAnthropic'

const UPSTREAM = 'claude-sonnet-4-6'
const ASKED = 'gpt-4o'
const KEY = 'sk-ant-configured-key'

const TWO_TOOLS: MockTurn = {
  content: [
    { type: 'text', text: 'Checking both.' },
    { type: 'tool_use', id: 'toolu_01A09q90qw90lq917835lq9', name: 'get_weather', input: { city: 'Zürich', unit: 'c' } },
    { type: 'tool_use', id: 'toolu_01B1234567890abcdefghijk', name: 'get_time', input: { city: 'Tōkyō' } },
  ],
  stopReason: 'tool_use',
  usage: { input_tokens: 300, output_tokens: 70, cache_read_input_tokens: 100, cache_creation_input_tokens: 20 },
}

const tools: OpenAI.ChatCompletionFunctionTool[] = [
  { type: 'function', function: { name: 'get_weather', description: 'Weather for a city', parameters: { type: 'object', properties: { city: { type: 'string' }, unit: { type: 'string' } }, required: ['city'] } } },
  { type: 'function', function: { name: 'get_time', description: 'Local time', parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] } } },
]

describe('OpenAI clients on Anthropic providers (translated)', () => {
  let claude: MockAnthropic
  let busy: MockAnthropic
  let overloaded: MockAnthropic
  let gw: TestGateway
  let client: OpenAI

  beforeAll(async () => {
    claude = await startMockAnthropic({ models: [UPSTREAM] })
    busy = await startMockAnthropic({ models: ['claude-busy'] })
    overloaded = await startMockAnthropic({ models: ['claude-overloaded'] })
    gw = await startTestGateway({
      providers: [
        { id: 'claude', kind: 'anthropic', baseUrl: claude.baseUrl, apiKey: KEY, models: [UPSTREAM] },
        { id: 'claude-busy', kind: 'anthropic', baseUrl: busy.baseUrl, apiKey: 'sk-busy', models: ['claude-busy'] },
        { id: 'claude-overloaded', kind: 'anthropic', baseUrl: overloaded.baseUrl, apiKey: 'sk-over', models: ['claude-overloaded'] },
      ],
      routes: [{ model: ASKED, targets: [{ provider: 'claude', model: UPSTREAM }] }],
    })
    client = new OpenAI({ baseURL: `${gw.url}/v1`, apiKey: 'sk-openai-client-key-never-forwarded', maxRetries: 0 })
  })
  afterAll(async () => {
    await gw.close()
    await Promise.all([claude.close(), busy.close(), overloaded.close()])
  })
  afterEach(() => {
    for (const m of [claude, busy, overloaded]) m.reset()
    claude.behavior.requireKey = KEY
  })

  it('answers a non-streamed chat completion with the asked-for model, the documented defaults upstream', async () => {
    claude.behavior.requireKey = KEY
    claude.behavior.reply = { content: [{ type: 'text', text: 'Hello from Claude' }], usage: { input_tokens: 25, output_tokens: 6, cache_read_input_tokens: 10 } }
    const res = await client.chat.completions.create({
      model: ASKED,
      messages: [
        { role: 'system', content: 'Be brief.' },
        { role: 'user', content: 'hi' },
      ],
      temperature: 0.4,
      stop: ['END'],
    })
    expect(res.object).toBe('chat.completion')
    expect(res.model).toBe(ASKED)
    expect(res.id).toMatch(/^chatcmpl-/)
    expect(res.choices[0]!.message).toMatchObject({ role: 'assistant', content: 'Hello from Claude' })
    expect(res.choices[0]!.finish_reason).toBe('stop')
    expect(res.usage).toMatchObject({ prompt_tokens: 35, completion_tokens: 6, total_tokens: 41, prompt_tokens_details: { cached_tokens: 10 } })
    const up = claude.last()
    expect(up.path).toBe('/v1/messages')
    expect(up.headers['x-api-key']).toBe(KEY)
    expect(up.headers.authorization).toBeUndefined()
    expect(up.headers['anthropic-version']).toBe('2023-06-01')
    expect(up.body).toEqual({ model: UPSTREAM, max_tokens: 4096, messages: [{ role: 'user', content: [{ type: 'text', text: 'hi' }] }], system: 'Be brief.', temperature: 0.4, stop_sequences: ['END'] })
  })

  it('streams with include_usage: content deltas, a finish chunk, one usage chunk, [DONE]', async () => {
    claude.behavior.reply = { content: [{ type: 'text', text: 'Streaming through the bridge, naïvely ✓' }], usage: { input_tokens: 40, output_tokens: 12 } }
    claude.behavior.deltaChars = 3
    claude.behavior.writeBytes = 11
    const stream = await client.chat.completions.create({ model: ASKED, messages: [{ role: 'user', content: 'hi' }], stream: true, stream_options: { include_usage: true } })
    let text = ''
    const finishes: string[] = []
    const usages: OpenAI.CompletionUsage[] = []
    for await (const chunk of stream) {
      expect(chunk.object).toBe('chat.completion.chunk')
      expect(chunk.model).toBe(ASKED)
      for (const c of chunk.choices) {
        text += c.delta.content ?? ''
        if (c.finish_reason) finishes.push(c.finish_reason)
      }
      if (chunk.usage) {
        expect(chunk.choices).toEqual([])
        usages.push(chunk.usage)
      }
    }
    expect(text).toBe('Streaming through the bridge, naïvely ✓')
    expect(finishes).toEqual(['stop'])
    expect(usages).toHaveLength(1)
    expect(usages[0]).toMatchObject({ prompt_tokens: 40, completion_tokens: 12, total_tokens: 52 })
    expect(claude.last().body?.stream).toBe(true)
  })

  it('streams without include_usage: no usage chunk, and the raw stream ends with [DONE]', async () => {
    const res = await postJson(gw.url, '/v1/chat/completions', { model: ASKED, stream: true, messages: [{ role: 'user', content: 'hi' }] }, { authorization: 'Bearer sk-client' })
    expect(res.status).toBe(200)
    expect(res.headers['content-type']).toMatch(/^text\/event-stream/)
    const data = sseData(res.text)
    expect(data.at(-1)).toBe('[DONE]')
    const chunks = data.slice(0, -1).map((d) => JSON.parse(d) as Record<string, unknown>)
    expect(chunks.every((c) => c.usage === undefined || c.usage === null)).toBe(true)
    expect(chunks.map((c) => (c.choices as Array<{ delta: { content?: string } }>)[0]?.delta.content ?? '').join('')).toBe('Hello from Claude')
    expect(res.text).not.toContain('event:') // no Anthropic framing (pings included) leaks through
    expect(claude.last().headers.authorization).toBeUndefined()
  })

  it('returns parallel tool calls, non-streamed', async () => {
    claude.behavior.reply = TWO_TOOLS
    const res = await client.chat.completions.create({ model: ASKED, messages: [{ role: 'user', content: 'Weather in Zürich and time in Tōkyō?' }], tools, tool_choice: 'required', parallel_tool_calls: true })
    const msg = res.choices[0]!.message
    expect(res.choices[0]!.finish_reason).toBe('tool_calls')
    expect(msg.content).toBe('Checking both.')
    expect(msg.tool_calls?.map((c) => (c.type === 'function' ? [c.id, c.function.name, JSON.parse(c.function.arguments)] : []))).toEqual([
      ['toolu_01A09q90qw90lq917835lq9', 'get_weather', { city: 'Zürich', unit: 'c' }],
      ['toolu_01B1234567890abcdefghijk', 'get_time', { city: 'Tōkyō' }],
    ])
    expect(res.usage).toMatchObject({ prompt_tokens: 420, completion_tokens: 70 })
    const up = claude.last().body!
    expect(up.tool_choice).toEqual({ type: 'any' })
    expect(up.tools).toEqual(tools.map((t) => ({ name: t.function.name, description: t.function.description, input_schema: t.function.parameters })))
  })

  it('completes a streamed tool-use round trip: split input_json_delta -> arguments -> tool messages -> tool_result', async () => {
    claude.behavior.reply = (body) => ((body.messages as unknown[]).length > 1 ? { content: [{ type: 'text', text: 'Zürich: 21 °C; Tōkyō: 22:05.' }] } : TWO_TOOLS)
    claude.behavior.deltaChars = 2
    const messages: OpenAI.ChatCompletionMessageParam[] = [{ role: 'user', content: 'Weather in Zürich and time in Tōkyō?' }]
    const runner = client.chat.completions.stream({ model: ASKED, messages, tools, stream_options: { include_usage: true } })
    const argDeltas: string[] = []
    runner.on('tool_calls.function.arguments.delta', (e) => argDeltas.push(e.arguments_delta))
    const turn1 = await runner.finalChatCompletion()
    const msg = turn1.choices[0]!.message
    expect(turn1.choices[0]!.finish_reason).toBe('tool_calls')
    expect(msg.content).toBe('Checking both.')
    const calls = (msg.tool_calls ?? []).filter((c) => c.type === 'function')
    expect(calls.map((c) => [c.function.name, JSON.parse(c.function.arguments)])).toEqual([
      ['get_weather', { city: 'Zürich', unit: 'c' }],
      ['get_time', { city: 'Tōkyō' }],
    ])
    expect(argDeltas.length).toBeGreaterThan(8)
    expect(turn1.usage).toMatchObject({ prompt_tokens: 420, completion_tokens: 70, prompt_tokens_details: { cached_tokens: 100 } })

    messages.push({ role: 'assistant', content: msg.content, tool_calls: msg.tool_calls })
    messages.push({ role: 'tool', tool_call_id: calls[0]!.id, content: '21 °C' })
    messages.push({ role: 'tool', tool_call_id: calls[1]!.id, content: '22:05' })
    const turn2 = await client.chat.completions.create({ model: ASKED, messages, tools })
    expect(turn2.choices[0]!.message.content).toBe('Zürich: 21 °C; Tōkyō: 22:05.')
    const up = claude.last().body!.messages as Array<{ role: string; content: Array<Record<string, unknown>> }>
    expect(up).toHaveLength(3)
    expect(up[1]).toEqual({
      role: 'assistant',
      content: [
        { type: 'text', text: 'Checking both.' },
        { type: 'tool_use', id: calls[0]!.id, name: 'get_weather', input: { city: 'Zürich', unit: 'c' } },
        { type: 'tool_use', id: calls[1]!.id, name: 'get_time', input: { city: 'Tōkyō' } },
      ],
    })
    expect(up[2]).toEqual({
      role: 'user',
      content: [
        { type: 'tool_result', tool_use_id: calls[0]!.id, content: '21 °C' },
        { type: 'tool_result', tool_use_id: calls[1]!.id, content: '22:05' },
      ],
    })
  })

  it('turns thinking into reasoning_content, streamed and not', async () => {
    claude.behavior.reply = { content: [{ type: 'thinking', thinking: 'Greet back, briefly.', signature: 'EqQBsig' }, { type: 'text', text: 'Hello!' }] }
    const plain = await client.chat.completions.create({ model: ASKED, messages: [{ role: 'user', content: 'hi' }] })
    expect(plain.choices[0]!.message).toMatchObject({ content: 'Hello!', reasoning_content: 'Greet back, briefly.' })
    const stream = await client.chat.completions.create({ model: ASKED, messages: [{ role: 'user', content: 'hi' }], stream: true })
    let reasoning = ''
    let text = ''
    for await (const chunk of stream) {
      const delta = chunk.choices[0]?.delta as { content?: string | null; reasoning_content?: string } | undefined
      reasoning += delta?.reasoning_content ?? ''
      text += delta?.content ?? ''
    }
    expect(reasoning).toBe('Greet back, briefly.')
    expect(text).toBe('Hello!')
  })

  it('maps max_tokens to finish_reason length', async () => {
    claude.behavior.reply = { content: [{ type: 'text', text: 'cut' }], stopReason: 'max_tokens' }
    const res = await client.chat.completions.create({ model: ASKED, max_tokens: 3, messages: [{ role: 'user', content: 'hi' }] })
    expect(res.choices[0]!.finish_reason).toBe('length')
    expect(claude.last().body?.max_tokens).toBe(3)
  })

  describe('errors in OpenAI shape', () => {
    it('an unknown model is 404', async () => {
      const err = await client.chat.completions.create({ model: 'nope', messages: [{ role: 'user', content: 'x' }] }).catch((e: unknown) => e)
      expect(err).toBeInstanceOf(OpenAI.NotFoundError)
    })

    it('an upstream 429 is RateLimitError; 529 becomes 503; 400 is BadRequestError', async () => {
      busy.behavior.errorStatus = 429
      busy.behavior.errorMessage = 'rate limited upstream'
      busy.behavior.retryAfterSec = 3
      const limited = await client.chat.completions.create({ model: 'claude-busy', messages: [{ role: 'user', content: 'x' }] }).catch((e: unknown) => e)
      expect(limited).toBeInstanceOf(OpenAI.RateLimitError)
      expect((limited as InstanceType<typeof OpenAI.APIError>).message).toContain('rate limited upstream')
      expect((limited as InstanceType<typeof OpenAI.APIError>).headers?.get('retry-after')).toBe('3')

      overloaded.behavior.errorStatus = 529
      overloaded.behavior.errorMessage = 'Overloaded'
      const over = await client.chat.completions.create({ model: 'claude-overloaded', messages: [{ role: 'user', content: 'x' }], stream: true }).catch((e: unknown) => e)
      expect(over).toBeInstanceOf(OpenAI.InternalServerError)
      expect((over as InstanceType<typeof OpenAI.APIError>).status).toBe(503)
      expect((over as InstanceType<typeof OpenAI.APIError>).message).toContain('Overloaded')

      claude.behavior.errorStatus = 400
      claude.behavior.errorMessage = 'messages.0.content: bad'
      const bad = await client.chat.completions.create({ model: ASKED, messages: [{ role: 'user', content: 'x' }] }).catch((e: unknown) => e)
      expect(bad).toBeInstanceOf(OpenAI.BadRequestError)
      expect((bad as InstanceType<typeof OpenAI.APIError>).error).toMatchObject({ message: 'messages.0.content: bad', type: 'invalid_request_error' })
    })

    it('what Anthropic cannot express is a 400 from the gateway', async () => {
      const err = await client.chat.completions.create({ model: ASKED, n: 2, messages: [{ role: 'user', content: 'x' }] }).catch((e: unknown) => e)
      expect(err).toBeInstanceOf(OpenAI.BadRequestError)
      expect((err as InstanceType<typeof OpenAI.APIError>).param).toBe('n')
      const embeddings = await client.embeddings.create({ model: ASKED, input: 'x' }).catch((e: unknown) => e)
      expect(embeddings).toBeInstanceOf(OpenAI.BadRequestError)
      expect(String((embeddings as Error).message)).toContain('Anthropic Messages API')
      expect(claude.requests).toHaveLength(0)
    })

    it('an `event: error` mid-stream ends the stream with an error chunk and no [DONE]; the SDK throws', async () => {
      claude.behavior.reply = { content: [{ type: 'text', text: 'this will not finish' }] }
      claude.behavior.midStreamError = { afterEvents: 4, type: 'overloaded_error', message: 'Overloaded' }
      const raw = await postJson(gw.url, '/v1/chat/completions', { model: ASKED, stream: true, messages: [{ role: 'user', content: 'x' }] })
      expect(raw.status).toBe(200)
      const data = sseData(raw.text)
      expect(data).not.toContain('[DONE]')
      expect(JSON.parse(data.at(-1)!)).toMatchObject({ error: { message: 'Overloaded' } })

      const stream = await client.chat.completions.create({ model: ASKED, stream: true, messages: [{ role: 'user', content: 'x' }] })
      const err = await (async () => {
        for await (const _chunk of stream) {
          // drain
        }
      })().catch((e: unknown) => e)
      expect(err).toBeInstanceOf(OpenAI.APIError)
      expect(String((err as Error).message)).toContain('Overloaded')
    })
  })
})
