// Server-side pieces shared by the loopback mocks: listening on a free port (and closing with
// connections still open), reading a request body, answering with JSON.
import type http from 'node:http'
import type { AddressInfo, Socket } from 'node:net'

export interface Listening {
  port: number
  /** http://127.0.0.1:<port> */
  url: string
  /** Destroys open connections (the gateway keeps pooled sockets alive), then closes the server. */
  close(): Promise<void>
}

/** Starts `server` on a free 127.0.0.1 port. */
export async function listenOnLoopback(server: http.Server): Promise<Listening> {
  const sockets = new Set<Socket>()
  server.on('connection', (s) => {
    sockets.add(s)
    s.on('close', () => sockets.delete(s))
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const port = (server.address() as AddressInfo).port
  return {
    port,
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise((resolve) => {
        for (const s of sockets) s.destroy()
        server.close(() => resolve())
      }),
  }
}

/** Collects the whole request body, then calls `then` with its text and, when it parses as JSON, the object. */
export function readBody(req: http.IncomingMessage, then: (rawBody: string, body: Record<string, unknown> | undefined) => void): void {
  const chunks: Buffer[] = []
  req.on('data', (c: Buffer) => chunks.push(c))
  req.on('end', () => {
    const rawBody = Buffer.concat(chunks).toString('utf8')
    let body: Record<string, unknown> | undefined
    try {
      body = rawBody ? (JSON.parse(rawBody) as Record<string, unknown>) : undefined
    } catch {
      body = undefined
    }
    then(rawBody, body)
  })
}

export function json(res: http.ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const payload = JSON.stringify(body)
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(payload)), ...headers })
  res.end(payload)
}
