// One request's metering, in the order the pipeline meets it: start -> attempt(s) -> response
// start -> first byte -> every upstream chunk -> end. Everything on the way is O(1) or a byte
// search; the usage is worked out, priced and handed to the ledger batch only in finish(), after
// the response is over. A failed-over request is one row, on the target that served it.
import type { ProviderKind } from '../../../shared/config'
import { completionText, usageWithEstimate } from './estimateTokens'
import { InjectedUsageStripper } from './injectedUsage'
import type { GatewayMetrics } from './metrics'
import { costUsd, priceFor, type ModelPrice } from './pricing'
import { ZERO_USAGE, type AttemptStep, type InFlightRow, type RequestState, type TokenUsage, type UsageProtocol, type UsageRow } from './types'
import { usageFromJson } from './usageFromJson'
import { UsageScanner, type DeliveredText, type ScanResult } from './usageScanner'

export interface MeterSink {
  begin(row: InFlightRow): void
  record(row: UsageRow): void
}

export interface MeterDeps {
  ledger: MeterSink
  metrics?: GatewayMetrics
  now?: () => number
  logger?: { warn(obj: object, msg: string): void }
  /** Called once when this meter's row was handed to the ledger (or metering failed). */
  onSettled?: () => void
}

export interface MeterStart {
  requestId: string
  app: string
  /** Model name the client asked for. */
  routeModel: string
  /** e.g. `/chat/completions`, `/v1/messages`, `/api/chat`. */
  endpoint: string
  stream: boolean
  /** Parsed request body, for a prompt estimate if the backend never reports usage. */
  requestBody?: Record<string, unknown>
}

export interface AttemptTarget {
  provider: string
  providerKind: ProviderKind
  upstreamModel: string
  /** Protocol the upstream answers in (what the scanner reads). */
  protocol: UsageProtocol
  /** The provider's configured pricing table. */
  pricing?: Record<string, ModelPrice>
  /** The gateway added `stream_options.include_usage` to this attempt's body (see withIncludeUsage). */
  injectedUsage?: boolean
  /** The pooled key (its label) this attempt went out with. */
  keyLabel?: string
}

export interface MeterOutcome {
  /** The attempts, recorded when there was more than one or the request failed. */
  path?: AttemptStep[]
  /** Status the client got (499 for a client that left). */
  status: number
  /** Stable error code when the request failed (e.g. `upstream_timeout`, `client_aborted`). */
  errorClass?: string
  clientAborted?: boolean
}

export class RequestMeter {
  private readonly now: () => number
  private readonly startedAt: number
  private target: AttemptTarget | undefined
  private attempts = 0
  private attemptStartedAt = 0
  private firstByteAt: number | undefined
  private queueWaitMs: number | undefined
  private scanner: UsageScanner | undefined
  private bodyUsage: TokenUsage | undefined
  private stripper: InjectedUsageStripper | undefined
  private finished = false
  private scan: ScanResult | undefined
  private parsedBody: DeliveredText | undefined

  constructor(
    private readonly deps: MeterDeps,
    private readonly start: MeterStart,
  ) {
    this.now = deps.now ?? Date.now
    this.startedAt = this.now()
  }

  /** Before each upstream dispatch (a failover calls it again). The first one writes the in-flight marker. */
  attempt(target: AttemptTarget): void {
    this.target = target
    this.attempts++
    this.attemptStartedAt = this.now()
    this.firstByteAt = undefined
    this.scanner = undefined
    this.bodyUsage = undefined
    this.parsedBody = undefined
    this.stripper = target.injectedUsage ? new InjectedUsageStripper() : undefined
    if (this.attempts === 1) this.deps.ledger.begin(this.inFlight())
  }

  /** How long admission kept the request waiting for its first lease; later calls (failover) do not count. */
  queueWaited(ms: number): void {
    this.queueWaitMs ??= Math.max(0, Math.round(ms))
  }

