// Tiny loopback HTTP servers for side-channel tests (health, metrics, model lists).
import http from 'node:http'
import type { AddressInfo, Socket } from 'node:net'

export interface Seen {
  method: string
  path: string
  headers: http.IncomingHttpHeaders
}

export type Handler = (req: http.IncomingMessage, res: http.ServerResponse) => void

export interface Loopback {
  url: string
  port: number
  requests: Seen[]
  handler: Handler
  close(): Promise<void>
}

export async function startLoopback(handler: Handler): Promise<Loopback> {
  const sockets = new Set<Socket>()
  const lb: Loopback = {
    url: '',
    port: 0,
    requests: [],
    handler,
    close: () =>
      new Promise((resolve) => {
        for (const s of sockets) s.destroy()
        server.close(() => resolve())
      }),
  }
  const server = http.createServer((req, res) => {
    lb.requests.push({ method: req.method ?? '', path: req.url ?? '', headers: req.headers })
    lb.handler(req, res)
  })
  server.on('connection', (s) => {
    sockets.add(s)
    s.on('close', () => sockets.delete(s))
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  lb.port = (server.address() as AddressInfo).port
  lb.url = `http://127.0.0.1:${lb.port}`
  return lb
}

/** A port nothing listens on (connections are refused). */
export async function refusedPort(): Promise<number> {
  const lb = await startLoopback(() => undefined)
  await lb.close()
  return lb.port
}

export function json(res: http.ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const payload = JSON.stringify(body)
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload), ...headers })
  res.end(payload)
}

export async function until(check: () => boolean, timeoutMs = 3_000): Promise<void> {
  const start = Date.now()
  while (!check()) {
    if (Date.now() - start > timeoutMs) throw new Error('condition not met in time')
    await new Promise((r) => setTimeout(r, 10))
  }
}
