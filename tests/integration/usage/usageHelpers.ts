// Shared by the usage integration tests: reading a request's ledger row back through the app API
// (after flushing the batch), and a streaming client that hangs up part way.
import http from 'node:http'
import type { RequestLogEntry } from '../../../src/shared/api'
import type { Gateway } from '../../../src/main/gateway/createGateway'

/**
 * The finished ledger row of one request (by its x-request-id), read through gateway.api after a
 * flush. Metering finishes just after the response (off the client's path), so this polls, bounded.
 */
export async function ledgerRow(gateway: Gateway, requestId: string | string[] | undefined, timeoutMs = 3000): Promise<RequestLogEntry> {
  if (typeof requestId !== 'string') throw new Error('response had no x-request-id')
  const deadline = Date.now() + timeoutMs
  for (;;) {
    gateway.usage.ledger.flushAll()
    const { items } = await gateway.api.listRequests({ limit: 1000 })
    const row = items.find((r) => r.requestId === requestId)
    if (row && row.state !== 'in_flight') return row
    if (Date.now() > deadline) throw new Error(`no finished ledger row for ${requestId} (have: ${row ? row.state : 'nothing'})`)
    await new Promise((r) => setTimeout(r, 10))
  }
}

/** Every ledger row of a request id (a failed-over request must have exactly one). */
export async function ledgerRowsFor(gateway: Gateway, requestId: string): Promise<RequestLogEntry[]> {
  gateway.usage.ledger.flushAll()
  const { items } = await gateway.api.listRequests({ limit: 1000 })
  return items.filter((r) => r.requestId === requestId)
}

export interface PartialStream {
  /** 0 when the response had not even begun. */
  status: number
  headers: http.IncomingHttpHeaders
  /** The bytes received before hanging up. */
  text: string
}

/**
 * POSTs a streaming request and hangs up (destroys the socket) as soon as `enough(textSoFar)`
 * says so, or `timeoutMs` after sending it.
 */
export function streamThenHangUp(baseUrl: string, path: string, body: object, enough: (text: string) => boolean, headers: Record<string, string> = {}, timeoutMs = 5000): Promise<PartialStream> {
  const url = new URL(path, baseUrl)
  const payload = Buffer.from(JSON.stringify(body))
  return new Promise((resolve, reject) => {
    let status = 0
    let responseHeaders: http.IncomingHttpHeaders = {}
    let text = ''
    let settled = false
    const finish = (): void => {
      if (settled) return
      settled = true
      clearTimeout(timer)
      req.destroy()
      resolve({ status, headers: responseHeaders, text })
    }
    const timer = setTimeout(finish, timeoutMs)
    const req = http.request(
      { host: url.hostname, port: url.port, path: url.pathname, method: 'POST', agent: false, headers: { 'content-type': 'application/json', 'content-length': String(payload.length), ...headers } },
      (res) => {
        status = res.statusCode ?? 0
        responseHeaders = res.headers
        res.on('data', (c: Buffer) => {
          text += c.toString('utf8')
          if (enough(text)) finish()
        })
        res.on('end', finish)
        res.on('error', () => undefined)
      },
    )
    req.on('error', (err) => {
      if (!settled) {
        settled = true
        clearTimeout(timer)
        reject(err)
      }
    })
    req.end(payload)
  })
}

/** The concatenated `delta.content` of an OpenAI SSE text (what the client was shown). */
export function openAIStreamText(sse: string): string {
  let out = ''
  for (const event of sse.split('\n\n')) {
    const line = event.split('\n').find((l) => l.startsWith('data: '))
    if (!line || line === 'data: [DONE]') continue
    try {
      const doc = JSON.parse(line.slice(6)) as { choices?: Array<{ delta?: { content?: string } }> }
      out += doc.choices?.[0]?.delta?.content ?? ''
    } catch {
      // a partial last event
    }
  }
  return out
}

/** The concatenated text deltas of an Anthropic SSE text. */
export function anthropicStreamText(sse: string): string {
  let out = ''
  for (const event of sse.split('\n\n')) {
    const line = event.split('\n').find((l) => l.startsWith('data: '))
    if (!line) continue
    try {
      const doc = JSON.parse(line.slice(6)) as { type?: string; delta?: { type?: string; text?: string } }
      if (doc.type === 'content_block_delta' && doc.delta?.type === 'text_delta') out += doc.delta.text ?? ''
    } catch {
      // a partial last event
    }
  }
  return out
}
