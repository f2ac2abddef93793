// Tiny loopback HTTP servers for side-channel tests (health, metrics, model lists), and the
// BackendClient those tests use; `loopback` and `backendClient` close after the test (useCleanup).
import http from 'node:http'
import { BackendClient } from '../../../src/main/gateway/providers/backendClient'
import { onCleanup } from '../../helpers/cleanup'
import { listenOnLoopback } from '../../helpers/server'

export { json } from '../../helpers/server'
export { until } from '../../helpers/wait'

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
  const requests: Seen[] = []
  const server = http.createServer((req, res) => {
    requests.push({ method: req.method ?? '', path: req.url ?? '', headers: req.headers })
    lb.handler(req, res)
  })
  const { url, port, close } = await listenOnLoopback(server)
  const lb: Loopback = { url, port, requests, handler, close }
  return lb
}

/** A loopback server closed after the test. */
export async function loopback(handler: Handler): Promise<Loopback> {
  const lb = await startLoopback(handler)
  onCleanup(() => lb.close())
  return lb
}

/** A BackendClient closed after the test. */
export function backendClient(): BackendClient {
  const c = new BackendClient()
  onCleanup(() => c.close())
  return c
}

/** A port nothing listens on (connections are refused). */
export async function refusedPort(): Promise<number> {
  const lb = await startLoopback(() => undefined)
  await lb.close()
  return lb.port
}
