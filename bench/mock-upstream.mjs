// Mock OpenAI-compatible upstream (what vLLM's server looks like on the wire), for the bench,
// which also answers Anthropic's Messages API (for the protocol-bridge sections).
//
//   node bench/mock-upstream.mjs [--port N] [--backlog N] [--extra-ports N]
//
// Prints `listening on http://127.0.0.1:PORT` on stdout once ready (with `--extra-ports N`, the
// same server also listens on N more ports, listed on that line as `(also: URL URL ...)`: three
// "upstreams" for a 3-target route at the CPU cost of one process). Binds 127.0.0.1 only.
//
//   POST /v1/chat/completions
//     non-stream: a chat.completion JSON with usage (Content-Length set)
//     "stream": true: SSE `data: {chat.completion.chunk}` events, then a usage chunk (choices: [])
//       when stream_options.include_usage is true, then `data: [DONE]`.
//     Shape of the stream, from the body (survives any gateway) or else from headers:
//       mock_chunks / x-mock-chunks          content chunks (default 20)
//       mock_delay_ms / x-mock-delay-ms      gap between chunks, ms (default 0: all written at once)
//       mock_latency_ms / x-mock-latency-ms  wait before answering at all (default 0), e.g. a slow model
//     (The headers let a gateway's provider config shape the answer when the body is translated.)
//   POST /v1/messages                       Anthropic Messages: a `message` JSON with usage, or with
//     "stream": true its SSE sequence (message_start, content_block_start, ping, one
//     content_block_delta per chunk, content_block_stop, message_delta with usage, message_stop);
//     same shaping fields and headers.
//   GET  /v1/models, GET /health            what a provider probe expects
//   GET  /_mock/stats                       counters for the bench (peak concurrent streams,
//                                           requests per listening port, ...)
//   POST /_mock/reset                       resets those counters
import http from 'node:http'
import { parseArgs } from 'node:util'

const { values: args } = parseArgs({
  options: { port: { type: 'string', default: '0' }, backlog: { type: 'string', default: '2048' }, 'extra-ports': { type: 'string', default: '0' } },
})

const stats = { requests: 0, streams: 0, activeStreams: 0, maxConcurrentStreams: 0, aborted: 0, badRequests: 0, byPort: {} }
let seq = 0

const WORDS = ['The', ' quick', ' brown', ' fox', ' jumps', ' over', ' the', ' lazy', ' dog', '.']

function completionBody(model) {
  const id = `chatcmpl-mock${++seq}`
  const created = Math.floor(Date.now() / 1000)
  return JSON.stringify({
    id,
    object: 'chat.completion',
    created,
    model,
    choices: [
      {
        index: 0,
        message: { role: 'assistant', content: 'The quick brown fox jumps over the lazy dog. It was a bright cold day in April, and the clocks were striking thirteen.' },
        logprobs: null,
        finish_reason: 'stop',
        stop_reason: null,
      },
    ],
    usage: { prompt_tokens: 42, total_tokens: 70, completion_tokens: 28, prompt_tokens_details: null },
    prompt_logprobs: null,
  })
}

function intOr(value, fallback, max) {
  const n = Number(value)
  return Number.isFinite(n) && n >= 0 ? Math.min(Math.floor(n), max) : fallback
}

function sendJson(res, status, obj) {
  const body = JSON.stringify(obj)
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) })
  res.end(body)
}

function shape(req, body) {
  return {
    chunks: intOr(body.mock_chunks ?? req.headers['x-mock-chunks'], 20, 10_000),
    delayMs: intOr(body.mock_delay_ms ?? req.headers['x-mock-delay-ms'], 0, 60_000),
    latencyMs: intOr(body.mock_latency_ms ?? req.headers['x-mock-latency-ms'], 0, 60_000),
  }
}

/** Runs `fn` after the request's mock latency (at once without one), unless the client left meanwhile. */
function afterLatency(req, res, body, fn) {
  const { latencyMs } = shape(req, body)
  if (latencyMs === 0) return fn()
  const timer = setTimeout(() => {
    if (!res.destroyed) fn()
  }, latencyMs)
  res.on('close', () => clearTimeout(timer))
}

