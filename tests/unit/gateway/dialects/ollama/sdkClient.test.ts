// The `ollama` npm client's own parsers must accept what the Ollama codec produces, and what it
// sends must decode. A loopback server plays Switchyard: it decodes the client's request,
// translates it for an upstream of another dialect, and answers with that upstream's answer
// translated back as NDJSON (in small pieces, so lines arrive split). A tool round trip closes
// the loop; the listing and embedding endpoints answer from the pure builders.
import { Ollama, type ChatResponse, type Message } from 'ollama'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ollama as ollamaCodec } from '../../../../../src/main/gateway/dialects/ollama'
import { ollamaEmbedToOpenAI, ollamaLegacyEmbeddingsToOpenAI, openAIEmbeddingsToOllamaEmbed, openAIEmbeddingsToOllamaLegacy } from '../../../../../src/main/gateway/dialects/ollama/embeddings'
import { ollamaErrorBody } from '../../../../../src/main/gateway/dialects/ollama/errors'
import { ollamaPs, ollamaShow, ollamaTags, ollamaVersion } from '../../../../../src/main/gateway/dialects/ollama/models'
import { translateRequest, translateResponse, translateStream } from '../../../../../src/main/gateway/dialects/translate'
import { bytesOf, loopbackServer, streamFixtures, type LoopbackReply, type LoopbackRequest } from '../helpers'

let server: Awaited<ReturnType<typeof loopbackServer>>
let handle: (req: LoopbackRequest) => LoopbackReply = () => ({ body: '{}' })

beforeAll(async () => {
  server = await loopbackServer((req) => handle(req))
})
afterAll(() => server.close())

const client = () => new Ollama({ host: server.url })
const json = (body: unknown, status = 200): LoopbackReply => ({ status, body: JSON.stringify(body) })
const fixture = (name: string) => streamFixtures('ollama-').find(([f]) => f === `ollama-stream-${name}.json`)![1]

function translatedStream(name: string, cut?: { lines: number; message: string }): LoopbackReply {
  const fx = fixture(name)
  const t = translateStream(fx.upstreamDialect, 'ollama', fx.options)
  const body = cut ? t.push(bytesOf(fx.upstream.slice(0, cut.lines))) + t.fail(cut.message) : t.push(bytesOf(fx.upstream)) + t.end()
  return { contentType: 'application/x-ndjson', body }
}

const tools = [{ type: 'function', function: { name: 'get_weather', description: 'Weather now', parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] } } }]

