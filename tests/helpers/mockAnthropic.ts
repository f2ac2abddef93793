// A mock Anthropic Messages API on loopback, speaking the documented wire format: POST
// /v1/messages (JSON, or SSE with message_start, content_block_start / content_block_delta
// (text_delta, input_json_delta, thinking_delta, signature_delta) / content_block_stop, ping,
// message_delta with usage, message_stop), POST /v1/messages/count_tokens, GET /v1/models, and
// errors as `{"type":"error","error":{type,message},"request_id"}` with Anthropic's statuses. It
// checks what the real API checks that a gateway could get wrong (x-api-key, anthropic-version,
// max_tokens, tool_result pairing), records every request with its headers, and keeps the exact
// bytes it sent so passthrough can be compared byte for byte.
import http from 'node:http'
import { json, listenOnLoopback, readBody } from './server'

export type MockBlock =
  | { type: 'text'; text: string }
  | { type: 'thinking'; thinking: string; signature: string }
  | { type: 'tool_use'; id: string; name: string; input: Record<string, unknown> }

export interface MockUsage {
  input_tokens: number
  output_tokens: number
  cache_creation_input_tokens?: number
  cache_read_input_tokens?: number
}

export interface MockTurn {
  content: MockBlock[]
  stopReason?: 'end_turn' | 'max_tokens' | 'stop_sequence' | 'tool_use' | 'refusal' | 'pause_turn'
  stopSequence?: string | null
  usage?: MockUsage
}

export interface AnthropicBehavior {
  /** What the model answers (a function sees the request body). */
  reply: MockTurn | ((body: Record<string, unknown>) => MockTurn)
  /** Text, thinking and tool JSON are sent in deltas of at most this many characters. */
  deltaChars: number
  /** Write each stream's bytes in pieces of at most this many bytes (events and UTF-8 split across reads). */
  writeBytes?: number
  chunkDelayMs: number
  headerDelayMs: number
  /** Answer /v1/messages with this status and Anthropic's error body. */
  errorStatus?: number
  errorMessage?: string
  retryAfterSec?: number
  /** Streams: after this many events, send `event: error` with this type and stop. */
  midStreamError?: { afterEvents: number; type: string; message: string }
  /** Streams: after this many events, cut the connection. */
  cutAfterEvents?: number
  /** Only this key is accepted (401 authentication_error otherwise). */
  requireKey?: string
  /** Take over completely. */
  custom?: (req: http.IncomingMessage, res: http.ServerResponse, body: Record<string, unknown> | undefined) => void
}

export interface RecordedAnthropicRequest {
  method: string
  path: string
  headers: http.IncomingHttpHeaders
  body: Record<string, unknown> | undefined
  rawBody: string
  /** Exactly what the mock wrote back as the body. */
  sent: string
  abortedAt?: number
}

export interface MockAnthropic {
  url: string
  /** A provider baseUrl for it: the API root, as Anthropic's SDK docs give it. */
  baseUrl: string
  requests: RecordedAnthropicRequest[]
  behavior: AnthropicBehavior
  /** The last /v1/messages request. */
  last(): RecordedAnthropicRequest
  reset(): void
  close(): Promise<void>
}

export const MOCK_MESSAGE_ID = 'msg_01XFDUDYJgAACzvnptvVoYEL'
export const MOCK_REQUEST_ID = 'req_011CSHoEeqs5C35K2UUqR7Fy'

const DEFAULT_TURN: MockTurn = { content: [{ type: 'text', text: 'Hello from Claude' }], stopReason: 'end_turn', usage: { input_tokens: 25, output_tokens: 6 } }

function defaultBehavior(): AnthropicBehavior {
  return { reply: DEFAULT_TURN, deltaChars: 5, chunkDelayMs: 0, headerDelayMs: 0 }
}

