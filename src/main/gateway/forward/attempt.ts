// One upstream attempt over undici's dispatch API. Until the first byte reaches the client an
// attempt can still fail cleanly and the caller may try another candidate; after that it streams
// to the end. Bytes first: SSE and JSON are written as they arrive, a slow client pauses the
// upstream read (backpressure), and a client that leaves aborts the upstream at once.
import type { IncomingHttpHeaders } from 'node:http'
import { util, type Dispatcher } from 'undici'
import { GatewayError } from '../common/errors'
import type { ClientRequestInfo, Translation } from '../dialects/translation'
import type { Upstream } from '../providers/providerRuntime'
import type { RequestMeter } from '../usage/requestMeter'
import type { ClientResponse } from './clientResponse'
import { deadlines, type Deadlined } from './deadlines'
import { contentDecoder } from './contentDecoder'
import { DECODED_BODY_HEADERS, REWRITE_OWN_HEADERS, scanRawHeaders, STREAM_OWN_HEADERS, withoutHeaders } from './headers'
import { decodeBody } from './responseBody'
import { streamMode, type StreamMode } from './streamModes'
import { transportFailure, TimeoutError, upstreamErrorResult, type AttemptFailure } from './attemptFailure'
import { sniffFirstEvent } from './sniff'

export interface AttemptRequest {
  dispatcher: Dispatcher
  upstream: Upstream
  providerId: string
  /** Path under the upstream's API base. */
  path: string
  headers: Record<string, string>
  body: Buffer
  client: ClientResponse
  translation: Translation
  /** What the response side must know about the client's request (translation, model name). */
  clientInfo?: ClientRequestInfo
  /** Passthrough JSON answers: the client-facing model name to put back, when it differs. */
  rewriteModel?: string
  /** A non-streamed 2xx answer turned into another shape for the client (see GatewayRequest.mapAnswer). */
  mapAnswer?: (answer: unknown) => object
  meter?: RequestMeter
  /** Hold a stream's first event until it is known not to be an error (failover is still possible). */
  sniffFirstEvent: boolean
  inputTokens?: number
  /** The upstream's status and headers (parsed only if the callback asks for them). */
  onUpstreamHeaders?(status: number, headers: () => IncomingHttpHeaders): void
}

export interface AttemptEnd {
  status: number
  errorCode?: string
  /** What broke a stream after its first byte (for the provider's health: lastError). */
  errorMessage?: string
  /** A translated stream ended with an error event although the exchange ended cleanly: its type. */
  streamFailure?: string
  clientAborted: boolean
}

export type AttemptResult =
  | { kind: 'committed'; status: number; firstByteMs: number; done: Promise<AttemptEnd> }
  | ({ kind: 'failed' } & AttemptFailure)

const MAX_BUFFERED_BYTES = 64 * 1024 * 1024
const MAX_ERROR_BODY_BYTES = 1024 * 1024

type Mode = 'waiting' | 'sniffing' | 'stream' | 'bytes' | 'buffer' | 'error-body' | 'done'

class ClientGoneError extends Error {}

export function runAttempt(req: AttemptRequest): Promise<AttemptResult> {
  return new Promise((resolve) => {
    const handler = new AttemptHandler(req, resolve)
    req.dispatcher.dispatch(
      {
        origin: req.upstream.origin,
        path: req.upstream.basePath + req.path,
        method: 'POST',
        headers: req.headers,
        body: req.body,
        // One timer of our own covers first byte and idle gaps (undici's 300 s defaults must not apply).
        headersTimeout: 0,
        bodyTimeout: 0,
      },
      handler as unknown as Dispatcher.DispatchHandler,
    )
  })
}

// undici's raw handler interface (onConnect/onHeaders/onData/onComplete/onError): the newer
// controller-style API is served through a wrapper that parses every response's headers into an
// object first, which the hot path does not need.
class AttemptHandler implements Deadlined {
  private abortUpstream?: (err: Error) => void
  private resumeUpstream?: () => void
  private paused = false
  private mode: Mode = 'waiting'
  private status = 0
  private head: string[] = []
  private stream?: StreamMode
  private chunks: Buffer[] = []
  private buffered = 0
  deadline: number
  private readonly startedAt = performance.now()
  private firstByteMs?: number
  private committed = false
  /** The caller has its result (committed or failed): from here on only `done` can settle. */
  private resultSettled = false
  private clientGone = false
  private resolveDone?: (end: AttemptEnd) => void
  private streamFailure?: string
  /** Set when the upstream compressed its body: chunks go through it, in order, before data(). */
  private decoder?: ReturnType<typeof contentDecoder>

