// The openai SDK's own Responses parsers must accept what the encoder produces. A loopback server
// replays translated output (in small pieces, so the SDK's SSE decoder sees split events); the
// SDK accumulates the stream into its final Response. The follow-up request the SDK builds from
// that Response (output items plus tool outputs) is captured and translated for the upstream,
// closing the tool round trip.
import OpenAI from 'openai'
import { createServer, type IncomingMessage, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { translateRequest, translateResponse, translateStream } from '../../../../../src/main/gateway/dialects/translate'
import { seededRandom } from '../../../../helpers/random'
import { bytesOf, randomSplit, responsesStreamFixtures, type ResponsesStreamFixture } from '../helpers'

let server: Server
let baseURL: string
let reply = { contentType: 'application/json', body: '{}' }
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
      res.writeHead(200, { 'content-type': reply.contentType })
      const bytes = Buffer.from(reply.body, 'utf8')
      for (const piece of randomSplit(bytes, seededRandom(bytes.length), 20)) res.write(piece)
      res.end()
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  baseURL = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`
})
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())))

const client = () => new OpenAI({ baseURL, apiKey: 'sk-test', maxRetries: 0 })
/** A Response's output sent back as input, as SDK users (and Codex) do; the SDK's output type is wider than its input type. */
const asInput = (items: unknown[]) => items as OpenAI.Responses.ResponseInputItem[]
const fixture = (name: string): ResponsesStreamFixture => responsesStreamFixtures().find(([f]) => f === `responses-stream-${name}.json`)![1]

function serveTranslated(fx: ResponsesStreamFixture): void {
  const t = translateStream(fx.upstreamDialect, 'openai-responses', fx.options)
  reply = { contentType: 'text/event-stream; charset=utf-8', body: t.push(bytesOf(fx.upstream)) + t.end() }
}

/** The terminal Response of a golden sequence: what the SDK must end up with. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- golden JSON
const terminalResponse = (fx: ResponsesStreamFixture): any => fx.expected.find((e) => ['response.completed', 'response.incomplete'].includes(String(e.event)))!.data.response

describe('openai SDK responses.stream() reads translated streams', () => {
  const finished = responsesStreamFixtures().filter(([f]) => !f.includes('failed'))

  it.each(finished)('%s: the final Response, its output and its usage', async (_file, fx) => {
    serveTranslated(fx)
    const want = terminalResponse(fx)
    const deltas: string[] = []
    const stream = client().responses.stream({ model: 'gpt-5-codex', input: 'hi' })
    stream.on('response.output_text.delta', (e) => deltas.push(e.delta))
    const response = await stream.finalResponse()
    expect(response.id).toBe(want.id)
    expect(response.status).toBe(want.status)
    expect(response.usage).toEqual(want.usage)
    expect(response.output).toMatchObject(want.output)
    expect(response.output_text).toBe(deltas.join(''))
  })

  it('surfaces a failed stream as an error, with the upstream message', async () => {
    serveTranslated(fixture('failed'))
    const err = await client()
      .responses.stream({ model: 'gpt-5-codex', input: 'hi' })
      .finalResponse()
      .catch((e: unknown) => e)
    expect(err).toMatchObject({ type: 'error', code: 'server_error', message: 'Overloaded' })
  })

  it('responses.create({ stream: true }) yields every event in order', async () => {
    const fx = fixture('tool-call')
    serveTranslated(fx)
    const types: string[] = []
    const stream = await client().responses.create({ model: 'gpt-5-codex', input: 'hi', stream: true })
    for await (const event of stream) types.push(event.type)
    expect(types).toEqual(fx.expected.map((e) => e.event))
  })

  it('responses.create() reads a translated non-streamed Response', async () => {
    const chat = {
      id: 'chatcmpl-ns',
      object: 'chat.completion',
      created: 1,
      model: 'qwen',
      choices: [{ index: 0, message: { role: 'assistant', content: 'Done.', reasoning_content: 'easy', tool_calls: [{ id: 'call_9', type: 'function', function: { name: 'shell', arguments: '{"command":["ls"]}' } }] }, finish_reason: 'tool_calls' }],
      usage: { prompt_tokens: 100, completion_tokens: 30, total_tokens: 130, prompt_tokens_details: { cached_tokens: 60 }, completion_tokens_details: { reasoning_tokens: 12 } },
    }
    const translated = translateResponse('openai-chat', 'openai-responses', chat, { model: 'gpt-5-codex', created: 1700000000 })
    reply = { contentType: 'application/json', body: JSON.stringify(translated) }
    const response = await client().responses.create({ model: 'gpt-5-codex', input: 'hi' })
    expect(response).toMatchObject(translated)
    expect(response.output_text).toBe('Done.')
    expect(response.usage).toEqual({ input_tokens: 100, input_tokens_details: { cached_tokens: 60 }, output_tokens: 30, output_tokens_details: { reasoning_tokens: 12 }, total_tokens: 130 })
    expect(response.output.map((i) => i.type)).toEqual(['reasoning', 'message', 'function_call'])
  })
})

describe('tool round trips through the SDK', () => {
  it('function call: the follow-up becomes tool messages after the assistant turn for a chat upstream', async () => {
    serveTranslated(fixture('tool-call'))
    const sdk = client()
    const first = await sdk.responses.stream({ model: 'gpt-5-codex', input: 'Show Résumé.md' }).finalResponse()
    const call = first.output.find((i) => i.type === 'function_call')!
    serveTranslated(fixture('text'))
    received.length = 0
    await sdk.responses
      .stream({ model: 'gpt-5-codex', input: asInput([{ role: 'user', content: 'Show Résumé.md' }, ...first.output, { type: 'function_call_output', call_id: call.call_id, output: '# CV' }]) })
      .finalResponse()
    const upstream = translateRequest('openai-responses', 'openai-chat', received[0]).body as { messages: unknown[] }
    expect(upstream.messages).toEqual([
      { role: 'user', content: 'Show Résumé.md' },
      { role: 'assistant', content: 'Let me check.', tool_calls: [{ id: 'call_abc', type: 'function', function: { name: 'shell', arguments: '{"command": ["cat", "Résumé.md"]}' } }] },
      { role: 'tool', tool_call_id: 'call_abc', content: '# CV' },
    ])
  })

  it('custom tool: apply_patch goes to a chat upstream as a function and comes back as custom_tool_call, and its output pairs up', async () => {
    const fx = fixture('custom-tool')
    serveTranslated(fx)
    const sdk = client()
    const tools: OpenAI.Responses.Tool[] = [{ type: 'custom', name: 'apply_patch', description: 'Apply a patch', format: { type: 'grammar', syntax: 'lark', definition: 'start: "*** Begin Patch"' } }]
    const first = await sdk.responses.stream({ model: 'gpt-5-codex', input: 'add hello.txt', tools }).finalResponse()
    const call = first.output.find((i) => i.type === 'custom_tool_call')!
    expect(call).toMatchObject({ call_id: 'call_patch1', name: 'apply_patch', input: '*** Begin Patch\n*** Add File: hello.txt\n+Hello, "world"\n*** End Patch\n' })
    serveTranslated(fixture('text'))
    received.length = 0
    await sdk.responses
      .stream({ model: 'gpt-5-codex', tools, input: asInput([{ role: 'user', content: 'add hello.txt' }, ...first.output, { type: 'custom_tool_call_output', call_id: call.call_id, output: 'Done!' }]) })
      .finalResponse()
    const upstream = translateRequest('openai-responses', 'openai-chat', received[0]).body as { messages: unknown[]; tools: unknown[] }
    expect(upstream.tools).toEqual([
      {
        type: 'function',
        function: {
          name: 'apply_patch',
          description: 'Apply a patch\n\nThe input must follow this lark grammar:\nstart: "*** Begin Patch"',
          parameters: expect.objectContaining({ type: 'object', required: ['input'] }),
        },
      },
    ])
    expect(upstream.messages.slice(1)).toEqual([
      { role: 'assistant', content: null, tool_calls: [{ id: 'call_patch1', type: 'function', function: { name: 'apply_patch', arguments: JSON.stringify({ input: call.input }) } }] },
      { role: 'tool', tool_call_id: 'call_patch1', content: 'Done!' },
    ])
  })

  it("Claude's thinking comes back signed: summary and marked encrypted_content become a thinking block again", async () => {
    serveTranslated(fixture('reasoning-summary'))
    const sdk = client()
    const first = await sdk.responses.stream({ model: 'gpt-5-codex', input: '27 * 453?' }).finalResponse()
    serveTranslated(fixture('text'))
    received.length = 0
    await sdk.responses.stream({ model: 'gpt-5-codex', input: asInput([{ role: 'user', content: '27 * 453?' }, ...first.output, { role: 'user', content: 'Sure?' }]) }).finalResponse()
    const upstream = translateRequest('openai-responses', 'anthropic-messages', received[0]).body as { messages: unknown[] }
    expect(upstream.messages).toEqual([
      { role: 'user', content: [{ type: 'text', text: '27 * 453?' }] },
      { role: 'assistant', content: [{ type: 'thinking', thinking: '27 * 453: 400*27 + 53*27.', signature: 'EqQBCgIYAhIM1gbcDa9GJwZA' }, { type: 'text', text: '12,231' }] },
      { role: 'user', content: [{ type: 'text', text: 'Sure?' }] },
    ])
  })
})
