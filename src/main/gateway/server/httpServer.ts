// Owns the listening socket: start, and a graceful stop that lets responses in flight finish
// for a grace period before cutting them (which aborts their upstream requests).
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { DEFAULT_HTTP_LIMITS } from '../../../shared/config'

export type HttpLimits = { -readonly [K in keyof typeof DEFAULT_HTTP_LIMITS]?: number }

export interface Listening {
  host: string
  port: number
}

export class HttpServer {
  private readonly server: http.Server

  constructor(listener: http.RequestListener, limits: HttpLimits = {}) {
    const l = { ...DEFAULT_HTTP_LIMITS, ...definedOnly(limits) }
    this.server = http.createServer(
      {
        noDelay: true,
        keepAlive: true,
        maxHeaderSize: l.maxHeaderBytes,
        // Node checks the header and request timeouts on this interval (30 s by default, which
        // would let a slow-header client linger far past the limit).
        connectionsCheckingInterval: Math.min(5_000, Math.max(100, Math.floor(Math.min(l.headersTimeoutMs, l.requestTimeoutMs || Infinity) / 4))),
      },
      listener,
    )
    this.apply(limits)
  }

  /** Applies limits to the running server (all but maxHeaderBytes, which needs a new server). */
  apply(limits: HttpLimits): void {
    const l = { ...DEFAULT_HTTP_LIMITS, ...definedOnly(limits) }
    this.server.headersTimeout = l.headersTimeoutMs
    this.server.requestTimeout = l.requestTimeoutMs
    this.server.keepAliveTimeout = l.keepAliveTimeoutMs
    this.server.maxConnections = l.maxConnections
  }

  listen(host: string, port: number): Promise<Listening> {
    return new Promise((resolve, reject) => {
      const onError = (err: Error): void => reject(err)
      this.server.once('error', onError)
      this.server.listen({ host, port }, () => {
        this.server.off('error', onError)
        const address = this.server.address() as AddressInfo
        resolve({ host, port: address.port })
      })
    })
  }

  get listening(): boolean {
    return this.server.listening
  }

  /** Stops accepting now; waits up to graceMs for open responses, then closes every connection. */
  close(graceMs: number): Promise<void> {
    if (!this.server.listening) return Promise.resolve()
    return new Promise((resolve) => {
      const timer = setTimeout(() => this.server.closeAllConnections(), graceMs)
      timer.unref()
      this.server.close(() => {
        clearTimeout(timer)
        resolve()
      })
      this.server.closeIdleConnections()
    })
  }
}

function definedOnly(limits: HttpLimits): HttpLimits {
  const out: HttpLimits = {}
  for (const [k, v] of Object.entries(limits) as Array<[keyof HttpLimits, number | undefined]>) if (v !== undefined) out[k] = v
  return out
}