function openStream(res) {
  stats.streams++
  stats.activeStreams++
  if (stats.activeStreams > stats.maxConcurrentStreams) stats.maxConcurrentStreams = stats.activeStreams
  res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache' })
  let ended = false
  let timer
  const finish = () => {
    if (ended) return
    ended = true
    stats.activeStreams--
  }
  res.on('close', () => {
    if (!res.writableFinished) stats.aborted++
    clearTimeout(timer)
    finish()
  })
  return { finish, setTimer: (t) => (timer = t) }
}

/** Writes event(0), then event(1..chunks) `delayMs` apart (or all at once), then tail() with the last. */
function paced(res, { chunks, delayMs }, s, event, tail) {
  let i = 0
  const step = () => {
    if (res.destroyed) return
    res.write(event(i))
    if (i === chunks) {
      res.end(tail())
      s.finish()
      return
    }
    i++
    if (delayMs === 0) step()
    else s.setTimer(setTimeout(step, delayMs))
  }
  step()
}

function anthropicMessage(res, model) {
  const body = JSON.stringify({
    id: `msg_mock${++seq}`,
    type: 'message',
    role: 'assistant',
    model,
    content: [{ type: 'text', text: 'The quick brown fox jumps over the lazy dog. It was a bright cold day in April, and the clocks were striking thirteen.' }],
    stop_reason: 'end_turn',
    stop_sequence: null,
    usage: { input_tokens: 42, output_tokens: 28, cache_creation_input_tokens: 0, cache_read_input_tokens: 0 },
  })
  res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), 'request-id': `req_mock${seq}` })
  res.end(body)
}

const sse = (type, data) => `event: ${type}\ndata: ${data}\n\n`

function anthropicStream(req, res, body) {
  const sh = shape(req, body)
  const model = typeof body.model === 'string' ? body.model : 'mock'
  const id = `msg_mock${++seq}`
  const s = openStream(res)
  const event = (n) => {
    if (n === 0) {
      return (
        sse('message_start', `{"type":"message_start","message":{"id":"${id}","type":"message","role":"assistant","model":${JSON.stringify(model)},"content":[],"stop_reason":null,"stop_sequence":null,"usage":{"input_tokens":42,"output_tokens":1,"cache_creation_input_tokens":0,"cache_read_input_tokens":0}}}`) +
        sse('content_block_start', '{"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}}') +
        sse('ping', '{"type":"ping"}')
      )
    }
    return sse('content_block_delta', `{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":${JSON.stringify(WORDS[(n - 1) % WORDS.length])}}}`)
  }
  const tail = () =>
    sse('content_block_stop', '{"type":"content_block_stop","index":0}') +
    sse('message_delta', `{"type":"message_delta","delta":{"stop_reason":"end_turn","stop_sequence":null},"usage":{"output_tokens":${sh.chunks}}}`) +
    sse('message_stop', '{"type":"message_stop"}')
  paced(res, sh, s, event, tail)
}

function stream(req, res, body) {
  const { chunks, delayMs } = shape(req, body)
  const includeUsage = body.stream_options?.include_usage === true
  const model = typeof body.model === 'string' ? body.model : 'mock'
  const id = `chatcmpl-mock${++seq}`
  const created = Math.floor(Date.now() / 1000)
  const head = `data: {"id":"${id}","object":"chat.completion.chunk","created":${created},"model":${JSON.stringify(model)},"choices":[{"index":0,"delta":`
  const s = openStream(res)
  const event = (n) => {
    const delta = n === 0 ? `{"role":"assistant","content":""}` : `{"content":${JSON.stringify(WORDS[(n - 1) % WORDS.length])}}`
    const finishReason = n === chunks ? '"stop"' : 'null'
    return `${head}${delta},"logprobs":null,"finish_reason":${finishReason}}]}\n\n`
  }
  const tail = () => {
    let out = ''
    if (includeUsage) {
      out += `data: {"id":"${id}","object":"chat.completion.chunk","created":${created},"model":${JSON.stringify(model)},"choices":[],"usage":{"prompt_tokens":42,"total_tokens":${42 + chunks},"completion_tokens":${chunks}}}\n\n`
    }
    return out + 'data: [DONE]\n\n'
  }
  // Chunk 0 is the role chunk; chunks 1..N carry content, the last one with finish_reason.
  paced(res, { chunks, delayMs }, s, event, tail)
}

