// Owns the listening socket: start, and a graceful stop that lets responses in flight finish
// for a grace period before cutting them (which aborts their upstream requests).
import http from 'node:http'
import type { AddressInfo } from 'node:net'

export interface Listening {
  host: string
  port: number
}

export class HttpServer {
  private readonly server: http.Server

  constructor(listener: http.RequestListener) {
    this.server = http.createServer({ noDelay: true, keepAlive: true }, listener)
    this.server.keepAliveTimeout = 30_000
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
