// Issue 11, defect 2: a single SSE event over 8 MiB reached the client as ~1 MB starting
// mid-event, then [DONE], status 200. The client's bytes are the upstream's bytes whatever an
// event's size; only the usage event the gateway asked for on its own account is taken out.
import http from 'node:http'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { RequestLogEntry } from '../../../src/shared/api'
import { startTestGateway, type TestGateway } from '../../helpers/gateway'
import { postJson } from '../../helpers/http'
import { listenOnLoopback, readBody, type Listening } from '../../helpers/server'

const MiB = 1024 * 1024

function chunk(content: string): string {
  return `data: ${JSON.stringify({ id: 'c1', object: 'chat.completion.chunk', created: 1, model: 'm', choices: [{ index: 0, delta: { content }, finish_reason: null }] })}\n\n`
}

describe('giant SSE events', () => {
  let upstream: Listening
  let gw: TestGateway
  let sizeMiB = 9

  beforeAll(async () => {
    upstream = await listenOnLoopback(
      http.createServer((req, res) => {
        readBody(req, async (_raw, body) => {
          const includeUsage = (body?.stream_options as { include_usage?: boolean } | undefined)?.include_usage === true
          res.writeHead(200, { 'content-type': 'text/event-stream' })
          res.write(chunk('start '))
          // One event of sizeMiB, written in 64 KiB pieces that do not end on event boundaries.
          const giant = Buffer.from(chunk('x'.repeat(sizeMiB * MiB)))
          for (let at = 0; at < giant.length; at += 64 * 1024) {
            if (!res.write(giant.subarray(at, at + 64 * 1024))) await new Promise((r) => res.once('drain', r))
          }
          res.write(chunk(' end'))
          res.write(`data: ${JSON.stringify({ id: 'c1', object: 'chat.completion.chunk', created: 1, model: 'm', choices: [{ index: 0, delta: {}, finish_reason: 'stop' }] })}\n\n`)
          if (includeUsage) res.write(`data: ${JSON.stringify({ id: 'c1', object: 'chat.completion.chunk', created: 1, model: 'm', choices: [], usage: { prompt_tokens: 7, completion_tokens: 5, total_tokens: 12 } })}\n\n`)
          res.end('data: [DONE]\n\n')
        })
      }),
    )
    gw = await startTestGateway({ providers: [{ id: 'big', kind: 'vllm', baseUrl: `${upstream.url}/v1`, models: ['m'] }] })
  })
  afterAll(async () => {
    await gw.close()
    await upstream.close()
  })

  it.each([9, 20])('relays a %i MiB event byte for byte and records exact usage', async (mib) => {
    sizeMiB = mib
    const res = await postJson(gw.url, '/v1/chat/completions', { model: 'm', stream: true, messages: [{ role: 'user', content: 'hi' }] })
    expect(res.status).toBe(200)
    const expected =
      chunk('start ') +
      chunk('x'.repeat(mib * MiB)) +
      chunk(' end') +
      `data: ${JSON.stringify({ id: 'c1', object: 'chat.completion.chunk', created: 1, model: 'm', choices: [{ index: 0, delta: {}, finish_reason: 'stop' }] })}\n\n` +
      'data: [DONE]\n\n'
    expect(res.body.length).toBe(expected.length)
    expect(res.text === expected).toBe(true)
    const rows = await waitForRow(gw, String(res.headers['x-request-id']))
    expect(rows).toMatchObject({ promptTokens: 7, completionTokens: 5, state: 'ok' })
  })
})

async function waitForRow(gw: TestGateway, requestId: string): Promise<RequestLogEntry> {
  const deadline = Date.now() + 5000
  for (;;) {
    const { items } = await gw.gateway.api.listRequests({ limit: 50 })
    const row = items.find((r) => r.requestId === requestId && r.state !== 'in_flight')
    if (row) return row
    if (Date.now() > deadline) throw new Error(`no final ledger row for ${requestId}`)
    await new Promise((r) => setTimeout(r, 50))
  }
}
