// The bench's reference proxy: a minimal node:http server and one undici Pool that only pipe
// bytes -- no routing, no logging, no metering. It shows what plain Node does on this machine,
// so the gateway's cost can be stated as a ratio to it.
//
//   node bench/passthrough.mjs --upstream http://127.0.0.1:PORT [--port N]
//
// Prints `listening on http://127.0.0.1:PORT` on stdout once ready. Binds 127.0.0.1 only.
// Same socket settings as the gateway (noDelay, keep-alive 30 s, default listen backlog, an
// unbounded keep-alive pool upstream), the lowest-overhead undici API (dispatch with a raw
// handler), backpressure (a slow client pauses the upstream read) and client-abort propagation.
import http from 'node:http'
import { parseArgs } from 'node:util'
import { Pool } from 'undici'

const { values: args } = parseArgs({
  options: { upstream: { type: 'string' }, port: { type: 'string', default: '0' } },
})
if (!args.upstream) {
  process.stderr.write('usage: passthrough.mjs --upstream http://127.0.0.1:PORT [--port N]\n')
  process.exit(2)
}

const pool = new Pool(args.upstream, {
  connections: null,
  pipelining: 1,
  keepAliveTimeout: 30_000,
  headersTimeout: 0,
  bodyTimeout: 0,
})

const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'te', 'trailer', 'upgrade', 'host', 'content-length'])
const KEEP_RESPONSE_LENGTH = new Set(['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'te', 'trailer', 'upgrade'])

class PipeHandler {
  constructor(res) {
    this.res = res
    this.abort = null
    this.resume = null
  }

  onConnect(abort) {
    this.abort = abort
    if (this.res.destroyed) abort(new Error('client went away'))
  }

  onHeaders(status, rawHeaders, resume) {
    if (status < 200) return true
    const out = []
    for (let i = 0; i < rawHeaders.length; i += 2) {
      const name = rawHeaders[i].toString('latin1')
      if (KEEP_RESPONSE_LENGTH.has(name.toLowerCase())) continue
      out.push(name, rawHeaders[i + 1].toString('latin1'))
    }
    this.res.writeHead(status, out)
    this.resume = resume
    return true
  }

  onData(chunk) {
    if (this.res.write(chunk)) return true
    this.res.once('drain', this.resume)
    return false
  }

  onComplete() {
    this.res.end()
  }

  onError(err) {
    const res = this.res
    if (res.destroyed) return
    if (res.headersSent) {
      res.destroy(err)
      return
    }
    const body = JSON.stringify({ error: { message: `upstream: ${err.message}`, type: 'bad_gateway', code: null } })
    res.writeHead(502, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) })
    res.end(body)
  }
}

const server = http.createServer({ keepAlive: true, noDelay: true }, (req, res) => {
  const chunks = []
  req.on('data', (c) => chunks.push(c))
  req.on('end', () => {
    const headers = {}
    for (const name in req.headers) if (!HOP_BY_HOP.has(name)) headers[name] = req.headers[name]
    const handler = new PipeHandler(res)
    res.on('close', () => {
      if (!res.writableFinished && handler.abort) handler.abort(new Error('client went away'))
    })
    pool.dispatch(
      {
        path: req.url,
        method: req.method,
        headers,
        body: chunks.length === 0 ? null : chunks.length === 1 ? chunks[0] : Buffer.concat(chunks),
      },
      handler,
    )
  })
})
server.keepAliveTimeout = 30_000

server.listen({ host: '127.0.0.1', port: Number(args.port) }, () => {
  process.stdout.write(`listening on http://127.0.0.1:${server.address().port}\n`)
})

const stop = () => {
  server.close(() => {
    void pool.close().finally(() => process.exit(0))
  })
  server.closeAllConnections()
}
process.on('SIGTERM', stop)
process.on('SIGINT', stop)