  constructor(
    private readonly req: AttemptRequest,
    private readonly resolveResult: (r: AttemptResult) => void,
  ) {
    this.deadline = Date.now() + req.upstream.timeouts.firstByteMs
    deadlines.add(this)
    req.client.res.on('close', this.onClientClose)
  }

  // undici calls these five; each runs its step behind a guard, so that nothing thrown while
  // serving one request (a header Node refuses, a translator bug) escapes to undici or the
  // process: the request fails, its result settles, and the caller releases its lease.
  onConnect(abort: (err?: Error) => void): void {
    this.guard(() => this.connect(abort))
  }

  onHeaders(status: number, rawHeaders: Buffer[] | string[], resume: () => void): boolean {
    return this.guard(() => this.headers(status, rawHeaders, resume), false)
  }

  onData(chunk: Buffer): boolean {
    // guard() inlined: a closure per chunk was the stream path's largest allocation of our own.
    try {
      return this.decoder ? this.decode(chunk) : this.data(chunk)
    } catch (err) {
      this.internalFailure(err)
      return false
    }
  }

  onComplete(): void {
    if (this.decoder) this.decoder.end()
    else this.guard(() => this.complete())
  }

  onError(err: Error): void {
    this.guard(() => this.error(err))
  }

  private startDecoding(scanned: { contentEncoding: string; list: string[] }): void {
    const decoder = contentDecoder(scanned.contentEncoding)
    if (!decoder) return // identity, or an encoding Node cannot undo: passed on as it came
    this.decoder = decoder
    scanned.list = withoutHeaders(scanned.list, DECODED_BODY_HEADERS)
    decoder.on('data', (plain: Buffer) => this.guard(() => this.data(plain)))
    decoder.on('end', () => this.guard(() => this.complete()))
    decoder.on('error', (err: Error) => this.guard(() => this.error(Object.assign(new Error(`upstream body could not be decoded: ${err.message}`), { code: 'UND_ERR_DECODE' }))))
  }

  /** A compressed upstream chunk: the idle deadline counts raw bytes; data() sees decoded ones. */
  private decode(chunk: Buffer): boolean {
    if (this.mode === 'done') return true
    if (!this.paused) this.deadline = Date.now() + this.req.upstream.timeouts.idleMs
    this.decoder!.write(chunk)
    return !this.paused
  }

  private guard<T>(step: () => T, onThrow?: T): T {
    try {
      return step()
    } catch (err) {
      this.internalFailure(err)
      return onThrow as T
    }
  }

  /** A bug of ours broke this exchange: fail it (never the process), stop the upstream, keep the cause. */
  private internalFailure(err: unknown): void {
    const error = new GatewayError('internal_error', `the gateway could not relay this answer: ${(err as Error)?.message ?? String(err)}`.slice(0, 300))
    try {
      if (this.resultSettled) {
        // The client already has a head: end what can be ended; a half-sent body cannot be repaired.
        try {
          this.req.client.fail(error, this.stream ? this.safeFailureEvent(error) : undefined)
        } catch {
          this.req.client.res.destroy()
        }
        this.finish('internal_error', this.req.client.started ? this.status : 500, error.message)
      } else {
        this.committed = false // the head never went out: the caller answers with an error of its own
        this.failBeforeCommit({ outcome: 'internal_error', status: 500, error })
      }
    } finally {
      this.abort(new ClientGoneError())
    }
  }

  private safeFailureEvent(err: GatewayError): string | undefined {
    try {
      return this.stream?.failure(err)
    } catch {
      return undefined
    }
  }

  private connect(abort: (err?: Error) => void): void {
    this.abortUpstream = abort
    // Already over: the client left, or the first-byte deadline passed while the request queued in the pool.
    if (this.mode === 'done') abort(new ClientGoneError())
  }

