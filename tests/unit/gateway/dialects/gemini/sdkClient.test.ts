// The @google/genai SDK's own parsers must accept what the Gemini codec produces, and what the SDK
// sends must decode. A loopback server plays Switchyard: it decodes the SDK's request from its
// path and body, translates it for an upstream of another dialect, and answers with that
// upstream's answer translated back (in small pieces, so the SDK's SSE splitter sees split
// events). A chat session with a function call closes the tool round trip.
import { ApiError, GoogleGenAI, type GenerateContentResponse } from '@google/genai'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { decodeGeminiCountTokens, geminiCountTokensResponse } from '../../../../../src/main/gateway/dialects/gemini/countTokens'
import { geminiEmbedToOpenAI, openAIEmbeddingsToGemini } from '../../../../../src/main/gateway/dialects/gemini/embeddings'
import { geminiErrorBody } from '../../../../../src/main/gateway/dialects/gemini/errors'
import { geminiModel, geminiModelList } from '../../../../../src/main/gateway/dialects/gemini/models'
import { geminiTarget, parseGeminiPath } from '../../../../../src/main/gateway/dialects/gemini/paths'
import { translateRequest, translateResponse, translateStream } from '../../../../../src/main/gateway/dialects/translate'
import { bytesOf, loopbackServer, streamFixtures, type LoopbackReply, type LoopbackRequest } from '../helpers'

let server: Awaited<ReturnType<typeof loopbackServer>>
let handle: (req: LoopbackRequest) => LoopbackReply = () => ({ body: '{}' })

beforeAll(async () => {
  server = await loopbackServer((req) => handle(req))
})
afterAll(() => server.close())

const client = () => new GoogleGenAI({ apiKey: 'AIza-test', httpOptions: { baseUrl: server.url } })
const fixture = (name: string) => streamFixtures('gemini-').find(([f]) => f === `gemini-stream-${name}.json`)![1]
const json = (body: unknown, status = 200): LoopbackReply => ({ status, body: JSON.stringify(body) })

/** The stream a Gemini client gets from an upstream fixture (plus an optional failure after it). */
function translatedStream(name: string, cut?: { events: number; message: string; status: number }): LoopbackReply {
  const fx = fixture(name)
  const t = translateStream(fx.upstreamDialect, 'gemini', { ...fx.options, geminiJsonArray: false })
  let body = t.start() + t.push(bytesOf(cut ? fx.upstream.slice(0, cut.events) : fx.upstream))
  body += cut ? t.fail(cut.message, cut.status) : t.end()
  return { contentType: 'text/event-stream', body: t.start() + ': keep-alive\n\n' + body }
}

/** The SDK's request as canonical, read as Gemini ingress reads it. */
function decodeSdkRequest(req: LoopbackRequest) {
  const path = parseGeminiPath(req.url)
  expect(path, `a Gemini path: ${req.url}`).toBeDefined()
  return { path: path!, anthropic: translateRequest('gemini', 'anthropic-messages', req.body, {}, geminiTarget(path!)).body as { messages: unknown[]; tools?: unknown[]; system?: string } }
}

const tools = [{ functionDeclarations: [{ name: 'read_file', description: 'Read a file', parametersJsonSchema: { type: 'object', properties: { absolute_path: { type: 'string' } }, required: ['absolute_path'] } }] }]