describe('the ollama client reads what the Ollama codec writes', () => {
  it('chat stream with tools: content pieces, the tool call whole, the done line with counts; then the tool round trip', async () => {
    handle = () => translatedStream('tool-call')
    const parts: ChatResponse[] = []
    for await (const part of await client().chat({ model: 'qwen3:8b', messages: [{ role: 'user', content: 'Weather in Zürich?' }], tools, stream: true })) parts.push(part)
    expect(parts.map((p) => p.message.content).join('')).toBe('Checking.')
    const calls = parts.flatMap((p) => p.message.tool_calls ?? [])
    expect(calls).toEqual([{ id: 'toolu_01W', function: { index: 0, name: 'get_weather', arguments: { city: 'Zürich' } } }])
    expect(parts.at(-1)).toMatchObject({ done: true, done_reason: 'stop', prompt_eval_count: 80, eval_count: 21 })

    const first = server.requests.at(-1)!
    expect(first).toMatchObject({ method: 'POST', url: '/api/chat' })
    const upstream = translateRequest('ollama', 'anthropic-messages', first.body).body as { tools: unknown[]; stream: boolean }
    expect(upstream).toMatchObject({ stream: true, tools: [{ name: 'get_weather', input_schema: tools[0]!.function.parameters }] })

    // The next turn, as an Ollama user writes it: the assistant message back, then the tool's answer.
    handle = () => translatedStream('chat-text')
    const messages: Message[] = [{ role: 'user', content: 'Weather in Zürich?' }, { role: 'assistant', content: 'Checking.', tool_calls: calls }, { role: 'tool', content: '21°C', tool_name: 'get_weather' }]
    let text = ''
    for await (const part of await client().chat({ model: 'qwen3:8b', messages, tools, stream: true })) text += part.message.content
    expect(text).toBe('Hello, wörld 👋')
    const chat = translateRequest('ollama', 'openai-chat', server.requests.at(-1)!.body).body as { messages: unknown[] }
    expect(chat.messages).toEqual([
      { role: 'user', content: 'Weather in Zürich?' },
      { role: 'assistant', content: 'Checking.', tool_calls: [{ id: 'toolu_01W', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Zürich"}' } }] },
      { role: 'tool', tool_call_id: 'toolu_01W', content: '21°C' },
    ])
  })

  it('chat without streaming: a translated chat answer with thinking', async () => {
    handle = (req) => {
      const canonical = ollamaCodec.decodeRequest(req.body)
      expect(canonical).toMatchObject({ stream: false, reasoning: { summary: 'auto' } })
      const answer = {
        id: 'chatcmpl-2',
        object: 'chat.completion',
        created: 1,
        model: 'qwen',
        choices: [{ index: 0, message: { role: 'assistant', content: '4', reasoning_content: '2+2' }, finish_reason: 'stop' }],
        usage: { prompt_tokens: 12, completion_tokens: 5, total_tokens: 17 },
      }
      return json(translateResponse('openai-chat', 'ollama', answer, { model: canonical.model, created: 1700000000 }))
    }
    const res = await client().chat({ model: 'qwen3:8b', messages: [{ role: 'user', content: '2+2?' }], think: true, stream: false })
    expect(res).toMatchObject({ model: 'qwen3:8b', message: { role: 'assistant', content: '4', thinking: '2+2' }, done: true, done_reason: 'stop', prompt_eval_count: 12, eval_count: 5 })
  })

  it('generate stream', async () => {
    handle = (req) => {
      expect(req.url).toBe('/api/generate')
      return translatedStream('generate')
    }
    let response = ''
    let thinking = ''
    let last: { done: boolean; prompt_eval_count?: number } | undefined
    for await (const part of await client().generate({ model: 'llama3.2', prompt: 'Why is the sky blue?', stream: true })) {
      response += part.response ?? ''
      thinking += part.thinking ?? ''
      last = part
    }
    expect({ response, thinking }).toEqual({ response: 'Because of Rayleigh scattering.', thinking: 'Sky: Rayleigh.' })
    expect(last).toMatchObject({ done: true, prompt_eval_count: 8, eval_count: 11 })
  })

  it("a failure mid-stream makes the client's iterator throw with the message", async () => {
    handle = () => translatedStream('chat-text', { lines: 4, message: 'upstream went away' })
    const texts: string[] = []
    const err = await (async () => {
      for await (const part of await client().chat({ model: 'm', messages: [{ role: 'user', content: 'hi' }], stream: true })) texts.push(part.message.content)
    })().catch((e: unknown) => e)
    expect(texts).toEqual(['Hello, '])
    expect(err).toMatchObject({ message: 'upstream went away' })
  })

  it('an error answer is a ResponseError with the status and message', async () => {
    handle = () => json(ollamaCodec.errorBody({ message: 'model "nope" not found, try pulling it first' }, 404).body, 404)
    const err = await client()
      .chat({ model: 'nope', messages: [], stream: false })
      .catch((e: unknown) => e)
    expect(err).toMatchObject({ name: 'ResponseError', status_code: 404, error: 'model "nope" not found, try pulling it first' })
    expect(ollamaErrorBody(undefined, 500)).toEqual({ error: 'upstream answered 500' })
  })

  it('list, show, ps and version', async () => {
    const model = { name: 'qwen3:8b', family: 'qwen3', parameterSize: '8.2B', capabilities: ['completion', 'tools'], contextLength: 40960, modifiedAt: 1700000000 }
    handle = (req) => {
      if (req.url === '/api/tags') return json(ollamaTags([model, { name: 'local' }]))
      if (req.url === '/api/show') return json(ollamaShow(model))
      if (req.url === '/api/ps') return json(ollamaPs([{ ...model, expiresAt: 1700000300 }]))
      return json(ollamaVersion())
    }
    expect((await client().list()).models.map((m) => [m.name, m.details.family])).toEqual([
      ['qwen3:8b', 'qwen3'],
      ['local', ''],
    ])
    expect(await client().show({ model: 'qwen3:8b' })).toMatchObject({ capabilities: ['completion', 'tools'], model_info: { 'qwen3.context_length': 40960 } })
    expect((await client().ps()).models[0]).toMatchObject({ name: 'qwen3:8b', expires_at: '2023-11-14T22:18:20.000Z' })
    expect((await client().version()).version).toMatch(/^\d+\.\d+\.\d+$/)
  })

  it('embed and the legacy embeddings', async () => {
    const openAIAnswer = (inputs: number) => ({ object: 'list', model: 'e', data: Array.from({ length: inputs }, (_, index) => ({ object: 'embedding', index, embedding: [index, 1] })), usage: { prompt_tokens: 7, total_tokens: 7 } })
    handle = (req) => {
      if (req.url === '/api/embed') {
        const request = ollamaEmbedToOpenAI(req.body)
        return json(openAIEmbeddingsToOllamaEmbed(openAIAnswer(request.input.length), request.model))
      }
      ollamaLegacyEmbeddingsToOpenAI(req.body)
      return json(openAIEmbeddingsToOllamaLegacy(openAIAnswer(1)))
    }
    expect(await client().embed({ model: 'nomic-embed-text', input: ['a', 'b'] })).toMatchObject({ model: 'nomic-embed-text', embeddings: [[0, 1], [1, 1]], prompt_eval_count: 7 })
    expect(await client().embeddings({ model: 'nomic-embed-text', prompt: 'a' })).toEqual({ embedding: [0, 1] })
  })
})