  /** When the upstream's status and headers arrive. */
  responseStarted(status: number, contentType: string | undefined): void {
    const protocol = this.target?.protocol ?? 'openai'
    this.scanner = status >= 200 && status < 300 ? UsageScanner.forResponse(protocol, contentType) : undefined
    // Only an OpenAI-style event stream carries the injected usage chunk; anything else passes as is.
    if (this.scanner?.format !== 'openai-sse') this.stripper = undefined
  }

  /**
   * For a non-streamed body the caller parsed anyway (forward's buffer mode): usage from it, and no
   * second copy of the body in the scanner. Call instead of upstreamChunk for that response.
   */
  responseBody(parsed: unknown): void {
    this.firstByteAt ??= this.now()
    if (!this.scanner) return // not a 2xx
    this.bodyUsage = usageFromJson(parsed, this.scanner.protocol)
    this.scanner = undefined
    const text = this.bodyUsage ? '' : completionText(parsed)
    this.parsedBody = { text, textChars: text.length, textEvents: 0 }
  }

  /** The upstream's first body byte arrived (before the caller relays it; upstreamChunk may come after). */
  firstByte(): void {
    this.firstByteAt ??= this.now()
  }

  /** Every upstream body chunk, raw and in order (ForwardHandler.onResponseData). */
  upstreamChunk(chunk: Buffer): void {
    this.firstByteAt ??= this.now()
    this.scanner?.push(chunk)
  }

  /** The bytes to write to the client for an upstream chunk: the chunk itself unless usage was injected. */
  clientChunk(chunk: Buffer): Buffer {
    return this.stripper ? this.stripper.push(chunk) : chunk
  }

  /** Bytes held back by the stripper, to write before ending the response or an error event. */
  clientFlush(): Buffer | undefined {
    const rest = this.stripper?.flush()
    return rest && rest.length > 0 ? rest : undefined
  }

  /** True when the client has been sent whole SSE events only (for forward's error-event framing). */
  get clientAtEventBoundary(): boolean {
    return this.stripper?.atEventBoundary ?? true
  }

  /**
   * Why a response that ended normally at the HTTP level is broken all the same, or undefined:
   * `upstream_truncated` (a JSON body cut short), `incomplete_stream` (no `[DONE]`,
   * `message_stop` or `done: true`), or `upstream_<type>` for an error event inside the stream.
   * Call after the response ended and before finish(); finish() reuses what it read.
   */
  incompleteReason(): string | undefined {
    if (!this.scanner) return undefined // no 2xx body to judge, or one already parsed whole
    const scan = (this.scan ??= this.scanner.result())
    if (scan.streamError) return `upstream_${scan.streamError}`
    if (!scan.complete) return this.scanner.format === 'json' ? 'upstream_truncated' : 'incomplete_stream'
    return undefined
  }

  /**
   * After the response ended (or failed, or the client left). Never throws; resolves to the row
   * handed to the ledger. Only the first call counts.
   */
  finish(outcome: MeterOutcome): UsageRow | undefined | Promise<UsageRow | undefined> {
    if (this.finished) return undefined
    this.finished = true
    const endedAt = this.now()
    try {
      // Reported usage (the usual case) is recorded synchronously; only an estimate waits for the tokenizer.
      const known = this.reportedUsage()
      if (known) return this.settle(this.record(outcome, known, endedAt))
      return this.estimatedUsage().then(
        (u) => this.settle(this.record(outcome, u, endedAt)),
        (err: unknown) => this.settle(this.failed(err)),
      )
    } catch (err) {
      return this.settle(this.failed(err))
    }
  }

  private settle(row: UsageRow | undefined): UsageRow | undefined {
    this.deps.onSettled?.()
    return row
  }

  private failed(err: unknown): undefined {
    this.deps.logger?.warn({ err: (err as Error).message, reqId: this.start.requestId }, 'usage metering failed')
    return undefined
  }