describe('@google/genai reads what the Gemini codec writes', () => {
  it('generateContentStream: thoughts, a function call with its id and signature, finish reason and usage', async () => {
    handle = () => translatedStream('function-call')
    const chunks: GenerateContentResponse[] = []
    for await (const chunk of await client().models.generateContentStream({ model: 'gemini-2.5-pro', contents: 'Show Résumé.md', config: { tools, thinkingConfig: { includeThoughts: true } } })) chunks.push(chunk)
    const parts = chunks.flatMap((c) => c.candidates?.[0]?.content?.parts ?? [])
    expect(parts.filter((p) => p.thought).map((p) => p.text)).toEqual(['The user wants the file; ', 'read it.'])
    expect(chunks.flatMap((c) => c.functionCalls ?? [])).toEqual([{ id: 'toolu_01Read', name: 'read_file', args: { absolute_path: '/tmp/Résumé.md' } }])
    expect(parts.find((p) => p.functionCall)!.thoughtSignature).toBe('EqQBCgIYAhIMsig')
    const last = chunks.at(-1)!
    expect(last.candidates![0]!.finishReason).toBe('STOP')
    expect(last.usageMetadata).toEqual({ promptTokenCount: 30, candidatesTokenCount: 42, cachedContentTokenCount: 10, totalTokenCount: 72 })
    expect(last.responseId).toBe('01Fn')

    const { path, anthropic } = decodeSdkRequest(server.requests.at(-1)!)
    expect(path).toEqual({ model: 'gemini-2.5-pro', method: 'streamGenerateContent', sse: true })
    expect(anthropic.messages).toEqual([{ role: 'user', content: [{ type: 'text', text: 'Show Résumé.md' }] }])
    expect(anthropic.tools).toEqual([{ name: 'read_file', description: 'Read a file', input_schema: tools[0]!.functionDeclarations[0]!.parametersJsonSchema }])
  })

  it('a chat session: the function response pairs with the call, and the signed thinking goes back to the upstream', async () => {
    const chat = client().chats.create({ model: 'gemini-2.5-pro', config: { tools } })
    handle = () => translatedStream('function-call')
    let call: { id?: string; name?: string } | undefined
    for await (const chunk of await chat.sendMessageStream({ message: 'Show Résumé.md' })) call ??= chunk.functionCalls?.[0]
    handle = () => translatedStream('text')
    let text = ''
    for await (const chunk of await chat.sendMessageStream({ message: [{ functionResponse: { id: call!.id, name: call!.name, response: { output: '# CV' } } }] })) text += chunk.text ?? ''
    expect(text).toBe('Hello, wörld 👋')
    const { anthropic } = decodeSdkRequest(server.requests.at(-1)!)
    expect(anthropic.messages.slice(1)).toEqual([
      { role: 'assistant', content: [{ type: 'thinking', thinking: 'The user wants the file; read it.', signature: 'EqQBCgIYAhIMsig' }, { type: 'tool_use', id: 'toolu_01Read', name: 'read_file', input: { absolute_path: '/tmp/Résumé.md' } }] },
      { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'toolu_01Read', content: '# CV' }] },
    ])
  })

  it('generateContent: a translated chat answer, text and usage', async () => {
    handle = (req) => {
      expect(parseGeminiPath(req.url)).toEqual({ model: 'gemini-2.5-flash', method: 'generateContent', sse: false })
      const chat = {
        id: 'chatcmpl-1',
        object: 'chat.completion',
        created: 1,
        model: 'qwen',
        choices: [{ index: 0, message: { role: 'assistant', content: 'Four.' }, finish_reason: 'length' }],
        usage: { prompt_tokens: 9, completion_tokens: 2, total_tokens: 11 },
      }
      return json(translateResponse('openai-chat', 'gemini', chat, { model: 'gemini-2.5-flash' }))
    }
    const res = await client().models.generateContent({ model: 'gemini-2.5-flash', contents: '2+2?' })
    expect(res.text).toBe('Four.')
    expect(res.candidates![0]!.finishReason).toBe('MAX_TOKENS')
    expect(res.usageMetadata).toEqual({ promptTokenCount: 9, candidatesTokenCount: 2, totalTokenCount: 11 })
  })

  it('a failure mid-stream raises ApiError with the status, after the text that came before', async () => {
    handle = () => translatedStream('text', { events: 4, message: 'upstream went away', status: 503 })
    const texts: string[] = []
    const err = await (async () => {
      for await (const chunk of await client().models.generateContentStream({ model: 'gemini-2.5-flash', contents: 'hi' })) texts.push(chunk.text ?? '')
    })().catch((e: unknown) => e)
    expect(texts).toEqual(['Hello, '])
    expect(err).toBeInstanceOf(ApiError)
    expect(err).toMatchObject({ status: 503, message: expect.stringContaining('upstream went away') })
  })

  it('an error answer raises ApiError with the status and message', async () => {
    handle = () => json(geminiErrorBody({ message: 'limit of 10 requests per minute reached' }, 429), 429)
    const err = await client()
      .models.generateContent({ model: 'gemini-2.5-flash', contents: 'hi' })
      .catch((e: unknown) => e)
    expect(err).toBeInstanceOf(ApiError)
    expect(err).toMatchObject({ status: 429, message: expect.stringContaining('limit of 10 requests per minute reached') })
  })

  it('countTokens', async () => {
    handle = (req) => {
      const path = parseGeminiPath(req.url)!
      expect(path.method).toBe('countTokens')
      const counted = decodeGeminiCountTokens(req.body, path.model)
      return json(geminiCountTokensResponse(counted.messages.length * 100 + 3))
    }
    const res = await client().models.countTokens({ model: 'gemini-2.5-flash', contents: 'How many?' })
    expect(res.totalTokens).toBe(103)
  })

  it('embedContent (the SDK calls batchEmbedContents)', async () => {
    handle = (req) => {
      const path = parseGeminiPath(req.url)!
      expect(path).toEqual({ model: 'text-embedding-004', method: 'batchEmbedContents', sse: false })
      const openAI = geminiEmbedToOpenAI(path.method as 'batchEmbedContents', req.body, 'nomic')
      expect(openAI).toEqual({ model: 'nomic', input: ['one', 'two'], dimensions: 2 })
      const answer = { object: 'list', model: 'nomic', data: [0.5, 0.25].map((x, index) => ({ object: 'embedding', index, embedding: [x, -x] })), usage: { prompt_tokens: 2, total_tokens: 2 } }
      return json(openAIEmbeddingsToGemini('batchEmbedContents', answer))
    }
    const res = await client().models.embedContent({ model: 'text-embedding-004', contents: ['one', 'two'], config: { outputDimensionality: 2 } })
    expect(res.embeddings!.map((e) => e.values)).toEqual([
      [0.5, -0.5],
      [0.25, -0.25],
    ])
  })

  it('models.list and models.get', async () => {
    handle = (req) => (req.url.startsWith('/v1beta/models/') ? json(geminiModel({ id: 'local', inputTokenLimit: 32768 })) : json(geminiModelList([{ id: 'local' }, { id: 'nomic', embedding: true }])))
    const names: string[] = []
    for await (const m of await client().models.list()) names.push(m.name!)
    expect(names).toEqual(['models/local', 'models/nomic'])
    const one = await client().models.get({ model: 'local' })
    expect(one).toMatchObject({ name: 'models/local', inputTokenLimit: 32768, supportedActions: ['generateContent', 'streamGenerateContent', 'countTokens'] })
  })
})
