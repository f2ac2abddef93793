// Not a product: the leanest HTTP/1.1 proxy Node can be, for the bench's floor. Plain `net` sockets
// and Node's own llhttp parser (the one node:http uses) on both sides, keep-alive, one write per
// message, no streaming, no limits, no timeouts, no error answers: everything a real proxy needs is
// missing on purpose. What it costs per request is what the kernel and the parser cost; what the
// bare passthrough (node:http + undici) costs beyond it is the price of those two layers.
//
//   node bench/floorProxy.mjs http://127.0.0.1:UPSTREAM_PORT
//
// Prints `listening on http://127.0.0.1:PORT` once ready. Binds 127.0.0.1 only.
import { createRequire } from 'node:module'
import net from 'node:net'

const { HTTPParser } = createRequire(import.meta.url)('_http_common')
const upstream = new URL(process.argv[2] ?? '')
const ON_HEADERS = HTTPParser.kOnHeadersComplete | 0
const ON_BODY = HTTPParser.kOnBody | 0
const ON_DONE = HTTPParser.kOnMessageComplete | 0
const HOP = new Set(['host', 'connection', 'keep-alive', 'content-length', 'transfer-encoding'])

const idle = []

function upstreamSocket() {
  const reused = idle.pop()
  if (reused) return reused
  const socket = net.connect(Number(upstream.port), upstream.hostname)
  socket.setNoDelay(true)
  const parser = new HTTPParser()
  parser.initialize(HTTPParser.RESPONSE, {})
  parser[ON_HEADERS] = (_major, _minor, headers, _method, _url, status) => Object.assign(socket.exchange, { status, headers })
  parser[ON_BODY] = (b) => socket.exchange.chunks.push(Buffer.from(b))
  parser[ON_DONE] = () => {
    const exchange = socket.exchange
    socket.exchange = undefined
    idle.push(socket)
    exchange.done(exchange)
  }
  socket.on('data', (d) => parser.execute(d))
  socket.on('error', () => undefined)
  return socket
}

function head(startLine, headers, extra) {
  let text = `${startLine}\r\n`
  for (let i = 0; i < headers.length; i += 2) if (!HOP.has(headers[i].toLowerCase())) text += `${headers[i]}: ${headers[i + 1]}\r\n`
  return `${text}${extra}\r\n`
}

function send(socket, text, body) {
  socket.cork()
  socket.write(text, 'latin1')
  socket.write(body)
  socket.uncork()
}

net
  .createServer({ noDelay: true }, (client) => {
    const parser = new HTTPParser()
    parser.initialize(HTTPParser.REQUEST, {})
    let request
    parser[ON_HEADERS] = (_major, _minor, headers, _method, url) => (request = { url, headers, chunks: [] })
    parser[ON_BODY] = (b) => request.chunks.push(Buffer.from(b))
    parser[ON_DONE] = () => {
      const body = Buffer.concat(request.chunks)
      const socket = upstreamSocket()
      socket.exchange = {
        chunks: [],
        done: (answer) => {
          const payload = Buffer.concat(answer.chunks)
          send(client, head(`HTTP/1.1 ${answer.status} OK`, answer.headers, `content-length: ${payload.length}\r\nconnection: keep-alive\r\n`), payload)
        },
      }
      send(socket, head(`POST ${request.url} HTTP/1.1`, request.headers, `host: ${upstream.host}\r\ncontent-length: ${body.length}\r\n`), body)
    }
    client.on('data', (d) => parser.execute(d))
    client.on('error', () => undefined)
  })
  .listen(0, '127.0.0.1', function () {
    process.stdout.write(`listening on http://127.0.0.1:${this.address().port}\n`)
  })
process.on('SIGTERM', () => process.exit(0))
