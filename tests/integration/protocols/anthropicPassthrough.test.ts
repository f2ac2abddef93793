// Issue 6, Anthropic ingress -> `anthropic`-kind provider: a byte passthrough. The official
// @anthropic-ai/sdk talks to the real gateway, which forwards to a mock Anthropic API on loopback:
// bodies and streams arrive byte for byte, anthropic-version / anthropic-beta are forwarded, and
// the key upstream is always the configured one, never the client's.
import Anthropic, { APIError as AnthropicAPIError } from '@anthropic-ai/sdk'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { startTestGateway, type TestGateway } from '../../helpers/gateway'
import { postJson, request } from '../../helpers/http'
import { startMockAnthropic, type MockAnthropic, type MockTurn } from '../../helpers/mockAnthropic'

const MODEL = 'claude-sonnet-4-6'
const KEY = 'sk-ant-configured-key'
const BETA = 'interleaved-thinking-2025-05-14,fine-grained-tool-streaming-2025-05-14'

const RICH: MockTurn = {
  content: [
    { type: 'thinking', thinking: 'The user wants the weather; call the tool. Ünïcödé ✓.', signature: 'EqQBCkYIBxgCKkBsig==' },
    { type: 'text', text: 'Checking the weather in Zürich… ☀️' },
    { type: 'tool_use', id: 'toolu_01A09q90qw90lq917835lq9', name: 'get_weather', input: { city: 'Zürich', days: [1, 2, 3], opts: { unit: 'c' } } },
  ],
  stopReason: 'tool_use',
  usage: { input_tokens: 472, output_tokens: 89, cache_read_input_tokens: 2048, cache_creation_input_tokens: 0 },
}

