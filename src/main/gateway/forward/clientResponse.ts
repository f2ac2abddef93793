// The client's side of one exchange, in the client's dialect: the head (once), body bytes with
// backpressure, keep-alives while the request waits, and errors rendered the way that dialect's
// clients expect them — as an error answer before anything was sent, as an error event once a
// stream has begun, or as a cut connection when neither is possible.
import type { ServerResponse } from 'node:http'
import type { GatewayError } from '../common/errors'
import { safeHeaderValue } from '../common/headerValue'
import { sendJson } from '../common/respond'
import { errorBodyAsEvent, errorBodyFor, framingOf, keepAliveFor, requestIdHeaders, streamErrorEvent, type ClientFraming } from '../dialects/clientShapes'
import type { Dialect } from '../dialects/codec'

export type { Dialect }

export type HeaderList = Array<string>

const SSE_HEAD: HeaderList = ['content-type', 'text/event-stream; charset=utf-8', 'cache-control', 'no-cache', 'x-accel-buffering', 'no']

/** An error answer in the client's dialect, before anything else was sent (Retry-After on 429/503). */
export function sendDialectError(res: ServerResponse, dialect: Dialect, err: GatewayError, requestId: string): void {
  const headers: Record<string, string> = {}
  if (err.retryAfterSec !== undefined) headers['retry-after'] = String(Math.max(1, Math.ceil(err.retryAfterSec)))
  if (dialect === 'anthropic-messages') headers['request-id'] = requestId
  sendJson(res, err.status, errorBodyFor(dialect, err, dialect === 'anthropic-messages' ? requestId : undefined), headers)
}

export { streamErrorEvent }

export class ClientResponse {
  /** Headers every response of this request carries (x-request-id, x-switchyard-*), as a flat list. */
  tagHeaders: HeaderList
  /** An SSE head was sent before any upstream byte (queue keep-alives). */
  private eventStreamOpen = false
  /** The client received only whole SSE events (where an error event can start cleanly). */
  atEventBoundary = true

  readonly framing: ClientFraming
  /** Sees every body chunk the client is sent (the response store reads finished responses from it). */
  tap?: (chunk: Buffer | string, last: boolean) => void

  constructor(
    readonly res: ServerResponse,
    readonly dialect: Dialect,
    readonly requestId: string,
    opts: { geminiJsonArray?: boolean } = {},
  ) {
    this.framing = framingOf(dialect, opts)
    this.tagHeaders = this.tags()
  }

  /** Tags the answer with the provider and model serving it (set before each attempt). */
  servedBy(provider: string, model: string): void {
    this.tagHeaders = this.tags()
    // The model name may be anything a client sent (a `*` route passes it on): make it writable.
    this.tagHeaders.push('x-switchyard-provider', safeHeaderValue(provider), 'x-switchyard-model', safeHeaderValue(model))
  }

  private tags(): HeaderList {
    return requestIdHeaders(this.dialect, this.requestId)
  }

  /** Something was sent: status and headers are fixed. */
  get started(): boolean {
    return this.res.headersSent
  }

  get gone(): boolean {
    return this.res.destroyed || this.res.writableEnded
  }

  /** Whether this client's stream has a keep-alive form (SSE does; NDJSON and a JSON array do not). */
  get canKeepAlive(): boolean {
    return keepAliveFor(this.dialect, this.framing) !== undefined
  }

  /** Commits a 200 event-stream head before the upstream answered, so keep-alives can flow. */
  openEventStream(): void {
    if (this.started || !this.canKeepAlive) return
    this.eventStreamOpen = true
    this.res.writeHead(200, [...SSE_HEAD, ...this.tagHeaders])
    this.res.flushHeaders()
  }

  get isEventStreamOpen(): boolean {
    return this.eventStreamOpen
  }

  keepAlive(): void {
    const ping = keepAliveFor(this.dialect, this.framing)
    if (!this.eventStreamOpen || this.gone || ping === undefined) return
    this.res.write(ping)
  }

  /**
   * Sends the head of the answer unless an event-stream head already went out. `headers` is the
   * caller's to give: the tags are appended to it (no copy per response).
   */
  head(status: number, headers: HeaderList): void {
    if (this.started) return
    if (headers.length === 0) {
      this.res.writeHead(status, this.tagHeaders)
      return
    }
    const tags = this.tagHeaders
    const upstreamRequestId = tags.includes('request-id') && headers.includes('request-id')
    for (let i = 0; i < tags.length; i += 2) {
      // An Anthropic upstream's own request-id is the one worth quoting to Anthropic support.
      if (upstreamRequestId && tags[i] === 'request-id') continue
      headers.push(tags[i]!, tags[i + 1]!)
    }
    this.res.writeHead(status, headers)
  }

  /** Writes body bytes; false when the client's buffer is full (pause the upstream until 'drain'). */
  write(chunk: Buffer | string): boolean {
    this.tap?.(chunk, false)
    return this.res.write(chunk)
  }

  end(chunk?: Buffer | string): void {
    this.tap?.(chunk ?? '', true)
    if (chunk !== undefined && chunk.length > 0) this.res.end(chunk)
    else this.res.end()
  }

  /** Ends the exchange with an error, whatever has been sent so far. */
  fail(err: GatewayError, streamEvent?: string): void {
    const res = this.res
    if (this.gone) return
    if (!this.started) {
      for (let i = 0; i < this.tagHeaders.length; i += 2) res.setHeader(this.tagHeaders[i]!, this.tagHeaders[i + 1]!)
      sendDialectError(res, this.dialect, err, this.requestId)
      return
    }
    if (streamEvent !== undefined || this.eventStreamOpen) {
      // A stream ends with an error event (OpenAI: no [DONE]; Anthropic: `event: error`; ...).
      const event = streamEvent ?? streamErrorEvent(this.dialect, err, this.framing)
      res.end(`${this.atEventBoundary ? '' : '\n\n'}${event}`)
      return
    }
    res.destroy() // a JSON body already half-sent cannot be repaired
  }

  /**
   * An upstream error answer (already in the client's dialect) for a request nothing was sent for
   * yet. `retryAfterSec` becomes a `Retry-After` header (DESIGN §2: 429/503 always carry one).
   */
  sendUpstreamError(status: number, body: Buffer, retryAfterSec?: number): void {
    if (this.started) {
      // Only keep-alives went out: the error becomes the stream's last event.
      const text = body.toString('utf8')
      this.res.end(errorBodyAsEvent(this.dialect, text, this.framing))
      return
    }
    const retryAfter = retryAfterSec === undefined ? [] : ['retry-after', String(Math.max(1, Math.ceil(retryAfterSec)))]
    this.res.writeHead(status, ['content-type', 'application/json', 'content-length', String(body.length), ...retryAfter, ...this.tagHeaders])
    this.res.end(body)
  }
}
