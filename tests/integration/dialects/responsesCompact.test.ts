// POST /v1/responses/compact, as Codex CLI sends it for remote compaction (`{ model, input,
// instructions, tools, parallel_tool_calls }`, parsed back as `{ output: [items] }`): passed through
// to a backend that speaks the Responses API, and made from a summary the routed model writes on a
// chat-only backend. Both leave a ledger row named after the endpoint, with the exact usage.
import http from 'node:http'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { RequestLogEntry } from '../../../src/shared/api'
import { finalRow, startTestGateway, type TestGateway } from '../../helpers/gateway'
import { postJson, request } from '../../helpers/http'
import { startMockBackend, type MockBackend } from '../../helpers/mockBackend'
import { json, listenOnLoopback, readBody, type Listening } from '../../helpers/server'

/** An OpenAI-style server with the Responses API's compaction endpoint, answering as OpenAI does. */
async function startResponsesServer(): Promise<Listening & { requests: Array<{ path: string; body: Record<string, unknown> | undefined }> }> {
  const requests: Array<{ path: string; body: Record<string, unknown> | undefined }> = []
  const server = http.createServer((req, res) => {
    readBody(req, (_raw, body) => {
      requests.push({ path: req.url ?? '', body })
      if (req.method !== 'POST' || req.url !== '/v1/responses/compact') return json(res, 404, { error: { message: 'not found', type: 'invalid_request_error' } })
      json(res, 200, {
        id: 'resp_cmp_1',
        object: 'response.compaction',
        created_at: 1760000000,
        output: [
          { id: 'msg_1', type: 'message', role: 'user', content: [{ type: 'input_text', text: 'Fix the failing test' }] },
          { id: 'cmp_1', type: 'compaction', encrypted_content: 'gAAAAABopaque' },
        ],
        usage: { input_tokens: 900, input_tokens_details: { cached_tokens: 100 }, output_tokens: 120, output_tokens_details: { reasoning_tokens: 0 }, total_tokens: 1020 },
      })
    })
  })
  return { ...(await listenOnLoopback(server)), requests }
}

/** What Codex sends: its base instructions, the history as Responses items, its tools. */
const codexCompaction = (model: string): Record<string, unknown> => ({
  model,
  instructions: 'You are Codex, a coding agent.',
  input: [
    { type: 'message', role: 'user', content: [{ type: 'input_text', text: 'Fix the failing test' }] },
    { type: 'message', role: 'assistant', content: [{ type: 'output_text', text: 'Running the tests.' }] },
    { type: 'function_call', call_id: 'call_1', name: 'shell', arguments: '{"command":["npm","test"]}' },
    { type: 'function_call_output', call_id: 'call_1', output: '1 failing: adds numbers' },
    { type: 'message', role: 'user', content: [{ type: 'input_text', text: 'Keep going' }] },
  ],
  tools: [{ type: 'function', name: 'shell', description: 'Runs a command', strict: false, parameters: { type: 'object', properties: { command: { type: 'array', items: { type: 'string' } } } } }],
  parallel_tool_calls: false,
})