export async function startMockAnthropic(opts: { models?: string[] } = {}): Promise<MockAnthropic> {
  const models = opts.models ?? ['claude-sonnet-4-5']
  const requests: RecordedAnthropicRequest[] = []
  const server = http.createServer((req, res) => {
    readBody(req, (rawBody, body) => {
      const record: RecordedAnthropicRequest = { method: req.method ?? '', path: req.url ?? '', headers: req.headers, body, rawBody, sent: '' }
      requests.push(record)
      // Record exactly what goes out, whichever way it is written.
      // Bytes, not strings: writes may split a UTF-8 character.
      const out: Buffer[] = []
      const keep = (chunk: unknown): void => {
        if (typeof chunk === 'string' || Buffer.isBuffer(chunk)) {
          out.push(Buffer.from(chunk))
          record.sent = Buffer.concat(out).toString('utf8')
        }
      }
      const write = res.write.bind(res) as (...a: unknown[]) => boolean
      res.write = ((chunk: unknown, ...rest: unknown[]) => {
        keep(chunk)
        return write(chunk, ...rest)
      }) as typeof res.write
      const end = res.end.bind(res) as (...a: unknown[]) => http.ServerResponse
      res.end = ((chunk?: unknown, ...rest: unknown[]) => {
        keep(chunk)
        return end(chunk, ...rest)
      }) as typeof res.end
      res.on('close', () => {
        if (!res.writableFinished) record.abortedAt = Date.now()
      })
      route(mock, models, record, req, res, body)
    })
  })
  const { url, close } = await listenOnLoopback(server)
  const mock: MockAnthropic = {
    url,
    baseUrl: url,
    requests,
    behavior: defaultBehavior(),
    last() {
      const r = requests.filter((q) => q.path.split('?')[0] === '/v1/messages').at(-1)
      if (!r) throw new Error('mock Anthropic got no /v1/messages request')
      return r
    },
    reset() {
      requests.length = 0
      mock.behavior = defaultBehavior()
    },
    close,
  }
  return mock
}

function route(mock: MockAnthropic, models: string[], record: RecordedAnthropicRequest, req: http.IncomingMessage, res: http.ServerResponse, body: Record<string, unknown> | undefined): void {
  const path = (req.url ?? '').split('?')[0]
  const b = mock.behavior
  if (req.method === 'GET' && path === '/v1/models') {
    const data = models.map((id) => ({ type: 'model', id, display_name: id, created_at: '2025-09-29T00:00:00Z' }))
    return json(res, 200, { data, has_more: false, first_id: data[0]?.id ?? null, last_id: data.at(-1)?.id ?? null })
  }
  if (b.custom) return b.custom(req, res, body)
  if (req.method !== 'POST' || (path !== '/v1/messages' && path !== '/v1/messages/count_tokens')) {
    return error(res, 404, 'not_found_error', `Not Found: ${req.method} ${path}`)
  }
  const key = req.headers['x-api-key']
  if (typeof key !== 'string' || key === '') return error(res, 401, 'authentication_error', 'x-api-key header is required')
  if (b.requireKey !== undefined && key !== b.requireKey) return error(res, 401, 'authentication_error', 'invalid x-api-key')
  if (typeof req.headers['anthropic-version'] !== 'string') return error(res, 400, 'invalid_request_error', 'anthropic-version: header is required')
  if (!body) return error(res, 400, 'invalid_request_error', 'There was an error parsing the body of your request')
  const invalid = validate(body, path === '/v1/messages/count_tokens')
  if (invalid) return error(res, 400, 'invalid_request_error', invalid)
  const model = String(body.model)
  if (!models.includes(model)) return error(res, 404, 'not_found_error', `model: ${model}`)
  if (path === '/v1/messages/count_tokens') return json(res, 200, { input_tokens: Math.ceil(record.rawBody.length / 4) })
  setTimeout(() => {
    if (b.errorStatus !== undefined) {
      return error(res, b.errorStatus, errorTypeFor(b.errorStatus), b.errorMessage ?? `mock failure ${b.errorStatus}`, b.retryAfterSec)
    }
    const turn = typeof b.reply === 'function' ? b.reply(body) : b.reply
    if (body.stream === true) return void stream(b, res, model, turn)
    json(res, 200, message(model, turn), { 'request-id': MOCK_REQUEST_ID })
  }, b.headerDelayMs)
}

