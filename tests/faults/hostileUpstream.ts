// A hostile upstream on loopback for the fault suite. It speaks OpenAI chat/completions/
// embeddings and Anthropic Messages well enough to be taken for a backend, and then misbehaves
// the way real servers, proxies and broken deployments do. The request's model name picks the
// fault (`fault:<name>`, passed through by the gateway's `*` route), so one server serves every
// case and the gateway needs no reconfiguration between them.
import http from 'node:http'
import zlib from 'node:zlib'
import { listenOnLoopback, readBody, type Listening } from '../helpers/server'

export interface FaultContext {
  path: string
  model: string
  stream: boolean
  /** The upstream dialect the gateway sent (a translated Anthropic client reaches /v1/chat/completions). */
  dialect: 'openai' | 'anthropic'
  headers: http.IncomingHttpHeaders
}

type Fault = (req: http.IncomingMessage, res: http.ServerResponse, ctx: FaultContext) => void | Promise<void>

const MiB = 1024 * 1024
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms))
const usage = { prompt_tokens: 11, completion_tokens: 7, total_tokens: 18 }

function chatChunk(model: string, content: string, finish: string | null = null): string {
  return `data: ${JSON.stringify({ id: 'chatcmpl-f', object: 'chat.completion.chunk', created: 1, model, choices: [{ index: 0, delta: { content }, finish_reason: finish }] })}\n\n`
}

function chatBody(model: string, content = 'fine'): string {
  return JSON.stringify({ id: 'chatcmpl-f', object: 'chat.completion', created: 1, model, choices: [{ index: 0, message: { role: 'assistant', content }, finish_reason: 'stop' }], usage })
}

const anthropicEvent = (name: string, data: object): string => `event: ${name}\ndata: ${JSON.stringify({ type: name, ...data })}\n\n`

function anthropicStream(model: string, text: string): string[] {
  return [
    anthropicEvent('message_start', { message: { id: 'msg_f', type: 'message', role: 'assistant', model, content: [], stop_reason: null, stop_sequence: null, usage: { input_tokens: 11, output_tokens: 1 } } }),
    anthropicEvent('content_block_start', { index: 0, content_block: { type: 'text', text: '' } }),
    anthropicEvent('content_block_delta', { index: 0, delta: { type: 'text_delta', text } }),
    anthropicEvent('content_block_stop', { index: 0 }),
    anthropicEvent('message_delta', { delta: { stop_reason: 'end_turn', stop_sequence: null }, usage: { output_tokens: 7 } }),
    anthropicEvent('message_stop', {}),
  ]
}

function anthropicBody(model: string): string {
  return JSON.stringify({ id: 'msg_f', type: 'message', role: 'assistant', model, content: [{ type: 'text', text: 'fine' }], stop_reason: 'end_turn', stop_sequence: null, usage: { input_tokens: 11, output_tokens: 7 } })
}

/** A correct answer in the dialect asked for. */
async function answer(res: http.ServerResponse, ctx: FaultContext, opts: { text?: string; chunkDelayMs?: number } = {}): Promise<void> {
  const text = opts.text ?? 'fine'
  if (!ctx.stream) {
    const body = ctx.dialect === 'anthropic' ? anthropicBody(ctx.model) : ctx.path.endsWith('/embeddings') ? JSON.stringify({ object: 'list', data: [{ object: 'embedding', index: 0, embedding: [0.1] }], model: ctx.model, usage: { prompt_tokens: 11, total_tokens: 11 } }) : chatBody(ctx.model, text)
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) }).end(body)
    return
  }
  res.writeHead(200, { 'content-type': 'text/event-stream' })
  const events =
    ctx.dialect === 'anthropic'
      ? anthropicStream(ctx.model, text)
      : [chatChunk(ctx.model, text), chatChunk(ctx.model, '', 'stop'), `data: ${JSON.stringify({ id: 'chatcmpl-f', object: 'chat.completion.chunk', created: 1, model: ctx.model, choices: [], usage })}\n\n`, 'data: [DONE]\n\n']
  for (const e of events) {
    if (res.destroyed) return
    res.write(e)
    if (opts.chunkDelayMs) await sleep(opts.chunkDelayMs)
  }
  res.end()
}

/** The error body of the dialect, with a message of our choosing. */
function errorBody(ctx: FaultContext, status: number, message: string): string {
  return ctx.dialect === 'anthropic'
    ? JSON.stringify({ type: 'error', error: { type: status === 429 ? 'rate_limit_error' : 'api_error', message } })
    : JSON.stringify({ error: { message, type: 'server_error', code: status } })
}

function authOf(ctx: FaultContext): string {
  return String(ctx.headers.authorization ?? ctx.headers['x-api-key'] ?? '')
}

