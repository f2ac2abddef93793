// Issue 11, defect 6: answers that ended cleanly at the HTTP level but were broken — truncated
// JSON with status 200, a stream without its end event, a translated stream that ended in an
// error event — were recorded as 200/ok. The ledger row, /metrics and the breaker say what happened.
import http from 'node:http'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { RequestLogEntry } from '../../../src/shared/api'
import { finalRow, startTestGateway, type TestGateway } from '../../helpers/gateway'
import { postJson, request } from '../../helpers/http'
import { listenOnLoopback, readBody, type Listening } from '../../helpers/server'

type Mode = 'truncated-json' | 'no-done' | 'anthropic-no-stop' | 'fine'

const sse = (doc: object): string => `data: ${JSON.stringify(doc)}\n\n`
const chunk = (content: string): string => sse({ id: 'c', object: 'chat.completion.chunk', created: 1, model: 'm', choices: [{ index: 0, delta: { content }, finish_reason: null }] })

describe('broken answers with a clean HTTP ending', () => {
  let upstream: Listening
  let gw: TestGateway
  let mode: Mode = 'fine'

  beforeAll(async () => {
    upstream = await listenOnLoopback(
      http.createServer((req, res) => {
        readBody(req, () => {
          if (req.url === '/v1/messages') {
            // Anthropic: the stream stops after a text delta, without message_delta/message_stop.
            res.writeHead(200, { 'content-type': 'text/event-stream' })
            res.write(`event: message_start\ndata: ${JSON.stringify({ type: 'message_start', message: { id: 'msg_1', type: 'message', role: 'assistant', model: 'claude', content: [], stop_reason: null, usage: { input_tokens: 9, output_tokens: 1 } } })}\n\n`)
            res.write(`event: content_block_start\ndata: {"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}}\n\n`)
            res.end(`event: content_block_delta\ndata: {"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"Hel"}}\n\n`)
            return
          }
          if (mode === 'truncated-json') {
            // No content-length: the body ends where the connection closes, mid-object.
            res.writeHead(200, { 'content-type': 'application/json', connection: 'close' })
            res.end('{"id":"c","object":"chat.completion","choices":[{"index":0,"message":{"role":"assistant","content":"Hel')
            return
          }
          res.writeHead(200, { 'content-type': 'text/event-stream' })
          res.write(chunk('Hel'))
          if (mode === 'no-done') return void res.end(chunk('lo'))
          res.write(sse({ id: 'c', object: 'chat.completion.chunk', created: 1, model: 'm', choices: [], usage: { prompt_tokens: 3, completion_tokens: 2, total_tokens: 5 } }))
          res.end('data: [DONE]\n\n')
        })
      }),
    )
    gw = await startTestGateway({
      providers: [
        { id: 'oai', kind: 'vllm', baseUrl: `${upstream.url}/v1`, models: ['m'] },
        { id: 'claude', kind: 'anthropic', baseUrl: upstream.url, apiKey: 'k', models: ['claude'] },
      ],
    })
  })
  afterAll(async () => {
    await gw.close()
    await upstream.close()
  })

  const row = (requestId: string): Promise<RequestLogEntry> => finalRow(gw, requestId)

  function breaker(provider: string): { consecutiveFailures: number; lastError?: { code: string } } {
    return gw.gateway.router.status().find((s) => s.providerId === provider)!.health as never
  }

  it.each([
    ['truncated-json', false, 'upstream_truncated'],
    ['no-done', true, 'incomplete_stream'],
  ] as const)('%s: recorded as failed (%s stream) with %s, counted in /metrics, heard by the breaker', async (m, stream, errorClass) => {
    mode = m
    const before = breaker('oai').consecutiveFailures
    const res = await postJson(gw.url, '/v1/chat/completions', { model: 'm', stream, messages: [{ role: 'user', content: 'hi' }] })
    expect(res.status).toBe(200) // what the client got; the row says the rest
    const r = await row(String(res.headers['x-request-id']))
    expect(r).toMatchObject({ state: 'error', errorClass, status: 200 })
    expect(breaker('oai').consecutiveFailures).toBe(before + 1)
    const metrics = await request(gw.url, { path: '/metrics' })
    expect(metrics.text).toMatch(new RegExp(`switchyard_request_errors_total\\{provider="oai",app="[^"]*",error="${errorClass}"\\} 1`))
  })

  it('a translated stream whose upstream ended without message_stop: the client gets an error event, the row says incomplete_stream', async () => {
    const res = await postJson(gw.url, '/v1/chat/completions', { model: 'claude', stream: true, messages: [{ role: 'user', content: 'hi' }] })
    expect(res.status).toBe(200)
    expect(res.text).toMatch(/data: \{"error":/)
    expect(res.text).not.toContain('[DONE]')
    const r = await row(String(res.headers['x-request-id']))
    expect(r).toMatchObject({ state: 'error', errorClass: 'incomplete_stream' })
    expect(breaker('claude').consecutiveFailures).toBeGreaterThan(0)
  })

  it('a whole answer stays ok', async () => {
    mode = 'fine'
    const res = await postJson(gw.url, '/v1/chat/completions', { model: 'm', stream: true, messages: [{ role: 'user', content: 'hi' }] })
    const r = await row(String(res.headers['x-request-id']))
    expect(r).toMatchObject({ state: 'ok', errorClass: null, promptTokens: 3, completionTokens: 2 })
    expect(breaker('oai').consecutiveFailures).toBe(0)
  })
})