describe('Anthropic clients on Anthropic providers (passthrough)', () => {
  let claude: MockAnthropic
  let busy: MockAnthropic
  let overloaded: MockAnthropic
  let gw: TestGateway
  let client: Anthropic

  beforeAll(async () => {
    claude = await startMockAnthropic({ models: [MODEL, 'claude-haiku-4-5'] })
    busy = await startMockAnthropic({ models: ['claude-busy'] })
    overloaded = await startMockAnthropic({ models: ['claude-overloaded'] })
    gw = await startTestGateway(
      {
        providers: [
          { id: 'claude', kind: 'anthropic', baseUrl: claude.baseUrl, apiKey: 'env:ANTHROPIC_KEY', models: [MODEL, 'claude-haiku-4-5'] },
          { id: 'claude-busy', kind: 'anthropic', baseUrl: busy.baseUrl, apiKey: 'sk-busy', models: ['claude-busy'] },
          { id: 'claude-overloaded', kind: 'anthropic', baseUrl: `${overloaded.baseUrl}/v1`, apiKey: 'sk-over', models: ['claude-overloaded'] },
          { id: 'claude-nokey', kind: 'anthropic', baseUrl: busy.baseUrl, models: ['claude-nokey'] },
        ],
        routes: [{ model: 'sonnet', targets: [{ provider: 'claude', model: MODEL }] }],
      },
      { secrets: { resolve: (s: string) => (s === 'env:ANTHROPIC_KEY' ? KEY : s) }, keepAlive: { graceMs: 150, everyMs: 100 } },
    )
    client = new Anthropic({ baseURL: gw.url, apiKey: 'sk-ant-client-key-never-forwarded', maxRetries: 0 })
  })
  afterAll(async () => {
    await gw.close()
    await Promise.all([claude.close(), busy.close(), overloaded.close()])
  })
  afterEach(() => {
    for (const m of [claude, busy, overloaded]) m.reset()
    claude.behavior.requireKey = KEY
  })

  const headers = { 'anthropic-version': '2023-06-01', 'x-api-key': 'sk-ant-client' }

  it('forwards a non-streamed message byte for byte, with the configured key and the client versions', async () => {
    claude.behavior.requireKey = KEY
    claude.behavior.reply = RICH
    const body = { model: MODEL, max_tokens: 1024, top_k: 5, metadata: { user_id: 'u1' }, thinking: { type: 'enabled', budget_tokens: 1024 }, messages: [{ role: 'user', content: [{ type: 'text', text: 'Weather?', cache_control: { type: 'ephemeral' } }] }] }
    const raw = JSON.stringify(body)
    const res = await request(gw.url, { path: '/v1/messages', body: raw, headers: { ...headers, 'content-type': 'application/json', 'anthropic-beta': BETA } })
    expect(res.status).toBe(200)
    const up = claude.last()
    expect(res.text).toBe(up.sent)
    expect(up.rawBody).toBe(raw) // Anthropic-only fields reach Anthropic untouched
    expect(up.path).toBe('/v1/messages')
    expect(up.headers['x-api-key']).toBe(KEY)
    expect(up.headers.authorization).toBeUndefined()
    expect(up.headers['anthropic-version']).toBe('2023-06-01')
    expect(up.headers['anthropic-beta']).toBe(BETA)
    expect(res.headers['request-id']).toBe('req_011CSHoEeqs5C35K2UUqR7Fy')
    expect(res.headers['x-switchyard-provider']).toBe('claude')

    const msg = await client.messages.create({ model: MODEL, max_tokens: 1024, messages: [{ role: 'user', content: 'Weather?' }] }, { headers: { 'anthropic-beta': BETA } })
    expect(msg.content.map((b) => b.type)).toEqual(['thinking', 'text', 'tool_use'])
    expect(msg.usage).toMatchObject({ input_tokens: 472, output_tokens: 89, cache_read_input_tokens: 2048 })
    const sdkUp = claude.last()
    expect(sdkUp.headers['anthropic-version']).toBe('2026-10-21') // whatever the client's SDK sends
    expect(sdkUp.headers['anthropic-beta']).toBe(BETA)
    expect(sdkUp.headers['x-api-key']).toBe(KEY)
  })

  it('streams byte for byte, events and UTF-8 characters split across reads', async () => {
    claude.behavior.reply = RICH
    claude.behavior.deltaChars = 3
    claude.behavior.writeBytes = 7
    const res = await postJson(gw.url, '/v1/messages', { model: MODEL, max_tokens: 1024, stream: true, messages: [{ role: 'user', content: 'Weather?' }] }, headers)
    expect(res.status).toBe(200)
    expect(res.headers['content-type']).toMatch(/^text\/event-stream/)
    expect(res.headers['content-encoding']).toBeUndefined()
    expect(res.text).toBe(claude.last().sent)
    expect(res.body.equals(Buffer.from(claude.last().sent, 'utf8'))).toBe(true)
  })

  it('the SDK reads a passthrough stream: thinking with signature, text, tool input from split JSON', async () => {
    claude.behavior.reply = RICH
    claude.behavior.deltaChars = 4
    const stream = client.messages.stream({ model: MODEL, max_tokens: 1024, thinking: { type: 'enabled', budget_tokens: 1024 }, messages: [{ role: 'user', content: 'Weather?' }] })
    let text = ''
    stream.on('text', (t) => (text += t))
    const final = await stream.finalMessage()
    expect(text).toBe('Checking the weather in Zürich… ☀️')
    expect(final.content[0]).toMatchObject({ type: 'thinking', thinking: 'The user wants the weather; call the tool. Ünïcödé ✓.', signature: 'EqQBCkYIBxgCKkBsig==' })
    expect(final.content[2]).toMatchObject({ type: 'tool_use', name: 'get_weather', input: { city: 'Zürich', days: [1, 2, 3], opts: { unit: 'c' } } })
    expect(final.stop_reason).toBe('tool_use')
    expect(final.usage).toMatchObject({ input_tokens: 472, output_tokens: 89 })
  })

  it('completes a tool-use round trip', async () => {
    claude.behavior.reply = (body) => {
      const messages = body.messages as Array<{ content: unknown }>
      return messages.length > 1 ? { content: [{ type: 'text', text: 'It is 21 °C.' }] } : { content: [RICH.content[2]!] }
    }
    const messages: Anthropic.MessageParam[] = [{ role: 'user', content: 'Weather in Zürich?' }]
    const turn1 = await client.messages.stream({ model: MODEL, max_tokens: 512, messages }).finalMessage()
    const call = turn1.content.find((b): b is Anthropic.ToolUseBlock => b.type === 'tool_use')!
    messages.push({ role: 'assistant', content: turn1.content }, { role: 'user', content: [{ type: 'tool_result', tool_use_id: call.id, content: '21 °C' }] })
    const turn2 = await client.messages.create({ model: MODEL, max_tokens: 512, messages })
    expect(turn2.content).toEqual([{ type: 'text', text: 'It is 21 °C.' }])
  })

  it('reports the asked-for model on a non-streamed answer through a route alias', async () => {
    const msg = await client.messages.create({ model: 'sonnet', max_tokens: 10, messages: [{ role: 'user', content: 'hi' }] })
    expect(msg.model).toBe('sonnet')
    expect(claude.last().body?.model).toBe(MODEL)
  })

  it('accepts Authorization: Bearer and sends only the configured x-api-key', async () => {
    const bearer = new Anthropic({ baseURL: gw.url, apiKey: null, authToken: 'sk-ant-oat01-client-token', maxRetries: 0 })
    const msg = await bearer.messages.create({ model: MODEL, max_tokens: 10, messages: [{ role: 'user', content: 'hi' }] })
    expect(msg.content[0]).toMatchObject({ type: 'text', text: 'Hello from Claude' })
    const up = claude.last()
    expect(up.headers['x-api-key']).toBe(KEY)
    expect(up.headers.authorization).toBeUndefined()
    expect(JSON.stringify(up.headers)).not.toContain('client-token')
  })

  it("never forwards the client's key, even to a provider configured without one", async () => {
    const err = await client.messages.create({ model: 'claude-nokey', max_tokens: 5, messages: [{ role: 'user', content: 'x' }] }).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(Anthropic.AuthenticationError) // the mock insists on a key
    const up = busy.requests.at(-1)!
    expect(up.headers['x-api-key']).toBeUndefined()
    expect(up.headers.authorization).toBeUndefined()
  })

  it('passes count_tokens through to the Anthropic provider', async () => {
    const counted = await client.messages.countTokens({ model: MODEL, messages: [{ role: 'user', content: 'count me' }] }, { headers: { 'anthropic-beta': BETA } })
    const up = claude.requests.at(-1)!
    expect(up.path).toBe('/v1/messages/count_tokens')
    expect(counted.input_tokens).toBe(Math.ceil(up.rawBody.length / 4))
    expect(up.headers['x-api-key']).toBe(KEY)
    expect(up.headers['anthropic-beta']).toBe(BETA)
    // Claude Code's beta client adds ?beta=true.
    const res = await postJson(gw.url, '/v1/messages/count_tokens?beta=true', { model: MODEL, messages: [{ role: 'user', content: 'count me' }] }, headers)
    expect(res.status).toBe(200)
    expect(res.json()).toEqual({ input_tokens: expect.any(Number) })
  })

  it('sends anthropic-version 2023-06-01 when the client names none; count_tokens of an unknown model is 404', async () => {
    const res = await postJson(gw.url, '/v1/messages', { model: MODEL, max_tokens: 10, messages: [{ role: 'user', content: 'hi' }] })
    expect(res.status).toBe(200)
    expect(claude.last().headers['anthropic-version']).toBe('2023-06-01')
    const unknown = await postJson(gw.url, '/v1/messages/count_tokens', { model: 'claude-nope', messages: [{ role: 'user', content: 'x' }] }, headers)
    expect(unknown.status).toBe(404)
    expect(unknown.json()).toMatchObject({ type: 'error', error: { type: 'not_found_error' } })
  })

  it('serves /v1/messages?beta=true as Claude Code calls it', async () => {
    const res = await postJson(gw.url, '/v1/messages?beta=true', { model: MODEL, max_tokens: 10, stream: true, messages: [{ role: 'user', content: 'hi' }] }, headers)
    expect(res.status).toBe(200)
    expect(res.text).toBe(claude.last().sent)
  })

  it('sends ping keep-alives while Anthropic is slow to start, then the stream unchanged', async () => {
    claude.behavior.headerDelayMs = 700
    const res = await postJson(gw.url, '/v1/messages', { model: MODEL, max_tokens: 10, stream: true, messages: [{ role: 'user', content: 'hi' }] }, headers)
    expect(res.status).toBe(200)
    const sent = claude.last().sent
    expect(res.text.endsWith(sent)).toBe(true)
    const pings = res.text.slice(0, res.text.length - sent.length)
    expect(pings).toMatch(/^(event: ping\ndata: \{"type": "ping"\}\n\n){2,}$/)
    const viaSdk = await client.messages.stream({ model: MODEL, max_tokens: 10, messages: [{ role: 'user', content: 'hi' }] }).finalMessage()
    expect(viaSdk.content[0]).toMatchObject({ text: 'Hello from Claude' })
  })

  describe('errors', () => {
    it('an unknown model is not_found_error 404', async () => {
      const err = await client.messages.create({ model: 'claude-nope', max_tokens: 5, messages: [{ role: 'user', content: 'x' }] }).catch((e: unknown) => e)
      expect(err).toBeInstanceOf(Anthropic.NotFoundError)
      expect((err as AnthropicAPIError).error).toMatchObject({ type: 'error', error: { type: 'not_found_error' } })
    })

    it('an upstream 429 reaches the client as rate_limit_error with Retry-After', async () => {
      busy.behavior.errorStatus = 429
      busy.behavior.retryAfterSec = 7
      busy.behavior.errorMessage = 'Number of request tokens has exceeded your per-minute rate limit'
      const err = await client.messages.create({ model: 'claude-busy', max_tokens: 5, messages: [{ role: 'user', content: 'x' }] }).catch((e: unknown) => e)
      expect(err).toBeInstanceOf(Anthropic.RateLimitError)
      const e = err as AnthropicAPIError
      expect(e.status).toBe(429)
      expect(e.error).toMatchObject({ type: 'error', error: { type: 'rate_limit_error', message: 'Number of request tokens has exceeded your per-minute rate limit' } })
      expect(e.headers?.get('retry-after')).toBe('7')
    })

    it('an upstream 529 reaches the client as overloaded_error, streamed or not', async () => {
      overloaded.behavior.errorStatus = 529
      overloaded.behavior.errorMessage = 'Overloaded'
      const err = await client.messages.create({ model: 'claude-overloaded', max_tokens: 5, messages: [{ role: 'user', content: 'x' }] }).catch((e: unknown) => e)
      expect(err).toBeInstanceOf(Anthropic.APIError)
      expect((err as AnthropicAPIError).status).toBe(529)
      expect((err as AnthropicAPIError).error).toMatchObject({ type: 'error', error: { type: 'overloaded_error', message: 'Overloaded' } })
      const raw = await postJson(gw.url, '/v1/messages', { model: 'claude-overloaded', max_tokens: 5, stream: true, messages: [{ role: 'user', content: 'x' }] }, headers)
      expect(raw.status).toBe(529)
      expect(raw.json()).toMatchObject({ type: 'error', error: { type: 'overloaded_error' } })
    })

    it('an upstream 400 and 401 pass through in Anthropic shape', async () => {
      const bad = await postJson(gw.url, '/v1/messages', { model: MODEL, messages: [{ role: 'user', content: 'x' }] }, headers)
      expect(bad.status).toBe(400)
      expect(bad.json()).toMatchObject({ type: 'error', error: { type: 'invalid_request_error', message: 'max_tokens: Field required' } })
      claude.behavior.requireKey = 'some-other-key'
      const err = await client.messages.create({ model: MODEL, max_tokens: 5, messages: [{ role: 'user', content: 'x' }] }).catch((e: unknown) => e)
      expect(err).toBeInstanceOf(Anthropic.AuthenticationError)
      expect((err as AnthropicAPIError).error).toMatchObject({ type: 'error', error: { type: 'authentication_error' } })
    })

    it("an upstream `event: error` mid-stream reaches the client as is, and the SDK throws", async () => {
      claude.behavior.reply = RICH
      claude.behavior.midStreamError = { afterEvents: 4, type: 'overloaded_error', message: 'Overloaded' }
      const res = await postJson(gw.url, '/v1/messages', { model: MODEL, max_tokens: 100, stream: true, messages: [{ role: 'user', content: 'x' }] }, headers)
      expect(res.status).toBe(200)
      expect(res.text).toBe(claude.last().sent)
      expect(res.text).toMatch(/event: error\ndata: \{"type":"error","error":\{"type":"overloaded_error","message":"Overloaded"\}[^\n]*\n\n$/)
      const err = await client.messages.stream({ model: MODEL, max_tokens: 100, messages: [{ role: 'user', content: 'x' }] }).finalMessage().catch((e: unknown) => e)
      expect(err).toBeInstanceOf(Anthropic.APIError)
      expect((err as AnthropicAPIError).error).toMatchObject({ type: 'error', error: { type: 'overloaded_error' } })
    })

    it('an upstream connection cut mid-stream ends the client stream with `event: error`', async () => {
      claude.behavior.reply = RICH
      claude.behavior.chunkDelayMs = 5
      claude.behavior.cutAfterEvents = 6
      const res = await postJson(gw.url, '/v1/messages', { model: MODEL, max_tokens: 100, stream: true, messages: [{ role: 'user', content: 'x' }] }, headers)
      expect(res.status).toBe(200)
      const sent = claude.last().sent
      // What came before the error event is what the upstream sent (all of it, unless a backpressure
      // pause left the last read in undici's buffer when the connection closed), cut at an event.
      const at = res.text.lastIndexOf('event: error\n')
      expect(at).toBeGreaterThan(0)
      // Pings the gateway sent while it waited for the first byte (graceMs 150 here, and a loaded
      // machine can be that slow) come before the upstream's bytes.
      const relayed = res.text.slice(0, at).replace(/^(?:event: ping\ndata: \{"type": "ping"\}\n\n)+/, '')
      // (The gateway closes a partial last event with a blank line before its error event.)
      expect(sent.startsWith(relayed) || sent.startsWith(relayed.slice(0, -2))).toBe(true)
      expect(relayed.endsWith('\n\n')).toBe(true)
      expect(relayed.length).toBeGreaterThan(sent.length / 2)
      const tail = res.text.slice(at)
      expect(tail).toMatch(/^event: error\ndata: \{"type":"error","error":\{"type":"api_error","message":"(?:[^"\\]|\\.)*"\}\}\n\n$/)
      const err = await client.messages.stream({ model: MODEL, max_tokens: 100, messages: [{ role: 'user', content: 'x' }] }).finalMessage().catch((e: unknown) => e)
      expect(err).toBeInstanceOf(Anthropic.APIError)
    })
  })
})
