// Issue 14: an Ollama-only tool (the `ollama` npm client) pointed at Switchyard lists every model
// it serves and chats with a non-Ollama backend (a vLLM mock, translated), streamed and not, with
// tools; embeds; generates; usage exact in the answer and the ledger.
import { Ollama } from 'ollama'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { RequestLogEntry } from '../../../src/shared/api'
import { startTestGateway, type TestGateway } from '../../helpers/gateway'
import { request } from '../../helpers/http'
import { startMockBackend, type MockBackend } from '../../helpers/mockBackend'
import { startMockAnthropic, type MockAnthropic } from '../../helpers/mockAnthropic'

describe('Ollama clients', () => {
  let vllm: MockBackend
  let claude: MockAnthropic
  let gw: TestGateway
  let ollama: Ollama

  beforeAll(async () => {
    vllm = await startMockBackend({ flavor: 'vllm', models: ['qwen', 'embedder'] })
    vllm.usage = { prompt_tokens: 17, completion_tokens: 4 }
    claude = await startMockAnthropic({ models: ['claude-sonnet-4-5'] })
    gw = await startTestGateway({
      providers: [
        { id: 'vllm', kind: 'vllm', baseUrl: vllm.baseUrl, models: ['qwen', 'embedder'] },
        { id: 'claude', kind: 'anthropic', baseUrl: claude.baseUrl, apiKey: 'sk-ant-key', models: ['claude-sonnet-4-5'] },
      ],
      routes: [{ model: 'local', targets: [{ provider: 'vllm', model: 'qwen' }] }],
    })
    ollama = new Ollama({ host: gw.url })
  })
  afterAll(async () => {
    await gw.close()
    await vllm.close()
    await claude.close()
  })

  async function rows(endpoint: string): Promise<RequestLogEntry[]> {
    return (await gw.gateway.api.listRequests({ limit: 200 })).items.filter((r) => r.state !== 'in_flight' && r.endpoint === endpoint)
  }

  it('answers like Ollama at the root and lists every model Switchyard serves', async () => {
    const root = await request(gw.url, { path: '/' })
    expect(root.text).toBe('Ollama is running')
    const { models } = await ollama.list()
    expect(models.map((m) => m.name)).toEqual(expect.arrayContaining(['qwen', 'embedder', 'claude-sonnet-4-5', 'local']))
    expect((await ollama.version()).version).toMatch(/^\d+\.\d+\.\d+$/)
  })

  it('chat, not streamed, with a vLLM backend: the answer and its counts', async () => {
    const res = await ollama.chat({ model: 'local', stream: false, messages: [{ role: 'user', content: 'Say hello' }] })
    expect(res.message.content).toBe('Hello from the mock')
    expect(res.done).toBe(true)
    expect(res).toMatchObject({ prompt_eval_count: 17, eval_count: 4 })
    expect(vllm.requests.at(-1)!.body).toMatchObject({ model: 'qwen', messages: [{ role: 'user', content: 'Say hello' }] })
  })

  it('chat, streamed (NDJSON): the pieces, then done with the counts; exact usage in the ledger', async () => {
    const tagged = new Ollama({ host: gw.url, headers: { 'x-switchyard-app': 'ollama-stream-test' } })
    const stream = await tagged.chat({ model: 'local', messages: [{ role: 'user', content: 'Say hello' }], stream: true })
    let text = ''
    let last
    for await (const part of stream) {
      text += part.message.content
      last = part
    }
    expect(text).toBe('Hello from the mock')
    expect(last).toMatchObject({ done: true, prompt_eval_count: 17, eval_count: 4 })
    const mine = async (): Promise<RequestLogEntry[]> => (await rows('/api/chat')).filter((r) => r.app === 'ollama-stream-test')
    await expect.poll(async () => (await mine()).length).toBe(1)
    expect((await mine())[0]).toMatchObject({ provider: 'vllm', state: 'ok', stream: true, promptTokens: 17, completionTokens: 4 })
  })

  it('tools through an Anthropic backend: the call comes back as tool_calls', async () => {
    claude.behavior.reply = { content: [{ type: 'tool_use', id: 'toolu_01', name: 'get_weather', input: { city: 'Bern' } }], usage: { input_tokens: 30, output_tokens: 8 } }
    const res = await ollama.chat({
      model: 'claude-sonnet-4-5',
      stream: false,
      messages: [{ role: 'user', content: 'Weather in Bern?' }],
      tools: [{ type: 'function', function: { name: 'get_weather', description: 'Weather', parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] } } }],
    })
    expect(res.message.tool_calls?.[0]?.function).toMatchObject({ name: 'get_weather', arguments: { city: 'Bern' } })
    expect(res).toMatchObject({ prompt_eval_count: 30, eval_count: 8 })
  })

  it('generate, embed, and the empty "load the model" generate', async () => {
    const gen = await ollama.generate({ model: 'local', prompt: 'Say hello', stream: false })
    expect(gen.response).toBe('Hello from the mock')
    const load = await ollama.generate({ model: 'local', prompt: '', stream: false })
    expect(load).toMatchObject({ done: true, done_reason: 'load', response: '' })
    const embedded = await ollama.embed({ model: 'embedder', input: 'hello' })
    expect(embedded.embeddings).toEqual([[0.1, -0.2, 0.3]])
  })

  it('errors in Ollama shape', async () => {
    await expect(ollama.chat({ model: 'nope', stream: false, messages: [{ role: 'user', content: 'x' }] })).rejects.toMatchObject({ status_code: 404 })
    const res = await request(gw.url, { path: '/api/chat', body: { model: 'nope', messages: [] } })
    expect(res.json()).toEqual({ error: expect.stringContaining('nope') })
  })
})