export const FAULTS: Record<string, Fault> = {
  ok: (_req, res, ctx) => answer(res, ctx),
  'echo-model': (_req, res, ctx) => answer(res, ctx, { text: ctx.model }),
  'status-500': (_req, res, ctx) => void res.writeHead(500, { 'content-type': 'application/json' }).end(errorBody(ctx, 500, 'boom')),
  'status-500-html': (_req, res) => void res.writeHead(500, { 'content-type': 'text/html' }).end('<html><body>Internal Server Error</body></html>'),
  'status-502-empty': (_req, res) => void res.writeHead(502).end(),
  'status-429': (_req, res, ctx) => void res.writeHead(429, { 'content-type': 'application/json', 'retry-after': '1' }).end(errorBody(ctx, 429, 'slow down')),
  'status-401-echo-key': (_req, res, ctx) => void res.writeHead(401, { 'content-type': 'application/json' }).end(errorBody(ctx, 401, `invalid key: ${authOf(ctx)}; header x-goog-api-key=${String(ctx.headers['x-goog-api-key'] ?? '')}`)),
  'status-400-echo-json-escaped': (_req, res, ctx) => void res.writeHead(400, { 'content-type': 'application/json' }).end(JSON.stringify({ error: { message: JSON.stringify({ sent: authOf(ctx) }), type: 'invalid_request_error' } })),
  'status-404-gzip': (_req, res, ctx) => {
    res.writeHead(404, { 'content-type': 'application/json', 'content-encoding': 'gzip' })
    res.end(zlib.gzipSync(errorBody(ctx, 404, `model ${ctx.model} does not exist`)))
  },
  'html-200': (_req, res) => void res.writeHead(200, { 'content-type': 'text/html' }).end('<html>login page</html>'),
  'no-content-type-garbage': (_req, res) => void res.writeHead(200).end('\u0000\u0001garbage'),
  'empty-200': (_req, res) => void res.writeHead(200, { 'content-type': 'application/json', 'content-length': '0' }).end(),
  'status-204': (_req, res) => void res.writeHead(204).end(),
  'redirect-301': (_req, res) => void res.writeHead(301, { location: 'http://127.0.0.1:1/elsewhere' }).end(),
  'json-truncated': (_req, res, ctx) => {
    res.writeHead(200, { 'content-type': 'application/json', connection: 'close' })
    res.end(chatBody(ctx.model).slice(0, 40))
  },
  'json-length-mismatch': (_req, res, ctx) => {
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': '5000' })
    res.write(chatBody(ctx.model).slice(0, 30))
    setTimeout(() => res.socket?.destroy(), 30)
  },
  'json-invalid-utf8': (_req, res) => {
    const body = Buffer.concat([Buffer.from('{"id":"x","object":"chat.completion","choices":[{"index":0,"message":{"role":"assistant","content":"'), Buffer.from([0xff, 0xfe, 0xc3]), Buffer.from('"},"finish_reason":"stop"}],"usage":{"prompt_tokens":1,"completion_tokens":1}}')])
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': body.length }).end(body)
  },
  'json-not-object': (_req, res) => void res.writeHead(200, { 'content-type': 'application/json' }).end('[1,2,3]'),
  'json-deep': (_req, res) => void res.writeHead(200, { 'content-type': 'application/json' }).end(`${'['.repeat(100_000)}${']'.repeat(100_000)}`),
  'sse-malformed': (_req, res) => {
    res.writeHead(200, { 'content-type': 'text/event-stream' })
    res.end('data: {not json\n\ndata: {"choices":5}\n\ngarbage line\n\ndata: [DONE]\n\n')
  },
  'sse-giant-event': async (_req, res, ctx) => {
    res.writeHead(200, { 'content-type': 'text/event-stream' })
    const giant = Buffer.from(chatChunk(ctx.model, 'x'.repeat(9 * MiB)))
    for (let at = 0; at < giant.length; at += 256 * 1024) {
      if (res.destroyed) return
      if (!res.write(giant.subarray(at, at + 256 * 1024))) await new Promise((r) => res.once('drain', r))
    }
    res.end(`${chatChunk(ctx.model, '', 'stop')}data: [DONE]\n\n`)
  },
  'sse-no-done': (_req, res, ctx) => {
    res.writeHead(200, { 'content-type': 'text/event-stream' })
    res.end(chatChunk(ctx.model, 'half'))
  },
  'sse-error-first': (_req, res, ctx) => {
    res.writeHead(200, { 'content-type': 'text/event-stream' })
    res.end(ctx.dialect === 'anthropic' ? anthropicEvent('error', { error: { type: 'overloaded_error', message: 'Overloaded' } }) : `data: ${JSON.stringify({ error: { message: 'CUDA out of memory', type: 'InternalServerError', code: 500 } })}\n\n`)
  },
  'sse-error-mid': (_req, res, ctx) => {
    res.writeHead(200, { 'content-type': 'text/event-stream' })
    res.write(ctx.dialect === 'anthropic' ? anthropicStream(ctx.model, 'part').slice(0, 3).join('') : chatChunk(ctx.model, 'part'))
    res.end(ctx.dialect === 'anthropic' ? anthropicEvent('error', { error: { type: 'overloaded_error', message: `Overloaded ${authOf(ctx)}` } }) : `data: ${JSON.stringify({ error: { message: `decode failed for ${authOf(ctx)}`, type: 'InternalServerError', code: 500 } })}\n\n`)
  },
  'sse-reset-mid': (_req, res, ctx) => {
    res.writeHead(200, { 'content-type': 'text/event-stream' })
    res.write(chatChunk(ctx.model, 'part'))
    setTimeout(() => res.socket?.destroy(), 30)
  },
  'sse-crlf-and-cr': (_req, res, ctx) => {
    res.writeHead(200, { 'content-type': 'text/event-stream' })
    res.end(`${chatChunk(ctx.model, 'a').replace(/\n/g, '\r\n')}data: [DONE]\r\n\r\n`)
  },
  'stall-before-headers': () => undefined, // never answers: the first-byte timeout must fire
  'stall-after-headers': (_req, res, ctx) => {
    res.writeHead(200, { 'content-type': ctx.stream ? 'text/event-stream' : 'application/json' })
    if (ctx.stream) res.write(chatChunk(ctx.model, 'then silence'))
    // ...and nothing more: the idle timeout must fire
  },
  drip: async (_req, res, ctx) => {
    // One byte every 100 ms: slow, but never idle for longer than the gateway allows.
    const body = ctx.stream ? `${chatChunk(ctx.model, 'slow')}data: [DONE]\n\n` : chatBody(ctx.model, 'slow')
    res.writeHead(200, { 'content-type': ctx.stream ? 'text/event-stream' : 'application/json' })
    const bytes = Buffer.from(body)
    const step = Math.max(1, Math.ceil(bytes.length / 25)) // bounded: about 25 writes, 2.5 s
    for (let i = 0; i < bytes.length; i += step) {
      if (res.destroyed) return
      res.write(bytes.subarray(i, i + step))
      await sleep(100)
    }
    res.end()
  },
  'gzip-stream': (_req, res, ctx) => {
    res.writeHead(200, { 'content-type': 'text/event-stream', 'content-encoding': 'gzip' })
    const z = zlib.createGzip()
    z.pipe(res)
    z.end(`${chatChunk(ctx.model, 'zipped')}data: ${JSON.stringify({ id: 'c', object: 'chat.completion.chunk', created: 1, model: ctx.model, choices: [], usage })}\n\ndata: [DONE]\n\n`)
  },
  'gzip-json': (_req, res, ctx) => {
    res.writeHead(200, { 'content-type': 'application/json', 'content-encoding': 'gzip' })
    res.end(zlib.gzipSync(ctx.dialect === 'anthropic' ? anthropicBody(ctx.model) : chatBody(ctx.model, 'zipped')))
  },
  'gzip-corrupt': (_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json', 'content-encoding': 'gzip' })
    res.end('this is not gzip at all')
  },
  'huge-headers': (_req, res, ctx) => {
    res.setHeader('x-padding', 'p'.repeat(200 * 1024))
    void answer(res, ctx)
  },
  'latin1-header': (_req, res, ctx) => {
    res.setHeader('x-weird', Buffer.from([0x63, 0x61, 0x66, 0xe9]).toString('latin1')) // "café" in latin1
    void answer(res, ctx)
  },
  'many-headers': (_req, res, ctx) => {
    for (let i = 0; i < 500; i++) res.setHeader(`x-h-${i}`, String(i))
    void answer(res, ctx)
  },
  'echo-secrets-200': (_req, res, ctx) => answer(res, ctx, { text: `your key is ${authOf(ctx)}` }),
}