  private record(outcome: MeterOutcome, measured: MeasuredUsage, endedAt: number): UsageRow | undefined {
    try {
      const { usage, estimated, streamError } = measured
      // A stream that ended with an error event failed, although its HTTP exchange ended cleanly.
      if (streamError && !outcome.errorClass && outcome.status < 400) outcome = { ...outcome, errorClass: `upstream_${streamError}` }
      const t = this.target
      const price = t ? priceFor({ kind: t.providerKind, pricing: t.pricing }, t.upstreamModel) : undefined
      const start = this.start
      // Spelled out, not spread: V8 builds a multi-spread literal in slow dictionary mode (5x slower here).
      const row: UsageRow = {
        requestId: start.requestId,
        ts: this.startedAt,
        app: start.app,
        provider: t?.provider ?? '',
        routeModel: start.routeModel,
        upstreamModel: t?.upstreamModel ?? '',
        endpoint: start.endpoint,
        stream: start.stream,
        status: outcome.status,
        state: stateOf(outcome),
        promptTokens: usage.promptTokens,
        completionTokens: usage.completionTokens,
        cachedTokens: usage.cachedTokens,
        cacheCreationTokens: usage.cacheCreationTokens,
        reasoningTokens: usage.reasoningTokens,
        costUsd: costUsd(usage, price),
        latencyMs: Math.max(0, endedAt - this.startedAt),
        ttftMs: this.firstByteAt === undefined ? null : Math.max(0, this.firstByteAt - this.attemptStartedAt),
        queueWaitMs: this.queueWaitMs ?? null,
        attempts: Math.max(1, this.attempts),
        errorClass: outcome.errorClass ?? (outcome.status >= 400 ? `http_${outcome.status}` : null),
        estimated,
        path: outcome.path,
        keyLabel: t?.keyLabel,
      }
      this.deps.ledger.record(row)
      this.deps.metrics?.observe({
        provider: row.provider,
        app: row.app,
        status: row.status,
        errorClass: row.errorClass ?? undefined,
        endpoint: row.endpoint,
        usage,
        durationSec: row.latencyMs === null ? undefined : row.latencyMs / 1000,
        ttftSec: row.ttftMs === null ? undefined : row.ttftMs / 1000,
      })
      return row
    } catch (err) {
      return this.failed(err)
    }
  }

  /** Usage the backend reported, zero for a response that never began; undefined when it must be estimated. */
  private reportedUsage(): MeasuredUsage | undefined {
    if (this.bodyUsage) return { usage: this.bodyUsage, estimated: false }
    if (this.parsedBody) return undefined
    if (!this.scanner) return { usage: { ...ZERO_USAGE }, estimated: false }
    this.scan ??= this.scanner.result()
    return this.scan.usage ? { usage: this.scan.usage, estimated: false, streamError: this.scan.streamError } : undefined
  }

  /** Estimated from what was delivered (a stream cut short, a server without usage support). */
  private async estimatedUsage(): Promise<MeasuredUsage> {
    if (this.parsedBody) return usageWithEstimate({ complete: true, delivered: this.parsedBody }, this.start.requestBody)
    const scan = this.scan!
    return { ...(await usageWithEstimate(scan, this.start.requestBody)), streamError: scan.streamError }
  }

  private inFlight(): InFlightRow {
    return {
      requestId: this.start.requestId,
      ts: this.startedAt,
      app: this.start.app,
      provider: this.target?.provider ?? '',
      routeModel: this.start.routeModel,
      upstreamModel: this.target?.upstreamModel ?? '',
      endpoint: this.start.endpoint,
      stream: this.start.stream,
    }
  }
}

interface MeasuredUsage {
  usage: TokenUsage
  estimated: boolean
  streamError?: string
}

function stateOf(outcome: MeterOutcome): RequestState {
  if (outcome.clientAborted) return 'aborted'
  if (outcome.errorClass || outcome.status >= 400) return 'error'
  return 'ok'
}
