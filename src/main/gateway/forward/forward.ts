// Forwards one request to an upstream with undici's dispatch API and streams the answer back.
// Bytes first: SSE and JSON bodies are written to the client as they arrive; a slow client
// pauses the upstream read (backpressure), a client that leaves aborts the upstream at once.
import type { IncomingHttpHeaders, ServerResponse } from 'node:http'
import type { Dispatcher } from 'undici'
import { GatewayError } from '../errors'
import { openAIErrorBody, sendOpenAIError } from '../server/respond'
import type { Upstream } from '../runtime'
import { passThroughResponseHeaders } from './headers'
import { classifyUpstreamError, normalizeUpstreamError } from './upstreamErrors'

export interface ForwardOutcome {
  status: number
  errorCode?: string
  /** The client went away before the response finished. */
  clientAborted: boolean
  /** Milliseconds from dispatch to the first response body byte. */
  firstByteMs?: number
}

export interface ForwardRequest {
  dispatcher: Dispatcher
  upstream: Upstream
  providerId: string
  /** Path under the upstream's API base, e.g. `/chat/completions`. */
  path: string
  headers: Record<string, string>
  body: Buffer
  res: ServerResponse
  /** Headers the gateway adds to every response (x-request-id, x-switchyard-*). */
  responseHeaders: Record<string, string>
  /** Client-facing model name to put back into a non-streamed JSON body, when it differs. */
  rewriteModel?: string
  onDone(outcome: ForwardOutcome): void
}

const MAX_BUFFERED_BYTES = 64 * 1024 * 1024
const MAX_ERROR_BODY_BYTES = 1024 * 1024

type Mode = 'pending' | 'stream' | 'bytes' | 'buffer' | 'error' | 'done'

class TimeoutError extends Error {
  readonly phase: 'first-byte' | 'idle'
  constructor(phase: 'first-byte' | 'idle', ms: number) {
    super(phase === 'first-byte' ? `no response from upstream within ${ms} ms` : `upstream stalled for ${ms} ms mid-response`)
    this.phase = phase
  }
}
class ClientGoneError extends Error {}

export function forward(req: ForwardRequest): void {
  const handler = new ForwardHandler(req)
  req.dispatcher.dispatch(
    {
      origin: req.upstream.origin,
      path: req.upstream.basePath + req.path,
      method: 'POST',
      headers: req.headers,
      body: req.body,
      // Our own timer covers first byte and idle gaps (undici's 300 s defaults must not apply).
      headersTimeout: 0,
      bodyTimeout: 0,
    },
    handler,
  )
}

class ForwardHandler implements Dispatcher.DispatchHandler {
  private controller?: Dispatcher.DispatchController
  private mode: Mode = 'pending'
  private status = 0
  private headers: Record<string, string | string[]> = {}
  private chunks: Buffer[] = []
  private buffered = 0
  private timer: NodeJS.Timeout
  private readonly startedAt = performance.now()
  private firstByteMs?: number
  private clientGone = false
  private atEventBoundary = true

  constructor(private readonly req: ForwardRequest) {
    this.timer = setTimeout(this.onTimeout, req.upstream.timeouts.firstByteMs)
    req.res.on('close', this.onClientClose)
  }

  onRequestStart(controller: Dispatcher.DispatchController): void {
    this.controller = controller
    // The exchange may already be over (client gone, or timed out while queued in the pool).
    if (this.mode === 'done') controller.abort(new ClientGoneError())
  }

  onResponseStart(controller: Dispatcher.DispatchController, status: number, headers: IncomingHttpHeaders): void {
    if (status < 200) return
    this.status = status
    const contentType = String(headers['content-type'] ?? '').toLowerCase()
    const out = this.headers
    passThroughResponseHeaders(headers, out)
    Object.assign(out, this.req.responseHeaders)
    if (status >= 400) {
      this.mode = 'error'
    } else if (contentType.startsWith('text/event-stream')) {
      this.mode = 'stream'
      out['cache-control'] = 'no-cache'
      out['x-accel-buffering'] = 'no'
    } else if (contentType === '' || (this.req.rewriteModel !== undefined && contentType.includes('json'))) {
      this.mode = 'buffer'
    } else if (contentType.includes('json')) {
      this.mode = 'bytes'
      const length = headers['content-length']
      if (typeof length === 'string') out['content-length'] = length
    } else {
      this.fail(new GatewayError('upstream_bad_response', `provider "${this.req.providerId}" answered ${status} with ${contentType.split(';')[0]} instead of JSON; check its baseUrl`))
      controller.abort(new ClientGoneError())
    }
  }

  onResponseData(controller: Dispatcher.DispatchController, chunk: Buffer): void {
    if (this.firstByteMs === undefined) {
      this.firstByteMs = performance.now() - this.startedAt
      clearTimeout(this.timer)
      this.timer = setTimeout(this.onTimeout, this.req.upstream.timeouts.idleMs)
    } else {
      this.timer.refresh()
    }
    switch (this.mode) {
      case 'stream':
      case 'bytes': {
        const res = this.req.res
        if (!res.headersSent) res.writeHead(this.status, this.headers)
        this.atEventBoundary = endsWithBlankLine(chunk)
        if (!res.write(chunk)) {
          controller.pause()
          clearTimeout(this.timer) // a paused read is our doing, not an idle upstream
          res.once('drain', () => {
            this.timer = setTimeout(this.onTimeout, this.req.upstream.timeouts.idleMs)
            controller.resume()
          })
        }
        return
      }
      case 'buffer':
      case 'error': {
        this.buffered += chunk.length
        const cap = this.mode === 'error' ? MAX_ERROR_BODY_BYTES : MAX_BUFFERED_BYTES
        if (this.buffered > cap) {
          this.fail(new GatewayError('upstream_bad_response', `provider "${this.req.providerId}" sent an oversized ${this.mode === 'error' ? 'error ' : ''}body`))
          controller.abort(new ClientGoneError())
          return
        }
        this.chunks.push(chunk)
        return
      }
      default:
        return
    }
  }

