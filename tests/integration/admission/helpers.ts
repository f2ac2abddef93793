// Shared pieces of the admission loopback tests: an instrumented mock that records arrival order
// and concurrency, request bodies tagged so the order can be read back, and bounded polling.
import http from 'node:http'
import { sseEvents, startMockBackend, type MockBackend } from '../../helpers/mockBackend'
import type { TestGateway } from '../../helpers/gateway'

export { sleep, until } from '../../helpers/wait'

export const MODEL = 'qwen2.5-7b'

/** A chat body whose last user message names the request, so the mock can report order. */
export function chat(tag: string, extra: object = {}): Record<string, unknown> {
  return { model: MODEL, messages: [{ role: 'user', content: tag }], max_tokens: 16, ...extra }
}

/** The same for Anthropic's /v1/messages. */
export function messages(tag: string, extra: object = {}): Record<string, unknown> {
  return { model: MODEL, max_tokens: 16, messages: [{ role: 'user', content: tag }], ...extra }
}

export interface Instrumented {
  /** Requests being answered right now. */
  inFlight: number
  maxInFlight: number
  /** Tags in the order the mock received them. */
  order: string[]
  /** Arrival time (Date.now) per tag. */
  arrivedAt: Map<string, number>
  /** Headers added to every answer (learned-limit tests). */
  headers: Record<string, string>
  /** Answer with this status (and `headers`) instead of a completion, once per entry. */
  failNext: number[]
  delayMs: number
}

function tagOf(body: Record<string, unknown> | undefined): string {
  const msgs = Array.isArray(body?.messages) ? (body.messages as Array<{ content?: unknown }>) : []
  const last = msgs[msgs.length - 1]?.content
  if (typeof last === 'string') return last
  if (Array.isArray(last)) return (last as Array<{ text?: string }>).map((p) => p.text ?? '').join('')
  return '?'
}

/**
 * Takes over the mock's completion endpoint: each request is held `delayMs`, then answered as the
 * mock would (JSON or SSE, with its usage); in-flight and arrival order are recorded.
 */
export function instrument(mock: MockBackend, delayMs = 0): Instrumented {
  const state: Instrumented = { inFlight: 0, maxInFlight: 0, order: [], arrivedAt: new Map(), headers: {}, failNext: [], delayMs }
  mock.behavior.custom = (_req, res, body) => {
    const tag = tagOf(body)
    state.order.push(tag)
    state.arrivedAt.set(tag, Date.now())
    state.inFlight++
    state.maxInFlight = Math.max(state.maxInFlight, state.inFlight)
    let open = true
    const done = (): void => {
      if (!open) return
      open = false
      state.inFlight--
    }
    res.on('finish', done)
    res.on('close', done)
    const fail = state.failNext.shift()
    setTimeout(() => {
      if (res.destroyed) return
      if (fail !== undefined) {
        const payload = JSON.stringify({ error: { message: 'Rate limit reached', type: 'rate_limit_exceeded', param: null, code: 'rate_limit_exceeded' } })
        res.writeHead(fail, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload), ...state.headers })
        return res.end(payload)
      }
      const model = typeof body?.model === 'string' ? body.model : MODEL
      if (body?.stream === true) {
        res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', ...state.headers })
        for (const event of sseEvents(mock, model, '/chat/completions', body)) res.write(event)
        return res.end()
      }
      const usage = { ...mock.usage, total_tokens: mock.usage.prompt_tokens + mock.usage.completion_tokens }
      const payload = JSON.stringify({
        id: 'chatcmpl-mock',
        object: 'chat.completion',
        created: 1_732_000_001,
        model,
        choices: [{ index: 0, message: { role: 'assistant', content: `re: ${tag}` }, finish_reason: 'stop' }],
        usage,
      })
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload), ...state.headers })
      res.end(payload)
    }, state.delayMs)
  }
  return state
}

const started: MockBackend[] = []

/** Starts a vLLM mock serving MODEL, instrumented with `delayMs`; closeMocks() closes every one started. */
export async function instrumentedMock(name: string, delayMs: number): Promise<{ mock: MockBackend; seen: Instrumented }> {
  const m = await startMockBackend({ flavor: 'vllm', name, models: [MODEL] })
  started.push(m)
  return { mock: m, seen: instrument(m, delayMs) }
}

export async function closeMocks(): Promise<void> {
  await Promise.all(started.splice(0).map((m) => m.close()))
}

/** Requests waiting for admission on `provider` right now. */
export function queued(gw: TestGateway, provider: string): number {
  return gw.gateway.admission.snapshot()[provider]?.queued ?? 0
}

/**
 * Sends a request and keeps the ClientRequest, so a test can cut the connection (a client that
 * gives up) and see what arrived before that.
 */
export function openRequest(baseUrl: string, path: string, body: object, headers: Record<string, string> = {}): {
  req: http.ClientRequest
  response: Promise<{ status: number; headers: http.IncomingHttpHeaders; text: string }>
  received: () => string
} {
  const url = new URL(path, baseUrl)
  const payload = Buffer.from(JSON.stringify(body))
  let text = ''
  const req = http.request({ host: url.hostname, port: url.port, path: url.pathname, method: 'POST', agent: false, headers: { 'content-type': 'application/json', 'content-length': String(payload.length), ...headers } })
  const response = new Promise<{ status: number; headers: http.IncomingHttpHeaders; text: string }>((resolve, reject) => {
    req.on('response', (res) => {
      res.setEncoding('utf8')
      res.on('data', (c: string) => (text += c))
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text }))
      res.on('error', reject)
      res.on('aborted', () => reject(new Error('aborted')))
    })
    req.on('error', reject)
  })
  response.catch(() => undefined) // tests that abort do not await it
  req.end(payload)
  return { req, response, received: () => text }
}
