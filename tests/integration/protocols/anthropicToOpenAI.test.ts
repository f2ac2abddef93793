// Issue 6, Anthropic ingress -> OpenAI-compatible upstream, end to end on loopback: the official
// @anthropic-ai/sdk (what Claude Code is built on) talks to the real gateway, which translates to
// vLLM / Ollama mocks speaking their real wire formats, and back.
import Anthropic, { APIError as AnthropicAPIError } from '@anthropic-ai/sdk'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { startTestGateway, type TestGateway } from '../../helpers/gateway'
import { postJson, request } from '../../helpers/http'
import { startMockBackend, type MockBackend } from '../../helpers/mockBackend'
import { serveOpenAI, type OpenAITurn } from './openaiScript'

// Not on the SDK's deprecation list (it warns on stderr for those).
const ASKED = 'claude-sonnet-4-6'

interface AnthropicEvent {
  event: string
  data: Record<string, unknown>
}

/** Parses a raw Anthropic SSE body into named events (pings included). */
function anthropicEvents(text: string): AnthropicEvent[] {
  return text
    .split('\n\n')
    .filter((block) => block.trim() !== '')
    .map((block) => {
      const lines = block.split('\n')
      const event = lines.find((l) => l.startsWith('event: '))?.slice(7) ?? ''
      const data = lines.filter((l) => l.startsWith('data: ')).map((l) => l.slice(6)).join('\n')
      return { event, data: JSON.parse(data) as Record<string, unknown> }
    })
}