  private headers(status: number, rawHeaders: Buffer[] | string[], resume: () => void): boolean {
    this.resumeUpstream = resume
    if (status < 200 || this.mode === 'done') return true
    const req = this.req
    this.status = status
    if (req.onUpstreamHeaders) {
      let parsed: IncomingHttpHeaders | undefined // parsed at most once, however often the caller asks
      req.onUpstreamHeaders(status, () => (parsed ??= util.parseHeaders(rawHeaders as Buffer[]) as IncomingHttpHeaders))
    }
    // One pass over the raw headers: the content type, and the list passed on to the client.
    const scanned = scanRawHeaders(rawHeaders)
    if (scanned.contentEncoding !== '') this.startDecoding(scanned)
    if (status >= 400) {
      req.meter?.responseStarted(status, undefined)
      this.mode = 'error-body'
      return true
    }
    const passthrough = req.translation === 'passthrough'
    const contentType = scanned.contentType
    req.meter?.responseStarted(status, contentType)
    const streamed = contentType.startsWith('text/event-stream') || contentType.includes('ndjson')
    if (streamed && req.mapAnswer === undefined && (passthrough || req.clientInfo?.stream !== false)) {
      this.stream = streamMode(req.translation, req.client, req.clientInfo, req.meter, req.inputTokens, req.upstream.scrub)
      this.mode = req.sniffFirstEvent ? 'sniffing' : 'stream'
      this.head = passthrough ? withoutHeaders(scanned.list, STREAM_OWN_HEADERS) : ['content-type', this.stream.contentType!]
      this.head.push('cache-control', 'no-cache', 'x-accel-buffering', 'no')
    } else if (contentType.includes('json') && passthrough && req.rewriteModel === undefined && req.mapAnswer === undefined) {
      this.mode = 'bytes'
      this.head = scanned.list
    } else if (contentType === '' || contentType.includes('json')) {
      this.mode = 'buffer'
      this.head = passthrough ? withoutHeaders(scanned.list, REWRITE_OWN_HEADERS) : []
    } else {
      const type = contentType.split(';')[0]
      this.failBeforeCommit({
        outcome: 'bad_response',
        status,
        error: new GatewayError('upstream_bad_response', `provider "${req.providerId}" answered ${status} with ${type} instead of JSON; check its baseUrl`),
      })
      this.abort(new ClientGoneError())
    }
    return !this.paused
  }

  private data(chunk: Buffer): boolean {
    if (this.firstByteMs === undefined) {
      this.firstByteMs = performance.now() - this.startedAt
      this.req.meter?.firstByte() // the upstream's time to first byte, before anything is written
    }
    if (!this.paused) this.deadline = Date.now() + this.req.upstream.timeouts.idleMs
    // The client's bytes go out first; reading them for usage can wait until they are on their way.
    switch (this.mode) {
      case 'stream':
        this.send(this.stream!.push(chunk))
        this.req.meter?.upstreamChunk(chunk)
        break
      case 'bytes':
        this.send(chunk)
        this.req.meter?.upstreamChunk(chunk)
        break
      case 'sniffing':
        this.req.meter?.upstreamChunk(chunk)
        this.chunks.push(chunk)
        this.sniff(false)
        break
      case 'buffer':
      case 'error-body':
        this.buffered += chunk.length
        if (this.buffered > (this.mode === 'buffer' ? MAX_BUFFERED_BYTES : MAX_ERROR_BODY_BYTES)) {
          this.failBeforeCommit({ outcome: 'bad_response', status: this.status, error: new GatewayError('upstream_bad_response', `provider "${this.req.providerId}" sent an oversized body`) })
          this.abort(new ClientGoneError())
          break
        }
        this.chunks.push(chunk)
        break
      default:
        break
    }
    return !this.paused
  }

  private complete(): void {
    deadlines.delete(this)
    const client = this.req.client
    switch (this.mode) {
      case 'sniffing':
        this.sniff(true) // a stream that ended within its first event
        if ((this.mode as Mode) === 'stream') this.endStream()
        return
      case 'stream':
        this.endStream()
        return
      case 'bytes':
        this.commit()
        client.end()
        this.finish()
        return
      case 'buffer':
        this.endBuffered()
        return
      case 'error-body':
        // The provider's own secrets never reach the client (or a log) through its error answer.
        this.failBeforeCommit(upstreamErrorResult(this.req.providerId, client.dialect, this.status, this.req.upstream.scrub.buffer(Buffer.concat(this.chunks, this.buffered))))
        return
      case 'waiting':
        this.failBeforeCommit({ outcome: 'bad_response', error: new GatewayError('upstream_bad_response', `provider "${this.req.providerId}" ended the response without a status`) })
        return
      default:
        return
    }
  }

  private error(err: Error): void {
    deadlines.delete(this)
    if (this.mode === 'done') return
    if (this.clientGone || err instanceof ClientGoneError) {
      // undici may call this synchronously from abort() in onClientClose: an attempt
      // not committed yet must still resolve its result, or the request (and its lease) hangs.
      if (this.committed) this.finish('client_aborted', 499)
      else this.failBeforeCommit(clientAbortedFailure())
      return
    }
    const failure = transportFailure(err, this.req.providerId)
    if (!this.committed) {
      this.failBeforeCommit(failure)
      return
    }
    // After the first byte there is no retry: the stream ends with an error event.
    const event = this.stream?.failure(failure.error)
    this.req.client.fail(failure.error, event === undefined ? undefined : this.masked(event))
    // The client already has its status (200): the row says that, and the error class says why it broke.
    this.finish(failure.error.code, this.status, failure.error.message)
  }

