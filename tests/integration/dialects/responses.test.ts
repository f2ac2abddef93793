// Issue 13: the OpenAI Responses API through Switchyard, with the official `openai` SDK, to a
// chat-only backend (vLLM mock) and an Anthropic backend (translated both ways), with exact usage
// in the ledger, a tool round trip, and stored responses (previous_response_id, GET, DELETE,
// input_items) kept by the gateway for stateless backends.
import OpenAI from 'openai'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { RequestLogEntry } from '../../../src/shared/api'
import { finalRow, startTestGateway, type TestGateway } from '../../helpers/gateway'
import { postJson, request } from '../../helpers/http'
import { startMockAnthropic, type MockAnthropic } from '../../helpers/mockAnthropic'
import { startMockBackend, type MockBackend } from '../../helpers/mockBackend'

describe('OpenAI Responses clients', () => {
  let vllm: MockBackend
  let claude: MockAnthropic
  let gw: TestGateway
  let client: OpenAI

  beforeAll(async () => {
    vllm = await startMockBackend({ flavor: 'vllm', models: ['qwen'] })
    vllm.usage = { prompt_tokens: 31, completion_tokens: 4, prompt_tokens_details: { cached_tokens: 8 }, completion_tokens_details: { reasoning_tokens: 2 } }
    claude = await startMockAnthropic({ models: ['claude-sonnet-4-5'] })
    gw = await startTestGateway({
      providers: [
        { id: 'vllm', kind: 'vllm', baseUrl: vllm.baseUrl, models: ['qwen'] },
        { id: 'claude', kind: 'anthropic', baseUrl: claude.baseUrl, apiKey: 'sk-ant-key', models: ['claude-sonnet-4-5'] },
      ],
    })
    client = new OpenAI({ baseURL: `${gw.url}/v1`, apiKey: 'client-key', maxRetries: 0 })
  })
  afterAll(async () => {
    await gw.close()
    await vllm.close()
    await claude.close()
  })

  const row = (requestId: string): Promise<RequestLogEntry> => finalRow(gw, requestId)

  it('responses.create to a chat-only backend: translated, usage with cached and reasoning tokens', async () => {
    const { data, response } = await client.responses.create({ model: 'qwen', input: 'Say hello', instructions: 'Be brief.', store: false }).withResponse()
    expect(data.object).toBe('response')
    expect(data.status).toBe('completed')
    expect(data.output_text).toBe('Hello from the mock')
    expect(data.usage).toMatchObject({ input_tokens: 31, output_tokens: 4, input_tokens_details: { cached_tokens: 8 }, output_tokens_details: { reasoning_tokens: 2 } })
    const sent = vllm.requests.at(-1)!
    expect(sent.path).toBe('/v1/chat/completions')
    expect(sent.body?.messages).toEqual([
      { role: 'system', content: 'Be brief.' },
      { role: 'user', content: 'Say hello' },
    ])
    const r = await row(String(response.headers.get('x-request-id')))
    expect(r).toMatchObject({ endpoint: '/responses', provider: 'vllm', state: 'ok', promptTokens: 31, completionTokens: 4, cachedTokens: 8, reasoningTokens: 2 })
  })

  it('responses.stream to a chat-only backend: the event sequence the SDK parses, usage exact', async () => {
    const stream = client.responses.stream({ model: 'qwen', input: 'Say hello' })
    const types: string[] = []
    for await (const event of stream) types.push(event.type)
    const final = await stream.finalResponse()
    expect(types[0]).toBe('response.created')
    expect(types).toContain('response.output_text.delta')
    expect(types.at(-1)).toBe('response.completed')
    expect(final.output_text).toBe('Hello from the mock')
    expect(final.usage?.input_tokens).toBe(31)
  })

  it('a function tool round trip through an Anthropic backend', async () => {
    claude.behavior.reply = (body) => {
      const last = (body.messages as Array<{ content: unknown }>).at(-1)!.content
      const answered = Array.isArray(last) && last.some((b: { type?: string }) => b.type === 'tool_result')
      return answered
        ? { content: [{ type: 'text', text: 'It is sunny.' }], usage: { input_tokens: 50, output_tokens: 5 } }
        : { content: [{ type: 'tool_use', id: 'toolu_01weather', name: 'get_weather', input: { city: 'Bern' } }], usage: { input_tokens: 40, output_tokens: 9 } }
    }
    const tools: OpenAI.Responses.Tool[] = [{ type: 'function', name: 'get_weather', strict: false, parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] } }]
    const first = await client.responses.create({ model: 'claude-sonnet-4-5', input: 'Weather in Bern?', tools, store: false })
    const call = first.output.find((o) => o.type === 'function_call')
    expect(call).toMatchObject({ type: 'function_call', name: 'get_weather' })
    expect(JSON.parse((call as OpenAI.Responses.ResponseFunctionToolCall).arguments)).toEqual({ city: 'Bern' })
    const second = await client.responses.create({
      model: 'claude-sonnet-4-5',
      tools,
      store: false,
      input: [{ role: 'user', content: 'Weather in Bern?' }, call as OpenAI.Responses.ResponseFunctionToolCall, { type: 'function_call_output', call_id: (call as OpenAI.Responses.ResponseFunctionToolCall).call_id, output: '{"sky":"clear"}' }],
    })
    expect(second.output_text).toBe('It is sunny.')
    const toolResult = (claude.last().body!.messages as Array<{ content: Array<{ type: string; content?: unknown }> }>).at(-1)!.content[0]!
    expect(toolResult).toMatchObject({ type: 'tool_result' })
    expect(second.usage).toMatchObject({ input_tokens: 50, output_tokens: 5 })
  })

  it('previous_response_id continues a stored conversation on a stateless backend', async () => {
    const first = await client.responses.create({ model: 'qwen', input: 'My name is Ada.' })
    const second = await client.responses.create({ model: 'qwen', input: 'What is my name?', previous_response_id: first.id })
    expect(second.status).toBe('completed')
    // The backend got the whole conversation: first input, first answer, new input.
    expect(vllm.requests.at(-1)!.body?.messages).toEqual([
      { role: 'user', content: 'My name is Ada.' },
      { role: 'assistant', content: 'Hello from the mock' },
      { role: 'user', content: 'What is my name?' },
    ])
    const fetched = await client.responses.retrieve(second.id)
    expect(fetched.id).toBe(second.id)
    expect(fetched.output_text).toBe('Hello from the mock')
    const items = await request(gw.url, { path: `/v1/responses/${second.id}/input_items` })
    expect(items.json<{ data: unknown[] }>().data).toHaveLength(3)
    expect(second.id).not.toBe(first.id)
    const deleted = (await request(gw.url, { method: 'DELETE', path: `/v1/responses/${second.id}` })).json()
    expect(deleted).toEqual({ id: second.id, object: 'response.deleted', deleted: true })
    const gone = await request(gw.url, { path: `/v1/responses/${second.id}` })
    expect(gone.status).toBe(404)
    expect(gone.json<{ error: { message: string } }>().error.message).toContain(second.id)
  })

  it('an unknown previous_response_id is a 400 in OpenAI shape; store: false keeps nothing', async () => {
    const bad = await postJson(gw.url, '/v1/responses', { model: 'qwen', input: 'x', previous_response_id: 'resp_missing' })
    expect(bad.status).toBe(400)
    expect(bad.json<{ error: { param: string } }>().error.param).toBe('previous_response_id')
    const unstored = await client.responses.create({ model: 'qwen', input: 'x', store: false })
    expect((await request(gw.url, { path: `/v1/responses/${unstored.id}` })).status).toBe(404)
  })

  it('every request leaves a /metrics sample by endpoint, unknown paths included', async () => {
    await postJson(gw.url, '/v1/nonsense', {})
    const metrics = await request(gw.url, { path: '/metrics' })
    expect(metrics.text).toMatch(/switchyard_endpoint_requests_total\{endpoint="\/responses",status="200"\} [1-9]/)
    expect(metrics.text).toMatch(/switchyard_endpoint_requests_total\{endpoint="other",status="404"\} [1-9]/)
  })

  it('a request for an unknown model is a 404 in the OpenAI shape, recorded', async () => {
    const res = await postJson(gw.url, '/v1/responses', { model: 'nope', input: 'x' })
    expect(res.status).toBe(404)
    expect(res.json<{ error: { code: string } }>().error.code).toBe('model_not_found')
    expect((await row(String(res.headers['x-request-id']))).endpoint).toBe('/responses')
  })
})