export interface HostileUpstream extends Listening {
  baseUrl: string
  /** Requests seen, by fault name. */
  seen: Map<string, number>
  /** Open upstream connections the gateway aborted (client gone, timeouts). */
  aborted: number
}

export async function startHostileUpstream(): Promise<HostileUpstream> {
  const seen = new Map<string, number>()
  const state = { aborted: 0 }
  const server = http.createServer((req, res) => {
    res.on('close', () => {
      if (!res.writableFinished) state.aborted++
    })
    readBody(req, (_raw, body) => {
      const path = (req.url ?? '').split('?')[0]!
      if (req.method === 'GET') {
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ object: 'list', data: [] }))
        return
      }
      const model = typeof body?.model === 'string' ? body.model : ''
      const name = model.startsWith('fault:') ? model.slice(6).split('|')[0]! : model.includes('fault:') ? model.slice(model.indexOf('fault:') + 6) : 'ok'
      seen.set(name, (seen.get(name) ?? 0) + 1)
      const fault = FAULTS[name] ?? FAULTS.ok!
      const ctx: FaultContext = { path, model, stream: body?.stream === true, dialect: path.endsWith('/messages') ? 'anthropic' : 'openai', headers: req.headers }
      void Promise.resolve(fault(req, res, ctx)).catch(() => res.destroy())
    })
  })
  const listening = await listenOnLoopback(server)
  return {
    ...listening,
    baseUrl: listening.url,
    seen,
    get aborted() {
      return state.aborted
    },
  }
}