const server = http.createServer({ keepAlive: true, noDelay: true }, (req, res) => {
  const path = req.url ?? '/'
  if (req.method === 'POST') {
    const port = req.socket.localPort
    stats.byPort[port] = (stats.byPort[port] ?? 0) + 1
  }
  if (req.method === 'POST' && path === '/v1/messages') {
    const chunks = []
    req.on('data', (c) => chunks.push(c))
    req.on('end', () => {
      stats.requests++
      let body
      try {
        body = JSON.parse(Buffer.concat(chunks).toString('utf8'))
      } catch {
        stats.badRequests++
        sendJson(res, 400, { type: 'error', error: { type: 'invalid_request_error', message: 'malformed JSON' } })
        return
      }
      afterLatency(req, res, body, () => (body.stream === true ? anthropicStream(req, res, body) : anthropicMessage(res, typeof body.model === 'string' ? body.model : 'mock')))
    })
    return
  }
  if (req.method === 'POST' && (path === '/v1/chat/completions' || path === '/chat/completions')) {
    const chunks = []
    req.on('data', (c) => chunks.push(c))
    req.on('end', () => {
      stats.requests++
      let body
      try {
        body = JSON.parse((chunks.length === 1 ? chunks[0] : Buffer.concat(chunks)).toString('utf8'))
      } catch {
        stats.badRequests++
        sendJson(res, 400, { error: { message: 'malformed JSON', type: 'invalid_request_error', code: null } })
        return
      }
      afterLatency(req, res, body, () => {
        if (body.stream === true) stream(req, res, body)
        else {
          const out = completionBody(typeof body.model === 'string' ? body.model : 'mock')
          res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(out) })
          res.end(out)
        }
      })
    })
    return
  }
  if (req.method === 'GET' && path === '/v1/models') {
    sendJson(res, 200, { object: 'list', data: [{ id: 'bench-model', object: 'model', created: 0, owned_by: 'vllm' }] })
    return
  }
  if (req.method === 'GET' && path === '/health') {
    res.writeHead(200, { 'content-length': '0' })
    res.end()
    return
  }
  if (req.method === 'GET' && path === '/_mock/stats') {
    sendJson(res, 200, stats)
    return
  }
  if (req.method === 'POST' && path === '/_mock/reset') {
    req.resume()
    stats.requests = stats.streams = stats.aborted = stats.badRequests = 0
    stats.byPort = {}
    stats.maxConcurrentStreams = stats.activeStreams
    sendJson(res, 200, stats)
    return
  }
  sendJson(res, 404, { error: { message: `no route for ${path}`, type: 'invalid_request_error', code: null } })
})
server.keepAliveTimeout = 30_000

// The extra ports are more listening sockets of the same server (same handler, same process).
const listenOn = (port) => new Promise((resolve) => server.listen({ host: '127.0.0.1', port, backlog: Number(args.backlog) }, resolve))
const extras = []
const extraCount = Math.min(16, Math.max(0, Number(args['extra-ports']) || 0))
await listenOn(Number(args.port))
const mainPort = server.address().port
for (let i = 0; i < extraCount; i++) {
  const extra = http.createServer({ keepAlive: true, noDelay: true }, (req, res) => server.emit('request', req, res))
  extra.keepAliveTimeout = 30_000
  await new Promise((resolve) => extra.listen({ host: '127.0.0.1', port: 0, backlog: Number(args.backlog) }, resolve))
  extras.push(extra)
}
const also = extras.map((x) => `http://127.0.0.1:${x.address().port}`)
process.stdout.write(`listening on http://127.0.0.1:${mainPort}${also.length ? ` (also: ${also.join(' ')})` : ''}\n`)

const stop = () => {
  let open = 1 + extras.length
  const closed = () => --open === 0 && process.exit(0)
  for (const x of [server, ...extras]) {
    x.close(closed)
    x.closeAllConnections()
  }
}
process.on('SIGTERM', stop)
process.on('SIGINT', stop)