/** What the real API rejects and a translating gateway could plausibly get wrong. */
function validate(body: Record<string, unknown>, countTokens: boolean): string | undefined {
  if (typeof body.model !== 'string') return 'model: Field required'
  if (!countTokens && typeof body.max_tokens !== 'number') return 'max_tokens: Field required'
  const messages = body.messages
  if (!Array.isArray(messages) || messages.length === 0) return 'messages: at least one message is required'
  for (let i = 0; i < messages.length; i++) {
    const m = messages[i] as { role?: unknown; content?: unknown }
    if (m.role !== 'user' && m.role !== 'assistant') return `messages.${i}.role: Input should be 'user' or 'assistant'`
    if (typeof m.content !== 'string' && !Array.isArray(m.content)) return `messages.${i}.content: Field required`
    if (Array.isArray(m.content)) {
      for (const block of m.content as Array<Record<string, unknown>>) {
        if (block.type === 'text' && (typeof block.text !== 'string' || block.text === '')) return `messages.${i}: text content blocks must be non-empty`
        if (block.type === 'tool_use' && !/^[a-zA-Z0-9_-]+$/.test(String(block.id))) return `messages.${i}.content: tool_use.id: String should match pattern '^[a-zA-Z0-9_-]+$'`
      }
    }
    // Every tool_use must be answered by a tool_result in the very next (user) message.
    if (m.role === 'assistant' && Array.isArray(m.content)) {
      const ids = (m.content as Array<Record<string, unknown>>).filter((b) => b.type === 'tool_use').map((b) => b.id)
      if (ids.length > 0 && i + 1 < messages.length) {
        const next = messages[i + 1] as { role?: unknown; content?: unknown }
        const results = Array.isArray(next.content) ? (next.content as Array<Record<string, unknown>>).filter((b) => b.type === 'tool_result').map((b) => b.tool_use_id) : []
        const missing = ids.filter((id) => !results.includes(id))
        if (next.role !== 'user' || missing.length > 0) {
          return `messages.${i + 1}: \`tool_use\` ids were found without \`tool_result\` blocks immediately after: ${missing.join(', ')}. Each \`tool_use\` block must have a corresponding \`tool_result\` block in the next message.`
        }
        const content = next.content as Array<Record<string, unknown>>
        const firstOther = content.findIndex((b) => b.type !== 'tool_result')
        if (firstOther !== -1 && content.slice(firstOther).some((b) => b.type === 'tool_result')) {
          return `messages.${i + 1}: tool_result blocks must come before any other content`
        }
      }
    }
  }
  if (body.system !== undefined && typeof body.system !== 'string' && !Array.isArray(body.system)) return 'system: Input should be a valid string or list'
  return undefined
}

function errorTypeFor(status: number): string {
  switch (status) {
    case 400:
      return 'invalid_request_error'
    case 401:
      return 'authentication_error'
    case 403:
      return 'permission_error'
    case 404:
      return 'not_found_error'
    case 413:
      return 'request_too_large'
    case 429:
      return 'rate_limit_error'
    case 504:
      return 'timeout_error'
    case 529:
      return 'overloaded_error'
    default:
      return 'api_error'
  }
}

function usageOf(turn: MockTurn): Required<MockUsage> {
  return { cache_creation_input_tokens: 0, cache_read_input_tokens: 0, ...(turn.usage ?? { input_tokens: 10, output_tokens: 5 }) }
}

function message(model: string, turn: MockTurn): unknown {
  const u = usageOf(turn)
  return {
    id: MOCK_MESSAGE_ID,
    type: 'message',
    role: 'assistant',
    model,
    content: turn.content.map((b) => (b.type === 'thinking' ? { type: 'thinking', thinking: b.thinking, signature: b.signature } : b)),
    stop_reason: turn.stopReason ?? (turn.content.some((b) => b.type === 'tool_use') ? 'tool_use' : 'end_turn'),
    stop_sequence: turn.stopSequence ?? null,
    usage: { input_tokens: u.input_tokens, cache_creation_input_tokens: u.cache_creation_input_tokens, cache_read_input_tokens: u.cache_read_input_tokens, output_tokens: u.output_tokens, service_tier: 'standard' },
  }
}

function pieces(text: string, size: number): string[] {
  const out: string[] = []
  const chars = [...text] // never split a surrogate pair inside one JSON string
  for (let i = 0; i < chars.length; i += size) out.push(chars.slice(i, i + size).join(''))
  return out
}

function sse(payload: { type: string }): string {
  return `event: ${payload.type}\ndata: ${JSON.stringify(payload)}\n\n`
}