describe('Anthropic clients on OpenAI-compatible backends (translated)', () => {
  let vllm: MockBackend
  let ollama: MockBackend
  let busy: MockBackend
  let slow: MockBackend
  let limited: MockBackend
  let gw: TestGateway
  let client: Anthropic

  beforeAll(async () => {
    vllm = await startMockBackend({ flavor: 'vllm', name: 'vllm', models: ['qwen2.5-7b'] })
    ollama = await startMockBackend({ flavor: 'ollama', name: 'ollama', models: ['qwen3:8b'] })
    busy = await startMockBackend({ flavor: 'vllm', name: 'busy', models: ['busy-7b'] })
    slow = await startMockBackend({ flavor: 'vllm', name: 'slow', models: ['slow-7b'] })
    limited = await startMockBackend({ flavor: 'vllm', name: 'limited', models: ['limited-7b'] })
    gw = await startTestGateway(
      {
        providers: [
          { id: 'vllm', kind: 'vllm', baseUrl: vllm.baseUrl, models: ['qwen2.5-7b'], apiKey: 'vllm-secret' },
          { id: 'ollama', kind: 'ollama', baseUrl: ollama.baseUrl, models: ['qwen3:8b'] },
          { id: 'busy', kind: 'vllm', baseUrl: busy.baseUrl, models: ['busy-7b'] },
          { id: 'slow', kind: 'vllm', baseUrl: slow.baseUrl, models: ['slow-7b'], timeouts: { firstByteMs: 400, idleMs: 400 } },
          // A token budget makes the gateway estimate the prompt before it is sent.
          { id: 'limited', kind: 'vllm', baseUrl: limited.baseUrl, models: ['limited-7b'], limits: { tpm: 10_000_000 } },
        ],
        routes: [
          { model: 'claude-*', targets: [{ provider: 'vllm', model: 'qwen2.5-7b' }] },
          { model: 'thinker', targets: [{ provider: 'ollama', model: 'qwen3:8b' }] },
        ],
      },
      { keepAlive: { graceMs: 150, everyMs: 100 } },
    )
    client = new Anthropic({ baseURL: gw.url, apiKey: 'sk-ant-client-key-never-forwarded', maxRetries: 0 })
  })
  afterAll(async () => {
    await gw.close()
    await Promise.all([vllm.close(), ollama.close(), busy.close(), slow.close(), limited.close()])
  })
  afterEach(() => {
    for (const m of [vllm, ollama, busy, slow, limited]) {
      m.requests.length = 0
      m.behavior.custom = undefined
      m.behavior.errorStatus = undefined
    }
  })

  const lastChat = (m: MockBackend) => {
    const r = m.requests.filter((q) => q.path.endsWith('/chat/completions')).at(-1)
    if (!r) throw new Error(`${m.name} got no chat completion`)
    return r
  }

  it('answers a non-streamed message with the model name the client asked for', async () => {
    vllm.behavior.custom = serveOpenAI({ content: 'Hello from qwen', usage: { prompt_tokens: 31, completion_tokens: 9 } })
    const msg = await client.messages.create({ model: ASKED, max_tokens: 256, system: 'Be brief.', messages: [{ role: 'user', content: 'hi' }] })
    expect(msg.type).toBe('message')
    expect(msg.role).toBe('assistant')
    expect(msg.model).toBe(ASKED)
    expect(msg.id).toMatch(/^msg_/)
    expect(msg.content).toEqual([{ type: 'text', text: 'Hello from qwen' }])
    expect(msg.stop_reason).toBe('end_turn')
    expect(msg.usage.input_tokens).toBe(31)
    expect(msg.usage.output_tokens).toBe(9)
    const up = lastChat(vllm)
    expect(up.body?.model).toBe('qwen2.5-7b')
    expect(up.body?.max_tokens).toBe(256)
    expect(up.body?.messages).toEqual([
      { role: 'system', content: 'Be brief.' },
      { role: 'user', content: 'hi' },
    ])
  })

  it('streams text event by event; the SDK accumulates it and reports the asked-for model', async () => {
    vllm.behavior.custom = serveOpenAI({ content: 'Streaming through the bridge, naïvely ✓', usage: { prompt_tokens: 40, completion_tokens: 12 }, pieceChars: 3 })
    const stream = client.messages.stream({ model: ASKED, max_tokens: 128, messages: [{ role: 'user', content: 'stream please' }] })
    let text = ''
    stream.on('text', (t) => (text += t))
    const final = await stream.finalMessage()
    expect(text).toBe('Streaming through the bridge, naïvely ✓')
    expect(final.model).toBe(ASKED)
    expect(final.content).toHaveLength(1)
    expect(final.content[0]).toMatchObject({ type: 'text', text })
    expect(final.stop_reason).toBe('end_turn')
    // Unknown at message_start, the upstream's count arrives in the final message_delta.
    expect(final.usage.input_tokens).toBe(40)
    expect(final.usage.output_tokens).toBe(12)
    const up = lastChat(vllm)
    expect(up.body?.stream).toBe(true)
    expect(up.body?.stream_options).toEqual({ include_usage: true })
  })

  it('sends the full Anthropic event sequence, input_tokens in the final message_delta', async () => {
    vllm.behavior.custom = serveOpenAI({ content: 'abc def', usage: { prompt_tokens: 17, completion_tokens: 2 } })
    const res = await postJson(gw.url, '/v1/messages', { model: ASKED, max_tokens: 50, stream: true, messages: [{ role: 'user', content: 'hi' }] }, { 'anthropic-version': '2023-06-01', 'x-api-key': 'whatever' })
    expect(res.status).toBe(200)
    expect(res.headers['content-type']).toMatch(/^text\/event-stream/)
    const events = anthropicEvents(res.text).filter((e) => e.event !== 'ping')
    for (const e of events) expect(e.data.type).toBe(e.event)
    expect(events.map((e) => e.event)).toEqual(['message_start', 'content_block_start', 'content_block_delta', 'content_block_delta', 'content_block_stop', 'message_delta', 'message_stop'])
    const start = events[0]!.data.message as Record<string, unknown>
    expect(start.model).toBe(ASKED)
    expect(start.content).toEqual([])
    expect(start.stop_reason).toBeNull()
    const delta = events.at(-2)!.data
    expect(delta.delta).toEqual({ stop_reason: 'end_turn', stop_sequence: null })
    expect(delta.usage).toMatchObject({ output_tokens: 2, input_tokens: 17 })
  })

  it('carries a multi-turn conversation with system blocks, images and cache_control', async () => {
    vllm.behavior.custom = serveOpenAI({ content: 'It is a red pixel.' })
    const png = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8DwHwAFBQIAX8jx0gAAAABJRU5ErkJggg=='
    const msg = await client.messages.create({
      model: ASKED,
      max_tokens: 100,
      system: [
        { type: 'text', text: 'You are Claude Code.', cache_control: { type: 'ephemeral' } },
        { type: 'text', text: 'Answer in one sentence.' },
      ],
      messages: [
        { role: 'user', content: 'Remember the number 7.' },
        { role: 'assistant', content: [{ type: 'text', text: 'Noted: 7.' }] },
        {
          role: 'user',
          content: [
            { type: 'image', source: { type: 'base64', media_type: 'image/png', data: png } },
            { type: 'image', source: { type: 'url', url: 'https://example.com/cat.jpg' } },
            { type: 'text', text: 'What is this?', cache_control: { type: 'ephemeral' } },
          ],
        },
      ],
    })
    expect(msg.content[0]).toMatchObject({ type: 'text', text: 'It is a red pixel.' })
    expect(lastChat(vllm).body?.messages).toEqual([
      { role: 'system', content: 'You are Claude Code.\n\nAnswer in one sentence.' },
      { role: 'user', content: 'Remember the number 7.' },
      { role: 'assistant', content: 'Noted: 7.' },
      {
        role: 'user',
        content: [
          { type: 'image_url', image_url: { url: `data:image/png;base64,${png}` } },
          { type: 'image_url', image_url: { url: 'https://example.com/cat.jpg' } },
          { type: 'text', text: 'What is this?' },
        ],
      },
    ])
  })

  const tools: Anthropic.Tool[] = [
    { name: 'get_weather', description: 'Weather for a city', input_schema: { type: 'object', properties: { city: { type: 'string' }, unit: { type: 'string', enum: ['c', 'f'] } }, required: ['city'] } },
    { name: 'get_time', description: 'Local time in a city', input_schema: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] } },
  ]

  it('completes a streamed tool-use round trip with two parallel calls whose arguments arrive split', async () => {
    const first: OpenAITurn = {
      content: 'Let me check both.',
      toolCalls: [
        { id: 'chatcmpl-tool-a1b2c3', name: 'get_weather', arguments: JSON.stringify({ city: 'Zürich', unit: 'c' }) },
        { id: 'chatcmpl-tool-d4e5f6', name: 'get_time', arguments: JSON.stringify({ city: 'Tōkyō' }) },
      ],
      finish: 'tool_calls',
      pieceChars: 3,
      usage: { prompt_tokens: 120, completion_tokens: 40 },
    }
    vllm.behavior.custom = serveOpenAI((body) => ((body.messages as unknown[]).length > 2 ? { content: 'Zürich is 21 °C; Tōkyō is at 22:05.' } : first))
    const messages: Anthropic.MessageParam[] = [{ role: 'user', content: 'Weather in Zürich and time in Tōkyō?' }]
    const stream = client.messages.stream({ model: ASKED, max_tokens: 512, tools, tool_choice: { type: 'auto' }, messages })
    const jsonDeltas: string[] = []
    stream.on('inputJson', (partial) => jsonDeltas.push(partial))
    const turn1 = await stream.finalMessage()
    expect(turn1.stop_reason).toBe('tool_use')
    expect(turn1.content.map((b) => b.type)).toEqual(['text', 'tool_use', 'tool_use'])
    const calls = turn1.content.filter((b): b is Anthropic.ToolUseBlock => b.type === 'tool_use')
    expect(calls.map((c) => [c.name, c.input])).toEqual([
      ['get_weather', { city: 'Zürich', unit: 'c' }],
      ['get_time', { city: 'Tōkyō' }],
    ])
    for (const c of calls) expect(c.id).toMatch(/^[a-zA-Z0-9_-]+$/)
    expect(jsonDeltas.length).toBeGreaterThan(4) // arguments streamed as many input_json_delta events
    expect(turn1.usage).toMatchObject({ input_tokens: 120, output_tokens: 40 })
    const up1 = lastChat(vllm).body!
    expect(up1.tools).toEqual(tools.map((t) => ({ type: 'function', function: { name: t.name, description: t.description, parameters: t.input_schema } })))
    expect(up1.tool_choice).toBe('auto')

    messages.push({ role: 'assistant', content: turn1.content })
    messages.push({
      role: 'user',
      content: [
        { type: 'tool_result', tool_use_id: calls[0]!.id, content: '21 °C, sunny' },
        { type: 'tool_result', tool_use_id: calls[1]!.id, content: [{ type: 'text', text: '22:05' }] },
      ],
    })
    const turn2 = await client.messages.create({ model: ASKED, max_tokens: 512, tools, messages })
    expect(turn2.content).toEqual([{ type: 'text', text: 'Zürich is 21 °C; Tōkyō is at 22:05.' }])
    expect(turn2.stop_reason).toBe('end_turn')
    const up2 = lastChat(vllm).body!.messages as Array<Record<string, unknown>>
    expect(up2.slice(1)).toEqual([
      {
        role: 'assistant',
        content: 'Let me check both.',
        tool_calls: [
          { id: calls[0]!.id, type: 'function', function: { name: 'get_weather', arguments: JSON.stringify({ city: 'Zürich', unit: 'c' }) } },
          { id: calls[1]!.id, type: 'function', function: { name: 'get_time', arguments: JSON.stringify({ city: 'Tōkyō' }) } },
        ],
      },
      { role: 'tool', tool_call_id: calls[0]!.id, content: '21 °C, sunny' },
      { role: 'tool', tool_call_id: calls[1]!.id, content: '22:05' },
    ])
  })

  it('answers a non-streamed tool call with parsed input and stop_reason tool_use', async () => {
    vllm.behavior.custom = serveOpenAI({ toolCalls: [{ id: 'call_1', name: 'get_weather', arguments: '{"city":"Oslo"}' }], finish: 'tool_calls' })
    const msg = await client.messages.create({ model: ASKED, max_tokens: 64, tools, tool_choice: { type: 'tool', name: 'get_weather' }, messages: [{ role: 'user', content: 'Oslo?' }] })
    expect(msg.stop_reason).toBe('tool_use')
    expect(msg.content).toEqual([{ type: 'tool_use', id: 'call_1', name: 'get_weather', input: { city: 'Oslo' } }])
    expect(lastChat(vllm).body?.tool_choice).toEqual({ type: 'function', function: { name: 'get_weather' } })
  })

  it('drops tool_choice sent without tools instead of failing', async () => {
    vllm.behavior.custom = serveOpenAI({ content: 'ok' })
    const res = await postJson(gw.url, '/v1/messages', { model: ASKED, max_tokens: 20, tool_choice: { type: 'auto' }, messages: [{ role: 'user', content: 'hi' }] }, { 'anthropic-version': '2023-06-01' })
    expect(res.status).toBe(200)
    expect(lastChat(vllm).body).not.toHaveProperty('tool_choice')
  })

  it('turns reasoning_content (vLLM) into a thinking block, streamed and not, and passes it back next turn', async () => {
    const turn: OpenAITurn = { reasoning: 'The user greets me; greet back.', content: 'Hello!', pieceChars: 6 }
    vllm.behavior.custom = serveOpenAI(turn)
    const streamed = await client.messages.stream({ model: ASKED, max_tokens: 2048, thinking: { type: 'enabled', budget_tokens: 1024 }, messages: [{ role: 'user', content: 'hi' }] }).finalMessage()
    expect(streamed.content.map((b) => b.type)).toEqual(['thinking', 'text'])
    expect(streamed.content[0]).toMatchObject({ type: 'thinking', thinking: 'The user greets me; greet back.' })
    expect(streamed.content[1]).toMatchObject({ type: 'text', text: 'Hello!' })
    expect(lastChat(vllm).body).not.toHaveProperty('thinking')

    const plain = await client.messages.create({ model: ASKED, max_tokens: 2048, messages: [{ role: 'user', content: 'hi' }] })
    expect(plain.content[0]).toMatchObject({ type: 'thinking', thinking: 'The user greets me; greet back.' })

    await client.messages.create({
      model: ASKED,
      max_tokens: 2048,
      messages: [
        { role: 'user', content: 'hi' },
        { role: 'assistant', content: streamed.content as Anthropic.ContentBlockParam[] },
        { role: 'user', content: 'and again' },
      ],
    })
    const back = (lastChat(vllm).body!.messages as Array<Record<string, unknown>>)[1]!
    expect(back).toMatchObject({ role: 'assistant', content: 'Hello!', reasoning_content: 'The user greets me; greet back.', reasoning: 'The user greets me; greet back.' })
  })

  it('reads Ollama-style tool calls: complete calls in one chunk, finish_reason "stop"', async () => {
    ollama.behavior.custom = (_req, res, body) => {
      const base = { id: 'chatcmpl-245', object: 'chat.completion.chunk', created: 1, model: String(body?.model), system_fingerprint: 'fp_ollama' }
      const calls = [
        { id: 'call_k2m9x1', index: 0, type: 'function', function: { name: 'get_weather', arguments: '{"city":"Oslo"}' } },
        { id: 'call_p8q7r6', index: 1, type: 'function', function: { name: 'get_time', arguments: '{"city":"Lima"}' } },
      ]
      res.writeHead(200, { 'content-type': 'text/event-stream' })
      res.write(`data: ${JSON.stringify({ ...base, choices: [{ index: 0, delta: { role: 'assistant', content: '', tool_calls: calls }, finish_reason: null }] })}\n\n`)
      res.write(`data: ${JSON.stringify({ ...base, choices: [{ index: 0, delta: { role: 'assistant', content: '' }, finish_reason: 'stop' }] })}\n\n`)
      res.write(`data: ${JSON.stringify({ ...base, choices: [], usage: { prompt_tokens: 50, completion_tokens: 20, total_tokens: 70 } })}\n\n`)
      res.end('data: [DONE]\n\n')
    }
    const msg = await client.messages.stream({ model: 'thinker', max_tokens: 100, tools, messages: [{ role: 'user', content: 'x' }] }).finalMessage()
    expect(msg.stop_reason).toBe('tool_use')
    expect(msg.content).toEqual([
      { type: 'tool_use', id: 'call_k2m9x1', name: 'get_weather', input: { city: 'Oslo' } },
      { type: 'tool_use', id: 'call_p8q7r6', name: 'get_time', input: { city: 'Lima' } },
    ])
    expect(msg.usage).toMatchObject({ input_tokens: 50, output_tokens: 20 })
  })

  it('turns Ollama `reasoning` into thinking', async () => {
    ollama.behavior.custom = serveOpenAI({ reasoning: 'Thinking in Ollama.', reasoningField: 'reasoning', content: 'Done.' })
    const msg = await client.messages.stream({ model: 'thinker', max_tokens: 100, messages: [{ role: 'user', content: 'x' }] }).finalMessage()
    expect(msg.model).toBe('thinker')
    expect(msg.content.map((b) => b.type)).toEqual(['thinking', 'text'])
    expect(msg.content[0]).toMatchObject({ thinking: 'Thinking in Ollama.' })
  })

  it.each([
    ['length', undefined, 'max_tokens', null],
    ['stop', '</answer>', 'stop_sequence', '</answer>'],
    ['stop', null, 'end_turn', null],
  ] as const)('maps finish_reason %s (vLLM stop_reason %s) to %s', async (finish, stopReason, expected, sequence) => {
    vllm.behavior.custom = serveOpenAI({ content: 'partial answer', finish, stopReason })
    const params = { model: ASKED, max_tokens: 5, stop_sequences: ['</answer>'], messages: [{ role: 'user' as const, content: 'go' }] }
    const plain = await client.messages.create(params)
    expect(plain.stop_reason).toBe(expected)
    expect(plain.stop_sequence).toBe(sequence)
    const streamed = await client.messages.stream(params).finalMessage()
    expect(streamed.stop_reason).toBe(expected)
    expect(streamed.stop_sequence).toBe(sequence)
    expect(lastChat(vllm).body?.stop).toEqual(['</answer>'])
  })

  it('maps cached prompt tokens to cache_read_input_tokens', async () => {
    vllm.behavior.custom = serveOpenAI({ content: 'cached', usage: { prompt_tokens: 1000, completion_tokens: 3, cached_tokens: 800 } })
    const plain = await client.messages.create({ model: ASKED, max_tokens: 5, messages: [{ role: 'user', content: 'x' }] })
    expect(plain.usage).toMatchObject({ input_tokens: 200, cache_read_input_tokens: 800, output_tokens: 3 })
    const streamed = await client.messages.stream({ model: ASKED, max_tokens: 5, messages: [{ role: 'user', content: 'x' }] }).finalMessage()
    expect(streamed.usage).toMatchObject({ input_tokens: 200, cache_read_input_tokens: 800, output_tokens: 3 })
  })

  it('reports an estimate in message_start when the gateway has one, and the upstream count at the end', async () => {
    limited.behavior.custom = serveOpenAI({ content: 'ok', usage: { prompt_tokens: 777, completion_tokens: 1 } })
    const res = await postJson(gw.url, '/v1/messages', { model: 'limited-7b', max_tokens: 10, stream: true, messages: [{ role: 'user', content: 'a prompt of some length to estimate' }] }, { 'anthropic-version': '2023-06-01' })
    const events = anthropicEvents(res.text).filter((e) => e.event !== 'ping')
    const startUsage = (events[0]!.data.message as { usage: { input_tokens: number } }).usage
    expect(startUsage.input_tokens).toBeGreaterThan(0)
    expect(startUsage.input_tokens).not.toBe(777)
    expect(events.at(-2)!.data.usage).toMatchObject({ input_tokens: 777, output_tokens: 1 })
    const viaSdk = await client.messages.stream({ model: 'limited-7b', max_tokens: 10, messages: [{ role: 'user', content: 'x' }] }).finalMessage()
    expect(viaSdk.usage.input_tokens).toBe(777)
  })

  describe('Claude Code specifics', () => {
    it('drops anthropic-beta and Anthropic-only fields for a non-Anthropic upstream', async () => {
      vllm.behavior.custom = serveOpenAI({ content: 'fine' })
      const cc = new Anthropic({
        baseURL: gw.url,
        apiKey: 'sk-ant-client',
        maxRetries: 0,
        defaultHeaders: { 'anthropic-beta': 'claude-code-20250219,interleaved-thinking-2025-05-14,fine-grained-tool-streaming-2025-05-14', 'user-agent': 'claude-cli/2.0.14 (external, cli)' },
      })
      const msg = await cc.messages
        .stream({
          model: ASKED,
          max_tokens: 32000,
          temperature: 1,
          top_k: 40,
          thinking: { type: 'enabled', budget_tokens: 31999 },
          metadata: { user_id: 'user_abc_account__session_1234' },
          system: [{ type: 'text', text: "You are Claude Code, Anthropic's official CLI for Claude.", cache_control: { type: 'ephemeral' } }],
          tools: [{ ...tools[0]!, cache_control: { type: 'ephemeral' } }],
          messages: [{ role: 'user', content: [{ type: 'text', text: 'hello', cache_control: { type: 'ephemeral' } }] }],
        })
        .finalMessage()
      expect(msg.content[0]).toMatchObject({ type: 'text', text: 'fine' })
      const up = lastChat(vllm)
      for (const field of ['top_k', 'thinking', 'metadata', 'system', 'cache_control', 'anthropic_beta']) expect(up.body).not.toHaveProperty(field)
      expect(up.rawBody).not.toContain('cache_control')
      expect(up.rawBody).not.toContain('ephemeral')
      expect(up.headers['anthropic-beta']).toBeUndefined()
      expect(up.headers['anthropic-version']).toBeUndefined()
      expect(up.headers['x-api-key']).toBeUndefined()
      expect(up.headers.authorization).toBe('Bearer vllm-secret')
    })

    it('accepts Authorization: Bearer on /v1/messages and never forwards it', async () => {
      vllm.behavior.custom = serveOpenAI({ content: 'bearer ok' })
      const bearer = new Anthropic({ baseURL: gw.url, apiKey: null, authToken: 'client-oauth-token', maxRetries: 0 })
      const msg = await bearer.messages.create({ model: ASKED, max_tokens: 10, messages: [{ role: 'user', content: 'hi' }] })
      expect(msg.content[0]).toMatchObject({ text: 'bearer ok' })
      const up = lastChat(vllm)
      expect(up.headers.authorization).toBe('Bearer vllm-secret')
      expect(JSON.stringify(up.headers)).not.toContain('client-oauth-token')
    })

    it('lists models in Anthropic shape for Anthropic clients', async () => {
      const ids: string[] = []
      for await (const m of client.models.list()) {
        expect(m).toMatchObject({ type: 'model', display_name: expect.any(String), created_at: expect.any(String) })
        ids.push(m.id)
      }
      expect(ids).toEqual(expect.arrayContaining(['qwen2.5-7b', 'qwen3:8b', 'thinker']))
      const openaiShape = await request(gw.url, { path: '/v1/models' })
      expect(openaiShape.json()).toMatchObject({ object: 'list', data: expect.arrayContaining([expect.objectContaining({ id: 'qwen2.5-7b', object: 'model' })]) })
    })

    it('answers count_tokens locally for a non-Anthropic upstream', async () => {
      const small = await client.messages.countTokens({ model: ASKED, messages: [{ role: 'user', content: 'hi' }] })
      const big = await client.messages.countTokens({
        model: ASKED,
        system: 'You are a helpful assistant. '.repeat(50),
        tools,
        messages: [{ role: 'user', content: 'Tell me about the weather in Zürich, please, in detail.' }],
      })
      expect(small.input_tokens).toBeGreaterThan(0)
      expect(big.input_tokens).toBeGreaterThan(small.input_tokens + 250)
      expect(vllm.requests).toHaveLength(0)
    })

    it('sends ping keep-alives while the upstream is slow to start, then the answer', async () => {
      vllm.behavior.custom = serveOpenAI({ content: 'finally' }, { headerDelayMs: 700 })
      const res = await postJson(gw.url, '/v1/messages', { model: ASKED, max_tokens: 10, stream: true, messages: [{ role: 'user', content: 'hi' }] }, { 'anthropic-version': '2023-06-01' })
      expect(res.status).toBe(200)
      const events = anthropicEvents(res.text)
      const firstReal = events.findIndex((e) => e.event !== 'ping')
      expect(firstReal).toBeGreaterThanOrEqual(2) // pings flowed before the upstream answered
      expect(events.slice(0, firstReal).every((e) => e.event === 'ping' && e.data.type === 'ping')).toBe(true)
      expect(events[firstReal]!.event).toBe('message_start')
      expect(events.at(-1)!.event).toBe('message_stop')

      const viaSdk = await client.messages.stream({ model: ASKED, max_tokens: 10, messages: [{ role: 'user', content: 'hi' }] }).finalMessage()
      expect(viaSdk.content[0]).toMatchObject({ text: 'finally' })
    })
  })

  describe('errors in Anthropic shape', () => {
    it('an unknown model is not_found_error 404', async () => {
      const err = await client.messages.create({ model: 'gpt-nonexistent', max_tokens: 5, messages: [{ role: 'user', content: 'x' }] }).catch((e: unknown) => e)
      expect(err).toBeInstanceOf(Anthropic.NotFoundError)
      const e = err as InstanceType<typeof Anthropic.NotFoundError>
      expect(e.status).toBe(404)
      expect(e.error).toMatchObject({ type: 'error', error: { type: 'not_found_error' } })
      expect(e.requestID).toBeTruthy()
    })

    it('an upstream 429 is rate_limit_error 429; a 400 is invalid_request_error', async () => {
      busy.behavior.errorStatus = 429
      const gwBusy = { model: 'busy-7b', max_tokens: 5, messages: [{ role: 'user' as const, content: 'x' }] }
      const limited = await client.messages.create(gwBusy).catch((e: unknown) => e)
      expect(limited).toBeInstanceOf(Anthropic.RateLimitError)
      expect((limited as AnthropicAPIError).error).toMatchObject({ type: 'error', error: { type: 'rate_limit_error', message: 'mock failure for busy-7b' } })

      vllm.behavior.errorStatus = 400
      const bad = await client.messages.create({ model: ASKED, max_tokens: 5, messages: [{ role: 'user', content: 'x' }] }).catch((e: unknown) => e)
      expect(bad).toBeInstanceOf(Anthropic.BadRequestError)
      expect((bad as AnthropicAPIError).error).toMatchObject({ type: 'error', error: { type: 'invalid_request_error', message: 'mock failure for qwen2.5-7b' } })

      const streamed = await client.messages.stream({ model: ASKED, max_tokens: 5, messages: [{ role: 'user', content: 'x' }] }).finalMessage().catch((e: unknown) => e)
      expect(streamed).toBeInstanceOf(Anthropic.BadRequestError)
    })

    it('a rejected request body is invalid_request_error 400 before anything is sent upstream', async () => {
      const res = await postJson(gw.url, '/v1/messages', { model: ASKED, max_tokens: 5, messages: [{ role: 'robot', content: 'x' }] }, { 'anthropic-version': '2023-06-01' })
      expect(res.status).toBe(400)
      expect(res.json()).toMatchObject({ type: 'error', error: { type: 'invalid_request_error' } })
      const noMessages = await postJson(gw.url, '/v1/messages', { model: ASKED, max_tokens: 5 }, { 'anthropic-version': '2023-06-01' })
      expect(noMessages.status).toBe(400)
      expect(noMessages.json()).toMatchObject({ type: 'error', error: { type: 'invalid_request_error', message: 'messages: Field required' } })
    })

    it('an error mid-stream ends the stream with `event: error`, and the SDK throws', async () => {
      vllm.behavior.custom = serveOpenAI({ content: 'this will not finish at all', pieceChars: 2 }, { errorAfterEvents: 4 })
      const res = await postJson(gw.url, '/v1/messages', { model: ASKED, max_tokens: 50, stream: true, messages: [{ role: 'user', content: 'hi' }] }, { 'anthropic-version': '2023-06-01' })
      expect(res.status).toBe(200)
      const events = anthropicEvents(res.text)
      expect(events[0]!.event).toBe('message_start')
      expect(events.at(-1)!.event).toBe('error')
      expect(events.at(-1)!.data).toMatchObject({ type: 'error', error: { type: 'api_error', message: 'CUDA out of memory while decoding' } })
      expect(events.map((e) => e.event)).not.toContain('message_stop')

      const sdk = client.messages.stream({ model: ASKED, max_tokens: 50, messages: [{ role: 'user', content: 'hi' }] })
      const err = await sdk.finalMessage().catch((e: unknown) => e)
      expect(err).toBeInstanceOf(Anthropic.APIError)
      expect(String((err as Error).message)).toContain('CUDA out of memory')
    })

    it('an upstream that never answers is timeout_error 504; one that stalls mid-stream ends with `event: error`', async () => {
      slow.behavior.custom = () => undefined // accepts the request, never answers
      const err = await client.messages.create({ model: 'slow-7b', max_tokens: 5, messages: [{ role: 'user', content: 'x' }] }).catch((e: unknown) => e)
      expect(err).toBeInstanceOf(Anthropic.APIError)
      expect((err as AnthropicAPIError).status).toBe(504)
      expect((err as AnthropicAPIError).error).toMatchObject({ type: 'error', error: { type: 'timeout_error' } })

      slow.behavior.custom = (_req, res) => {
        res.writeHead(200, { 'content-type': 'text/event-stream' })
        res.write(`data: ${JSON.stringify({ id: 'chatcmpl-1', object: 'chat.completion.chunk', created: 1, model: 'slow-7b', choices: [{ index: 0, delta: { role: 'assistant', content: 'half' }, finish_reason: null }] })}\n\n`)
      }
      const res = await postJson(gw.url, '/v1/messages', { model: 'slow-7b', max_tokens: 5, stream: true, messages: [{ role: 'user', content: 'x' }] }, { 'anthropic-version': '2023-06-01' })
      const events = anthropicEvents(res.text).filter((e) => e.event !== 'ping')
      expect(events.map((e) => e.event)).toEqual(['message_start', 'content_block_start', 'content_block_delta', 'error'])
      expect(events.at(-1)!.data).toMatchObject({ type: 'error', error: { type: 'timeout_error' } })
    })

    it('a connection cut mid-stream ends with `event: error` too', async () => {
      vllm.behavior.custom = serveOpenAI({ content: 'cut short in the middle', pieceChars: 2 }, { cutAfterEvents: 5 })
      const res = await postJson(gw.url, '/v1/messages', { model: ASKED, max_tokens: 50, stream: true, messages: [{ role: 'user', content: 'hi' }] }, { 'anthropic-version': '2023-06-01' })
      const events = anthropicEvents(res.text)
      expect(events.at(-1)!.event).toBe('error')
      expect(events.at(-1)!.data).toMatchObject({ type: 'error', error: { type: expect.any(String) } })
      const err = await client.messages.stream({ model: ASKED, max_tokens: 50, messages: [{ role: 'user', content: 'hi' }] }).finalMessage().catch((e: unknown) => e)
      expect(err).toBeInstanceOf(Error)
    })
  })
})
