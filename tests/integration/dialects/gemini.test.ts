// Issue 14: the Gemini API through Switchyard with the official @google/genai SDK, to a chat-only
// backend and an Anthropic backend (translated both ways): generateContent, a streamed function
// call round trip, countTokens, embedContent, the model list; usage exact in the ledger; the
// caller's key identifies the app and never reaches a provider.
import { GoogleGenAI, type Content, type FunctionDeclaration } from '@google/genai'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { RequestLogEntry } from '../../../src/shared/api'
import { startTestGateway, type TestGateway } from '../../helpers/gateway'
import { request } from '../../helpers/http'
import { startMockAnthropic, type MockAnthropic } from '../../helpers/mockAnthropic'
import { startMockBackend, type MockBackend } from '../../helpers/mockBackend'

describe('Gemini clients', () => {
  let vllm: MockBackend
  let claude: MockAnthropic
  let gw: TestGateway
  let ai: GoogleGenAI

  beforeAll(async () => {
    vllm = await startMockBackend({ flavor: 'vllm', models: ['qwen', 'embedder'] })
    vllm.usage = { prompt_tokens: 21, completion_tokens: 4, prompt_tokens_details: { cached_tokens: 5 } }
    claude = await startMockAnthropic({ models: ['claude-sonnet-4-5'] })
    gw = await startTestGateway({
      providers: [
        { id: 'vllm', kind: 'vllm', baseUrl: vllm.baseUrl, models: ['qwen', 'embedder'] },
        { id: 'claude', kind: 'anthropic', baseUrl: claude.baseUrl, apiKey: 'sk-ant-key', models: ['claude-sonnet-4-5'] },
      ],
      routes: [{ model: 'gemini-2.5-flash', targets: [{ provider: 'claude', model: 'claude-sonnet-4-5' }] }],
    })
    ai = new GoogleGenAI({ apiKey: 'gemini-client-key-never-forwarded', httpOptions: { baseUrl: gw.url } })
  })
  afterAll(async () => {
    await gw.close()
    await vllm.close()
    await claude.close()
  })

  async function rows(app?: string): Promise<RequestLogEntry[]> {
    return (await gw.gateway.api.listRequests({ limit: 200 })).items.filter((r) => r.state !== 'in_flight' && (app === undefined || r.app === app))
  }

  it('generateContent to a chat-only backend: text and usageMetadata, exact usage in the ledger', async () => {
    const before = (await rows()).length
    const res = await ai.models.generateContent({ model: 'qwen', contents: 'Say hello', config: { systemInstruction: 'Be brief.', temperature: 0.2 } })
    expect(res.text).toBe('Hello from the mock')
    expect(res.usageMetadata).toMatchObject({ promptTokenCount: 21, candidatesTokenCount: 4, cachedContentTokenCount: 5 })
    const sent = vllm.requests.at(-1)!
    expect(sent.body).toMatchObject({ model: 'qwen', temperature: 0.2, messages: [{ role: 'system', content: 'Be brief.' }, { role: 'user', content: 'Say hello' }] })
    expect(JSON.stringify(sent.headers)).not.toContain('gemini-client-key')
    await expect.poll(async () => (await rows()).length).toBeGreaterThan(before)
    const row = (await rows()).find((r) => r.endpoint === '/v1beta/generateContent')!
    expect(row).toMatchObject({ provider: 'vllm', state: 'ok', promptTokens: 21, completionTokens: 4, cachedTokens: 5 })
  })

  it('generateContentStream with a function call round trip through an Anthropic backend', async () => {
    claude.behavior.reply = (body) => {
      const last = (body.messages as Array<{ content: unknown }>).at(-1)!.content
      const answered = Array.isArray(last) && last.some((b: { type?: string }) => b.type === 'tool_result')
      return answered
        ? { content: [{ type: 'text', text: 'It is sunny in Bern.' }], usage: { input_tokens: 60, output_tokens: 7 } }
        : { content: [{ type: 'tool_use', id: 'toolu_01wx', name: 'get_weather', input: { city: 'Bern' } }], usage: { input_tokens: 40, output_tokens: 9 } }
    }
    const weather: FunctionDeclaration = { name: 'get_weather', description: 'Weather', parametersJsonSchema: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] } }
    const history: Content[] = [{ role: 'user', parts: [{ text: 'Weather in Bern?' }] }]
    const first = await ai.models.generateContentStream({ model: 'gemini-2.5-flash', contents: history, config: { tools: [{ functionDeclarations: [weather] }] } })
    const calls = []
    let usage
    for await (const chunk of first) {
      calls.push(...(chunk.functionCalls ?? []))
      usage = chunk.usageMetadata ?? usage
    }
    expect(calls).toHaveLength(1)
    expect(calls[0]).toMatchObject({ name: 'get_weather', args: { city: 'Bern' } })
    expect(usage).toMatchObject({ promptTokenCount: 40, candidatesTokenCount: 9 })
    history.push({ role: 'model', parts: [{ functionCall: calls[0] }] }, { role: 'user', parts: [{ functionResponse: { name: 'get_weather', id: calls[0]!.id, response: { sky: 'clear' } } }] })
    const second = await ai.models.generateContentStream({ model: 'gemini-2.5-flash', contents: history, config: { tools: [{ functionDeclarations: [weather] }] } })
    let text = ''
    for await (const chunk of second) text += chunk.text ?? ''
    expect(text).toBe('It is sunny in Bern.')
    expect(claude.last().headers['x-api-key']).toBe('sk-ant-key')
    await expect
      .poll(async () => (await rows()).filter((r) => r.endpoint === '/v1beta/streamGenerateContent').map((r) => [r.promptTokens, r.completionTokens]).sort())
      .toEqual([[40, 9], [60, 7]].sort())
  })

  it('countTokens answers with a local count; embedContent goes to an OpenAI-style embeddings backend', async () => {
    const counted = await ai.models.countTokens({ model: 'qwen', contents: 'one two three four' })
    expect(counted.totalTokens).toBeGreaterThan(3)
    expect(counted.totalTokens).toBeLessThan(20)
    const embedded = await ai.models.embedContent({ model: 'embedder', contents: 'hello' })
    expect(embedded.embeddings?.[0]?.values).toEqual([0.1, -0.2, 0.3])
    // The SDK sends embedContent as batchEmbedContents: one text in a list.
    expect(vllm.requests.at(-1)).toMatchObject({ path: '/v1/embeddings', body: { model: 'embedder', input: ['hello'] } })
  })

  it('lists models in Google shape; an app key works as x-goog-api-key and as ?key=', async () => {
    const pager = await ai.models.list()
    const names: string[] = []
    for await (const m of pager) names.push(m.name ?? '')
    expect(names).toEqual(expect.arrayContaining(['models/qwen', 'models/gemini-2.5-flash']))
    const { key } = await gw.gateway.api.createApp({ name: 'gemini-cli-test' })
    const keyed = new GoogleGenAI({ apiKey: key, httpOptions: { baseUrl: gw.url } })
    await keyed.models.generateContent({ model: 'qwen', contents: 'hi' })
    const viaQuery = await request(gw.url, { path: `/v1beta/models/qwen:generateContent?key=${key}`, body: { contents: [{ parts: [{ text: 'hi' }] }] } })
    expect(viaQuery.status).toBe(200)
    await expect.poll(async () => (await rows('gemini-cli-test')).length).toBe(2)
    const bad = await request(gw.url, { path: '/v1beta/models/qwen:generateContent', headers: { 'x-goog-api-key': 'sy-not-a-key' }, body: { contents: [] } })
    expect(bad.status).toBe(401)
    expect(bad.json()).toMatchObject({ error: { code: 401, status: 'UNAUTHENTICATED' } })
  })

  it('errors come back in Google shape', async () => {
    const res = await request(gw.url, { path: '/v1beta/models/unknown-model:generateContent', body: { contents: [{ parts: [{ text: 'hi' }] }] } })
    expect(res.status).toBe(404)
    expect(res.json()).toMatchObject({ error: { code: 404, status: 'NOT_FOUND' } })
  })
})