/** The event sequence the API sends for one turn. */
export function streamEvents(model: string, turn: MockTurn, deltaChars = 5): string[] {
  const u = usageOf(turn)
  const events: string[] = [
    sse({
      type: 'message_start',
      message: {
        id: MOCK_MESSAGE_ID,
        type: 'message',
        role: 'assistant',
        model,
        content: [],
        stop_reason: null,
        stop_sequence: null,
        usage: { input_tokens: u.input_tokens, cache_creation_input_tokens: u.cache_creation_input_tokens, cache_read_input_tokens: u.cache_read_input_tokens, output_tokens: 1, service_tier: 'standard' },
      },
    } as { type: string }),
  ]
  turn.content.forEach((block, index) => {
    if (block.type === 'text') {
      events.push(sse({ type: 'content_block_start', index, content_block: { type: 'text', text: '' } } as { type: string }))
      if (index === 0) events.push('event: ping\ndata: {"type": "ping"}\n\n')
      for (const p of pieces(block.text, deltaChars)) events.push(sse({ type: 'content_block_delta', index, delta: { type: 'text_delta', text: p } } as { type: string }))
    } else if (block.type === 'thinking') {
      events.push(sse({ type: 'content_block_start', index, content_block: { type: 'thinking', thinking: '', signature: '' } } as { type: string }))
      for (const p of pieces(block.thinking, deltaChars)) events.push(sse({ type: 'content_block_delta', index, delta: { type: 'thinking_delta', thinking: p } } as { type: string }))
      events.push(sse({ type: 'content_block_delta', index, delta: { type: 'signature_delta', signature: block.signature } } as { type: string }))
    } else {
      events.push(sse({ type: 'content_block_start', index, content_block: { type: 'tool_use', id: block.id, name: block.name, input: {} } } as { type: string }))
      events.push(sse({ type: 'content_block_delta', index, delta: { type: 'input_json_delta', partial_json: '' } } as { type: string }))
      for (const p of pieces(JSON.stringify(block.input), deltaChars)) events.push(sse({ type: 'content_block_delta', index, delta: { type: 'input_json_delta', partial_json: p } } as { type: string }))
    }
    events.push(sse({ type: 'content_block_stop', index } as { type: string }))
  })
  const stopReason = turn.stopReason ?? (turn.content.some((b) => b.type === 'tool_use') ? 'tool_use' : 'end_turn')
  events.push(sse({ type: 'message_delta', delta: { stop_reason: stopReason, stop_sequence: turn.stopSequence ?? null }, usage: { output_tokens: u.output_tokens } } as { type: string }))
  events.push(sse({ type: 'message_stop' }))
  return events
}

async function stream(b: AnthropicBehavior, res: http.ServerResponse, model: string, turn: MockTurn): Promise<void> {
  res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache', connection: 'keep-alive', 'request-id': MOCK_REQUEST_ID })
  const events = streamEvents(model, turn, b.deltaChars)
  for (let i = 0; i < events.length; i++) {
    if (res.destroyed) return
    if (b.midStreamError && i === b.midStreamError.afterEvents) {
      const { type, message } = b.midStreamError
      res.end(`event: error\ndata: ${JSON.stringify({ type: 'error', error: { type, message }, request_id: MOCK_REQUEST_ID })}\n\n`)
      return
    }
    if (b.cutAfterEvents !== undefined && i === b.cutAfterEvents) {
      // Close after what was written is flushed (a FIN, not a reset that could discard sent bytes):
      // the stream then ends without its chunked terminator, exactly at `sent`.
      res.socket?.destroySoon()
      return
    }
    const bytes = Buffer.from(events[i]!, 'utf8')
    const size = b.writeBytes ?? bytes.length
    for (let off = 0; off < bytes.length; off += size) {
      res.write(bytes.subarray(off, off + size))
      if (b.writeBytes !== undefined) await new Promise((r) => setImmediate(r))
    }
    if (b.chunkDelayMs > 0) await new Promise((r) => setTimeout(r, b.chunkDelayMs))
  }
  res.end()
}

function error(res: http.ServerResponse, status: number, type: string, message: string, retryAfterSec?: number): void {
  const headers: Record<string, string> = { 'request-id': MOCK_REQUEST_ID, 'x-should-retry': status === 429 || status >= 500 ? 'true' : 'false' }
  if (retryAfterSec !== undefined) headers['retry-after'] = String(retryAfterSec)
  json(res, status, { type: 'error', error: { type, message }, request_id: MOCK_REQUEST_ID }, headers)
}