  /** Looks at the held start of a stream; commits it once its first event is known not to be an error. */
  private sniff(ended: boolean): void {
    const verdict = sniffFirstEvent(this.chunks, ended, this.req.providerId, this.req.upstream.scrub)
    if (verdict === 'incomplete') return
    if (verdict !== 'ok') {
      this.failBeforeCommit(verdict)
      if (!ended) this.abort(new ClientGoneError())
      return
    }
    this.mode = 'stream'
    const held = this.chunks
    this.chunks = []
    for (const chunk of held) this.send(this.stream!.push(chunk))
  }

  private endStream(): void {
    this.commit()
    const last = this.stream!.end()
    this.req.client.end(last === undefined ? undefined : this.masked(last))
    this.streamFailure = this.stream!.endedWithError
    this.finish()
  }

  private endBuffered(): void {
    const body = Buffer.concat(this.chunks, this.buffered)
    this.chunks = []
    const req = this.req
    const decoded = decodeBody(body, req)
    if (!decoded.ok) {
      this.failBeforeCommit({ outcome: 'bad_response', status: this.status, error: decoded.error })
      return
    }
    this.head.push('content-type', 'application/json', 'content-length', String(decoded.payload.length))
    this.commit()
    req.client.end(this.masked(decoded.payload))
    this.finish()
  }

  /** Writes client bytes, committing the head first; pauses the upstream when the client is slow. */
  /** What the client gets of upstream bytes: the provider's own secrets masked (see SecretScrubber). */
  private masked<T extends Buffer | string>(out: T): T {
    const scrub = this.req.upstream.scrub
    if (scrub.empty) return out
    return (typeof out === 'string' ? scrub.maskText(out) : scrub.mask(out)) as T
  }

  private send(chunk: Buffer | string): void {
    if (chunk.length === 0) return
    const out = this.masked(chunk)
    this.commit()
    const client = this.req.client
    if (!client.write(out) && !this.paused) {
      this.paused = true // onData/onHeaders return false: undici stops reading the upstream socket
      this.deadline = Infinity // a paused read is our doing, not an idle upstream
      client.res.once('drain', this.onDrain)
    }
  }

  private readonly onDrain = (): void => this.guard(() => this.drained())

  private drained(): void {
    if (!this.paused) return
    this.paused = false
    this.deadline = Date.now() + this.req.upstream.timeouts.idleMs
    this.resumeUpstream?.()
  }

  private abort(err: Error): void {
    this.abortUpstream?.(err)
  }

  private commit(): void {
    if (this.committed) return
    this.committed = true
    this.req.client.head(this.status, this.head)
    const done = new Promise<AttemptEnd>((resolve) => (this.resolveDone = resolve))
    this.resultSettled = true
    this.resolveResult({ kind: 'committed', status: this.status, firstByteMs: this.firstByteMs ?? performance.now() - this.startedAt, done })
  }

  private failBeforeCommit(failure: AttemptFailure): void {
    if (this.mode === 'done') return
    this.mode = 'done'
    deadlines.delete(this)
    this.req.client.res.off('close', this.onClientClose)
    this.chunks = []
    this.decoder?.destroy()
    this.resultSettled = true
    this.resolveResult({ kind: 'failed', ...failure, latencyMs: failure.latencyMs ?? performance.now() - this.startedAt })
  }

  private finish(errorCode?: string, status = this.status, errorMessage?: string): void {
    if (this.mode === 'done') return
    this.mode = 'done'
    deadlines.delete(this)
    this.req.client.res.off('close', this.onClientClose)
    this.chunks = []
    this.decoder?.destroy()
    this.resolveDone?.({ status, errorCode, errorMessage, clientAborted: this.clientGone, streamFailure: this.streamFailure })
  }

  /** The wheel found this attempt past its first-byte or idle deadline. */
  expire(): void {
    this.guard(() => this.expireNow())
  }

  private expireNow(): void {
    const firstByte = this.firstByteMs === undefined
    const ms = firstByte ? this.req.upstream.timeouts.firstByteMs : this.req.upstream.timeouts.idleMs
    const err = new TimeoutError(firstByte ? 'first-byte' : 'idle', ms)
    if (this.abortUpstream) this.abortUpstream(err)
    else this.onError(err)
  }

  private readonly onClientClose = (): void => this.guard(() => this.clientClosed())

  private clientClosed(): void {
    if (this.mode === 'done' || this.req.client.res.writableFinished) return
    this.clientGone = true
    deadlines.delete(this)
    // The GPU behind a local model must stop generating for a caller that has gone.
    this.abortUpstream?.(new ClientGoneError())
    if (this.committed) this.finish('client_aborted', 499)
    else this.failBeforeCommit(clientAbortedFailure())
  }
}

function clientAbortedFailure(): AttemptFailure {
  return { outcome: 'client_aborted', error: new GatewayError('upstream_error', 'client closed the connection', { status: 499 }) }
}