describe('POST /v1/responses/compact', () => {
  let vllm: MockBackend
  let native: Awaited<ReturnType<typeof startResponsesServer>>
  let gw: TestGateway

  beforeAll(async () => {
    vllm = await startMockBackend({ flavor: 'vllm', models: ['qwen'] })
    vllm.usage = { prompt_tokens: 431, completion_tokens: 57 }
    vllm.behavior.words = ['The user wants', ' the adds-numbers test fixed.']
    native = await startResponsesServer()
    gw = await startTestGateway({
      providers: [
        { id: 'vllm', kind: 'vllm', baseUrl: vllm.baseUrl, models: ['qwen'] },
        { id: 'openai', kind: 'openai-compatible', baseUrl: `${native.url}/v1`, apiKey: 'sk-upstream', models: ['gpt-5-codex'], dialects: ['openai-responses'] },
      ],
    })
  })
  afterAll(async () => {
    await gw.close()
    await vllm.close()
    await native.close()
  })

  const row = (requestId: string): Promise<RequestLogEntry> => finalRow(gw, requestId)

  it('on a chat-only backend: the routed model writes a summary, carried forward as plain user items', async () => {
    const res = await postJson(gw.url, '/v1/responses/compact', codexCompaction('qwen'))
    expect(res.status).toBe(200)
    const body = res.json<{ object: string; output: Array<{ type: string; role: string; content: Array<{ type: string; text: string }> }>; usage: Record<string, number> }>()
    expect(body.object).toBe('response.compaction')
    // The caller's own user messages, then the summary last (where Codex expects the compaction).
    expect(body.output.map((o) => [o.type, o.role, o.content[0]!.text.slice(0, 20)])).toEqual([
      ['message', 'user', 'Fix the failing test'],
      ['message', 'user', 'Keep going'],
      ['message', 'user', 'Summary of the earli'],
    ])
    expect(body.output.at(-1)!.content[0]!.text).toContain('The user wants the adds-numbers test fixed.')
    expect(body.usage).toMatchObject({ input_tokens: 431, output_tokens: 57 })

    // The backend got the whole conversation, the ask for a summary last, the tools declared but not callable.
    const sent = vllm.requests.at(-1)!
    expect(sent.path).toBe('/v1/chat/completions')
    const messages = sent.body!.messages as Array<{ role: string; content: unknown; tool_calls?: unknown[] }>
    expect(messages[0]).toEqual({ role: 'system', content: 'You are Codex, a coding agent.' })
    expect(messages.some((m) => m.role === 'tool')).toBe(true)
    expect(messages.at(-1)!.role).toBe('user')
    expect(String(messages.at(-1)!.content)).toContain('handoff summary')
    expect(sent.body!.tool_choice).toBe('none')
    expect(sent.body!.stream).not.toBe(true)

    const r = await row(res.headers['x-request-id'] as string)
    expect(r).toMatchObject({ endpoint: '/responses/compact', provider: 'vllm', state: 'ok', promptTokens: 431, completionTokens: 57 })
    const metrics = await request(gw.url, { path: '/metrics' })
    expect(metrics.text).toMatch(/switchyard_endpoint_requests_total\{endpoint="\/responses\/compact",status="200"\} [1-9]/)
  })

  it('on a backend that speaks the Responses API: passed through to its /responses/compact, answer untouched', async () => {
    const sentBody = codexCompaction('gpt-5-codex')
    const res = await postJson(gw.url, '/v1/responses/compact', sentBody)
    expect(res.status).toBe(200)
    const body = res.json<{ output: Array<Record<string, unknown>> }>()
    expect(body.output).toEqual([
      { id: 'msg_1', type: 'message', role: 'user', content: [{ type: 'input_text', text: 'Fix the failing test' }] },
      { id: 'cmp_1', type: 'compaction', encrypted_content: 'gAAAAABopaque' },
    ])
    expect(native.requests.at(-1)).toEqual({ path: '/v1/responses/compact', body: sentBody })
    const r = await row(res.headers['x-request-id'] as string)
    expect(r).toMatchObject({ endpoint: '/responses/compact', provider: 'openai', state: 'ok', promptTokens: 900, completionTokens: 120, cachedTokens: 100 })
  })

  it('a summary-less answer is a 502 in OpenAI shape, recorded', async () => {
    vllm.behavior.words = ['   ']
    try {
      const res = await postJson(gw.url, '/v1/responses/compact', codexCompaction('qwen'))
      expect(res.status).toBe(502)
      expect(res.json<{ error: { message: string } }>().error.message).toContain('without a summary')
      const r = await row(res.headers['x-request-id'] as string)
      expect(r).toMatchObject({ endpoint: '/responses/compact', state: 'error' })
    } finally {
      vllm.behavior.words = ['The user wants', ' the adds-numbers test fixed.']
    }
  })

  it('bad requests are 400s in OpenAI shape before any backend is asked', async () => {
    const before = vllm.requests.length
    const badInput = await postJson(gw.url, '/v1/responses/compact', { model: 'qwen', input: 42 })
    expect(badInput.status).toBe(400)
    expect(badInput.json<{ error: { param: string } }>().error.param).toBe('input')
    const noModel = await postJson(gw.url, '/v1/responses/compact', { input: [] })
    expect(noModel.status).toBe(400)
    expect(noModel.json<{ error: { param: string } }>().error.param).toBe('model')
    const badItem = await postJson(gw.url, '/v1/responses/compact', { model: 'qwen', input: [{ type: 'message', role: 'wizard', content: 'x' }] })
    expect(badItem.status).toBe(400)
    expect(vllm.requests.length).toBe(before)
    const unknown = await postJson(gw.url, '/v1/responses/compact', { model: 'nope', input: [] })
    expect(unknown.status).toBe(404)
    expect(unknown.json<{ error: { code: string } }>().error.code).toBe('model_not_found')
    const get = await request(gw.url, { path: '/v1/responses/compact' })
    expect(get.status).toBe(404)
    expect(get.json<{ error: unknown }>().error).toBeDefined()
  })
})
