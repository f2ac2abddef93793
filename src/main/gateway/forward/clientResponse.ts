// The client's side of one exchange, in the client's protocol: the head (once), body bytes with
// backpressure, SSE keep-alives while the request waits, and errors rendered the way an OpenAI or
// Anthropic client expects them — as a JSON error before anything was sent, as an error event
// once a stream has begun, or as a cut connection when neither is possible.
import type { ServerResponse } from 'node:http'
import type { GatewayError } from '../common/errors'
import { anthropicStreamError, sendAnthropicError } from '../dialects/anthropicMessages/clientErrors'
import type { ClientProtocol } from '../dialects/translation'
import { ANTHROPIC_PING, dataSse as openAISse, SSE_COMMENT_KEEPALIVE } from '../dialects/sse'
import { safeHeaderValue } from '../common/headerValue'
import { openAIErrorBody, sendOpenAIError } from '../common/respond'

export type { ClientProtocol }

export type HeaderList = Array<string>

const SSE_HEAD: HeaderList = ['content-type', 'text/event-stream; charset=utf-8', 'cache-control', 'no-cache', 'x-accel-buffering', 'no']

export function sendProtocolError(res: ServerResponse, protocol: ClientProtocol, err: GatewayError, requestId: string): void {
  if (protocol === 'anthropic') sendAnthropicError(res, err, requestId)
  else sendOpenAIError(res, err)
}

/** The event that ends a stream with an error, in the client's protocol. */
export function streamErrorEvent(protocol: ClientProtocol, err: GatewayError): string {
  return protocol === 'anthropic' ? anthropicStreamError(err) : openAISse(openAIErrorBody(err))
}

export class ClientResponse {
  /** Headers every response of this request carries (x-request-id, x-switchyard-*), as a flat list. */
  tagHeaders: HeaderList
  /** An SSE head was sent before any upstream byte (queue keep-alives). */
  private eventStreamOpen = false
  /** The client received only whole SSE events (where an error event can start cleanly). */
  atEventBoundary = true

  constructor(
    readonly res: ServerResponse,
    readonly protocol: ClientProtocol,
    readonly requestId: string,
  ) {
    this.tagHeaders = this.tags()
  }

  /** Tags the answer with the provider and model serving it (set before each attempt). */
  servedBy(provider: string, model: string): void {
    this.tagHeaders = this.tags()
    // The model name may be anything a client sent (a `*` route passes it on): make it writable.
    this.tagHeaders.push('x-switchyard-provider', safeHeaderValue(provider), 'x-switchyard-model', safeHeaderValue(model))
  }

  // Anthropic SDKs read `request-id` (their `_request_id`); OpenAI's read `x-request-id`.
  private tags(): HeaderList {
    return this.protocol === 'anthropic' ? ['x-request-id', this.requestId, 'request-id', this.requestId] : ['x-request-id', this.requestId]
  }

  /** Something was sent: status and headers are fixed. */
  get started(): boolean {
    return this.res.headersSent
  }

  get gone(): boolean {
    return this.res.destroyed || this.res.writableEnded
  }

  /** Commits a 200 event-stream head before the upstream answered, so keep-alives can flow. */
  openEventStream(): void {
    if (this.started) return
    this.eventStreamOpen = true
    this.res.writeHead(200, [...SSE_HEAD, ...this.tagHeaders])
    this.res.flushHeaders()
  }

  get isEventStreamOpen(): boolean {
    return this.eventStreamOpen
  }

  keepAlive(): void {
    if (!this.eventStreamOpen || this.gone) return
    this.res.write(this.protocol === 'anthropic' ? ANTHROPIC_PING : SSE_COMMENT_KEEPALIVE)
  }

  /** Sends the head of the answer unless an event-stream head already went out. */
  head(status: number, headers: HeaderList): void {
    if (this.started) return
    if (headers.length === 0) {
      this.res.writeHead(status, this.tagHeaders)
      return
    }
    const out = headers.slice()
    const tags = this.tagHeaders
    for (let i = 0; i < tags.length; i += 2) {
      // An Anthropic upstream's own request-id is the one worth quoting to Anthropic support.
      if (tags[i] === 'request-id' && headers.includes('request-id')) continue
      out.push(tags[i]!, tags[i + 1]!)
    }
    this.res.writeHead(status, out)
  }

  /** Writes body bytes; false when the client's buffer is full (pause the upstream until 'drain'). */
  write(chunk: Buffer | string): boolean {
    return this.res.write(chunk)
  }

  end(chunk?: Buffer | string): void {
    if (chunk !== undefined && chunk.length > 0) this.res.end(chunk)
    else this.res.end()
  }

  /** Ends the exchange with an error, whatever has been sent so far. */
  fail(err: GatewayError, streamEvent?: string): void {
    const res = this.res
    if (this.gone) return
    if (!this.started) {
      for (let i = 0; i < this.tagHeaders.length; i += 2) res.setHeader(this.tagHeaders[i]!, this.tagHeaders[i + 1]!)
      sendProtocolError(res, this.protocol, err, this.requestId)
      return
    }
    if (streamEvent !== undefined || this.eventStreamOpen) {
      // A stream ends with an error event (OpenAI: no [DONE]; Anthropic: `event: error`).
      const event = streamEvent ?? streamErrorEvent(this.protocol, err)
      res.end(`${this.atEventBoundary ? '' : '\n\n'}${event}`)
      return
    }
    res.destroy() // a JSON body already half-sent cannot be repaired
  }

  /**
   * An upstream error answer (already in the client's protocol) for a request nothing was sent for
   * yet. `retryAfterSec` becomes a `Retry-After` header (DESIGN §2: 429/503 always carry one).
   */
  sendUpstreamError(status: number, body: Buffer, retryAfterSec?: number): void {
    if (this.started) {
      // Only keep-alives went out: the error becomes the stream's last event.
      const text = body.toString('utf8')
      this.res.end(this.protocol === 'anthropic' ? `event: error\ndata: ${text}\n\n` : `data: ${text}\n\n`)
      return
    }
    const retryAfter = retryAfterSec === undefined ? [] : ['retry-after', String(Math.max(1, Math.ceil(retryAfterSec)))]
    this.res.writeHead(status, ['content-type', 'application/json', 'content-length', String(body.length), ...retryAfter, ...this.tagHeaders])
    this.res.end(body)
  }
}