  onResponseEnd(): void {
    clearTimeout(this.timer)
    const res = this.req.res
    switch (this.mode) {
      case 'stream':
      case 'bytes':
        if (!res.headersSent) res.writeHead(this.status, this.headers)
        res.end()
        this.finish()
        return
      case 'buffer':
        this.endBuffered()
        return
      case 'error':
        this.endWithUpstreamError()
        return
      case 'pending':
        this.fail(new GatewayError('upstream_bad_response', `provider "${this.req.providerId}" ended the response without a status`))
        return
      default:
        return
    }
  }

  onResponseError(_controller: Dispatcher.DispatchController, err: Error): void {
    clearTimeout(this.timer)
    if (this.mode === 'done') return
    if (this.clientGone || err instanceof ClientGoneError) {
      this.finish()
      return
    }
    const error =
      err instanceof TimeoutError
        ? new GatewayError('upstream_timeout', `provider "${this.req.providerId}": ${err.message}`)
        : classifyUpstreamError(err, this.req.providerId)
    this.fail(error)
  }

  private endBuffered(): void {
    const body = Buffer.concat(this.chunks, this.buffered)
    let parsed: unknown
    try {
      parsed = JSON.parse(body.toString('utf8'))
    } catch {
      this.fail(new GatewayError('upstream_bad_response', `provider "${this.req.providerId}" returned a body that is not JSON`))
      return
    }
    let payload: Buffer = body
    const model = this.req.rewriteModel
    if (model !== undefined && typeof parsed === 'object' && parsed !== null && 'model' in parsed) {
      payload = Buffer.from(JSON.stringify({ ...parsed, model }))
    }
    this.headers['content-type'] = 'application/json'
    this.headers['content-length'] = String(payload.length)
    this.req.res.writeHead(this.status, this.headers)
    this.req.res.end(payload)
    this.finish()
  }

  private endWithUpstreamError(): void {
    const body = Buffer.concat(this.chunks, this.buffered)
    const normalized = normalizeUpstreamError(body, this.status)
    if (!normalized) {
      this.fail(new GatewayError('upstream_bad_response', `provider "${this.req.providerId}" answered ${this.status} with a body that is not JSON; check its baseUrl`))
      return
    }
    this.headers['content-type'] = 'application/json'
    this.headers['content-length'] = String(normalized.length)
    this.req.res.writeHead(this.status, this.headers)
    this.req.res.end(normalized)
    this.finish(`upstream_${this.status}`)
  }

  /** Ends the exchange with an error in the OpenAI shape, whatever has been sent so far. */
  private fail(err: GatewayError): void {
    if (this.mode === 'done') return
    const res = this.req.res
    if (!res.headersSent) {
      for (const [name, value] of Object.entries(this.req.responseHeaders)) res.setHeader(name, value)
      sendOpenAIError(res, err)
    } else if (this.mode === 'stream') {
      // Mid-stream: an error event and no [DONE], so clients know the answer is cut short.
      const event = `${this.atEventBoundary ? '' : '\n\n'}data: ${JSON.stringify(openAIErrorBody(err))}\n\n`
      res.end(event)
    } else {
      res.destroy()
    }
    this.finish(err.code, err.status)
  }

  private finish(errorCode?: string, status = this.status): void {
    if (this.mode === 'done') return
    this.mode = 'done'
    clearTimeout(this.timer)
    this.req.res.off('close', this.onClientClose)
    this.chunks = []
    this.req.onDone({ status, errorCode, clientAborted: this.clientGone, firstByteMs: this.firstByteMs })
  }

  private readonly onTimeout = (): void => {
    const phase = this.firstByteMs === undefined ? 'first-byte' : 'idle'
    const ms = phase === 'first-byte' ? this.req.upstream.timeouts.firstByteMs : this.req.upstream.timeouts.idleMs
    const err = new TimeoutError(phase, ms)
    if (this.controller) this.controller.abort(err)
    else this.onResponseError(undefined as never, err)
  }

  private readonly onClientClose = (): void => {
    if (this.mode === 'done' || this.req.res.writableFinished) return
    this.clientGone = true
    clearTimeout(this.timer)
    // The GPU behind a local model must stop generating for a caller that has gone.
    if (this.controller) this.controller.abort(new ClientGoneError())
    this.finish('client_aborted', 499)
  }
}

function endsWithBlankLine(chunk: Buffer): boolean {
  const n = chunk.length
  return n >= 2 && chunk[n - 1] === 0x0a && (chunk[n - 2] === 0x0a || (n >= 3 && chunk[n - 2] === 0x0d && chunk[n - 3] === 0x0a))
}
