// Mock OpenAI-compatible upstream (what vLLM's server looks like on the wire), for the bench.
//
//   node bench/mock-upstream.mjs [--port N] [--backlog N]
//
// Prints `listening on http://127.0.0.1:PORT` on stdout once ready. Binds 127.0.0.1 only.
//
//   POST /v1/chat/completions
//     non-stream: a chat.completion JSON with usage (Content-Length set)
//     "stream": true: SSE `data: {chat.completion.chunk}` events, then a usage chunk (choices: [])
//       when stream_options.include_usage is true, then `data: [DONE]`.
//     Shape of the stream, from the body (survives any gateway) or else from headers:
//       mock_chunks / x-mock-chunks          content chunks (default 20)
//       mock_delay_ms / x-mock-delay-ms      gap between chunks, ms (default 0: all written at once)
//   GET  /v1/models, GET /health            what a provider probe expects
//   GET  /_mock/stats                       counters for the bench (peak concurrent streams, ...)
//   POST /_mock/reset                       resets those counters
import http from 'node:http'
import { parseArgs } from 'node:util'

const { values: args } = parseArgs({
  options: { port: { type: 'string', default: '0' }, backlog: { type: 'string', default: '2048' } },
})

const stats = { requests: 0, streams: 0, activeStreams: 0, maxConcurrentStreams: 0, aborted: 0, badRequests: 0 }
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

function stream(req, res, body) {
  const chunks = intOr(body.mock_chunks ?? req.headers['x-mock-chunks'], 20, 10_000)
  const delayMs = intOr(body.mock_delay_ms ?? req.headers['x-mock-delay-ms'], 0, 60_000)
  const includeUsage = body.stream_options?.include_usage === true
  const model = typeof body.model === 'string' ? body.model : 'mock'
  const id = `chatcmpl-mock${++seq}`
  const created = Math.floor(Date.now() / 1000)
  const head = `data: {"id":"${id}","object":"chat.completion.chunk","created":${created},"model":${JSON.stringify(model)},"choices":[{"index":0,"delta":`
  stats.streams++
  stats.activeStreams++
  if (stats.activeStreams > stats.maxConcurrentStreams) stats.maxConcurrentStreams = stats.activeStreams
  res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache' })
  let i = 0
  let timer
  let ended = false
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
  const step = () => {
    if (res.destroyed) return
    res.write(event(i))
    if (i === chunks) {
      res.end(tail())
      finish()
      return
    }
    i++
    if (delayMs === 0) step()
    else timer = setTimeout(step, delayMs)
  }
  step()
}

const server = http.createServer({ keepAlive: true, noDelay: true }, (req, res) => {
  const path = req.url ?? '/'
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
      if (body.stream === true) stream(req, res, body)
      else {
        const out = completionBody(typeof body.model === 'string' ? body.model : 'mock')
        res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(out) })
        res.end(out)
      }
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
    stats.maxConcurrentStreams = stats.activeStreams
    sendJson(res, 200, stats)
    return
  }
  sendJson(res, 404, { error: { message: `no route for ${path}`, type: 'invalid_request_error', code: null } })
})
server.keepAliveTimeout = 30_000

server.listen({ host: '127.0.0.1', port: Number(args.port), backlog: Number(args.backlog) }, () => {
  process.stdout.write(`listening on http://127.0.0.1:${server.address().port}\n`)
})

const stop = () => {
  server.close(() => process.exit(0))
  server.closeAllConnections()
}
process.on('SIGTERM', stop)
process.on('SIGINT', stop)
