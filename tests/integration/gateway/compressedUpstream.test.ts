// Issue 11, defect 7: an upstream that gzips its answer was relayed with content-encoding: gzip
// and its completion tokens recorded as 0 (the usage scanner read compressed bytes). Bodies are
// decoded on the way; usage is exact whatever the encoding.
import http from 'node:http'
import zlib from 'node:zlib'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { RequestLogEntry } from '../../../src/shared/api'
import { finalRow, startTestGateway, type TestGateway } from '../../helpers/gateway'
import { postJson } from '../../helpers/http'
import { listenOnLoopback, readBody, type Listening } from '../../helpers/server'

type Encoding = 'gzip' | 'deflate' | 'br'
const compressors: Record<Encoding, () => zlib.Gzip | zlib.Deflate | zlib.BrotliCompress> = {
  gzip: () => zlib.createGzip(),
  deflate: () => zlib.createDeflate(),
  br: () => zlib.createBrotliCompress(),
}

const sse = (doc: object): string => `data: ${JSON.stringify(doc)}\n\n`

describe('compressed upstream answers', () => {
  let upstream: Listening
  let gw: TestGateway
  let encoding: Encoding = 'gzip'

  beforeAll(async () => {
    upstream = await listenOnLoopback(
      http.createServer((req, res) => {
        readBody(req, (_raw, body) => {
          const z = compressors[encoding]()
          if (body?.model === 'missing') {
            res.writeHead(404, { 'content-type': 'application/json', 'content-encoding': encoding })
            z.pipe(res)
            z.end(JSON.stringify({ object: 'error', message: 'The model `missing` does not exist.', type: 'NotFoundError', param: null, code: 404 }))
            return
          }
          if (body?.stream === true) {
            res.writeHead(200, { 'content-type': 'text/event-stream', 'content-encoding': encoding })
            z.pipe(res)
            for (const w of ['Hello', ' there']) {
              z.write(sse({ id: 'c', object: 'chat.completion.chunk', created: 1, model: 'm', choices: [{ index: 0, delta: { content: w }, finish_reason: null }] }))
              z.flush()
            }
            z.write(sse({ id: 'c', object: 'chat.completion.chunk', created: 1, model: 'm', choices: [], usage: { prompt_tokens: 21, completion_tokens: 17, total_tokens: 38 } }))
            z.end('data: [DONE]\n\n')
            return
          }
          res.writeHead(200, { 'content-type': 'application/json', 'content-encoding': encoding })
          z.pipe(res)
          z.end(JSON.stringify({ id: 'c', object: 'chat.completion', created: 1, model: 'm', choices: [{ index: 0, message: { role: 'assistant', content: 'Hello there' }, finish_reason: 'stop' }], usage: { prompt_tokens: 21, completion_tokens: 17, total_tokens: 38 } }))
        })
      }),
    )
    gw = await startTestGateway({
      providers: [
        { id: 'z', kind: 'vllm', baseUrl: `${upstream.url}/v1`, models: ['m', 'missing'] },
        { id: 'zc', kind: 'vllm', baseUrl: `${upstream.url}/v1`, models: ['claude-ish'] },
      ],
    })
  })
  afterAll(async () => {
    await gw.close()
    await upstream.close()
  })

  const row = (requestId: string): Promise<RequestLogEntry> => finalRow(gw, requestId)

  it.each(['gzip', 'deflate', 'br'] as const)('%s stream: plain SSE to the client, exact usage in the ledger', async (enc) => {
    encoding = enc
    const res = await postJson(gw.url, '/v1/chat/completions', { model: 'm', stream: true, messages: [{ role: 'user', content: 'hi' }] })
    expect(res.status).toBe(200)
    expect(res.headers['content-encoding']).toBeUndefined()
    expect(res.text).toContain('"content":"Hello"')
    expect(res.text).toContain('data: [DONE]')
    expect(res.text).not.toContain('"usage"') // the usage chunk the gateway asked for is still taken out
    expect(await row(String(res.headers['x-request-id']))).toMatchObject({ state: 'ok', promptTokens: 21, completionTokens: 17, estimated: false })
  })

  it.each(['gzip', 'br'] as const)('%s JSON: plain body with a correct length, exact usage', async (enc) => {
    encoding = enc
    const res = await postJson(gw.url, '/v1/chat/completions', { model: 'm', messages: [{ role: 'user', content: 'hi' }] })
    expect(res.status).toBe(200)
    expect(res.headers['content-encoding']).toBeUndefined()
    expect(res.json<{ choices: Array<{ message: { content: string } }> }>().choices[0]!.message.content).toBe('Hello there')
    expect(await row(String(res.headers['x-request-id']))).toMatchObject({ state: 'ok', promptTokens: 21, completionTokens: 17 })
  })

  it('an Anthropic client translated from a gzipped OpenAI stream', async () => {
    encoding = 'gzip'
    const res = await postJson(gw.url, '/v1/messages', { model: 'claude-ish', max_tokens: 50, stream: true, messages: [{ role: 'user', content: 'hi' }] })
    expect(res.status).toBe(200)
    expect(res.text).toContain('"text":"Hello"')
    expect(res.text).toContain('event: message_stop')
    expect(await row(String(res.headers['x-request-id']))).toMatchObject({ state: 'ok', promptTokens: 21, completionTokens: 17 })
  })

  it('a gzipped error body reaches the client as the upstream said it', async () => {
    encoding = 'gzip'
    const res = await postJson(gw.url, '/v1/chat/completions', { model: 'missing', messages: [{ role: 'user', content: 'hi' }] })
    expect(res.status).toBe(404)
    expect(res.text).toContain('does not exist')
  })
})
