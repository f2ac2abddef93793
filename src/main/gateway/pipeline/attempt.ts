// Stage "attempt": one try of one candidate. The attempt owns everything that try holds — its
// lease, its slot in the provider's health record, its part of the meter and the live stats —
// and gives each back exactly once, whatever happens (release()). The bytes themselves are
// relayed by forward/attempt.ts.
import type { IncomingHttpHeaders } from 'node:http'
import type { Admission } from '../admission/admission'
import type { Lease } from '../admission/providerLimiter'
import { outcomeFromGatewayCode } from '../common/attemptOutcome'
import type { ThrottledLog } from '../common/logThrottle'
import { runAttempt, type AttemptResult } from '../forward/attempt'
import type { ClientResponse } from '../forward/clientResponse'
import type { PoolRegistry } from '../forward/poolRegistry'
import type { ProviderRuntime } from '../providers/providerRuntime'
import type { Candidate } from '../routing/candidates'
import type { FailoverDecision } from '../routing/failoverPolicy'
import { retryDelayMs } from '../routing/retryAfter'
import type { RequestPlan } from '../routing/router'
import type { LiveStats } from '../stats/liveStats'
import type { RequestMeter } from '../usage/requestMeter'
import { usageProtocolOf } from '../usage/types'
import { pathOf, type ProxyOutcome } from './finish'
import type { UpstreamCall } from './prepare'
import type { GatewayRequest } from './request'

export interface AttemptDeps {
  pools: PoolRegistry
  admission: Admission
  stats: LiveStats
  warnings: ThrottledLog
  /** True once the gateway is stopping: a stream cut then was cut by us, not by its client. */
  shuttingDown?: () => boolean
}


export class UpstreamAttempt {
  readonly startedAt = Date.now()
  private released = false
  private upstreamHeaders?: () => IncomingHttpHeaders

  constructor(
    private readonly req: GatewayRequest,
    private readonly plan: RequestPlan,
    readonly candidate: Candidate,
    private readonly provider: ProviderRuntime,
    private readonly lease: Lease,
    private readonly call: UpstreamCall,
    private readonly deps: AttemptDeps,
    private readonly client: ClientResponse,
    private readonly meter: RequestMeter | undefined,
    /** The pooled key this attempt uses (its label: never the key). */
    private readonly keyLabel?: string,
  ) {}

  /** Another key of the pool can serve now: this key's 429 does not make the provider busy. */
  private keyAbsorbs = false

  get providerId(): string {
    return this.candidate.providerId
  }

  /** Sends the request and relays the answer until it is committed to the client or has failed. */
  run(inputTokens: number | undefined): Promise<AttemptResult> {
    const { provider, call, deps } = this
    const providerId = this.providerId
    this.client.servedBy(providerId, this.candidate.upstreamModel)
    this.meter?.attempt({
      provider: providerId,
      providerKind: provider.config.kind,
      upstreamModel: this.candidate.upstreamModel,
      protocol: usageProtocolOf(call.upstreamDialect),
      pricing: provider.config.pricing,
      injectedUsage: call.injectedUsage,
      keyLabel: this.keyLabel,
    })
    // Kinds whose answers carry rate-limit headers are learned from on every answer; the rest on refusals only.
    const learns = provider.adapter.rateLimits.headers !== undefined
    deps.stats.attemptStarted(providerId)
    return runAttempt({
      dispatcher: deps.pools.get(call.upstream),
      upstream: call.upstream,
      providerId,
      path: call.path,
      headers: call.headers,
      body: call.body,
      client: this.client,
      translation: call.translation,
      clientInfo: call.clientInfo,
      rewriteModel: call.rewriteModel,
      mapAnswer: call.mapAnswer ?? this.req.mapAnswer,
      meter: this.meter,
      sniffFirstEvent: this.req.stream && this.plan.remaining().length > 0,
      inputTokens,
      onUpstreamHeaders: (status, headers) => {
        this.upstreamHeaders = headers
        // A pooled key's answer teaches that key (its account's budget), and may rest it.
        if (this.keyLabel !== undefined) this.keyAbsorbs = deps.admission.reportKey(providerId, this.keyLabel, { status, headers: headers() })
        else if (learns || status === 429 || status === 503) deps.admission.limiter(providerId)?.learn(headers())
      },
    })
  }

  /**
   * The answer went to the client: wait for its end, then tell the provider's health (a stream that
   * broke after its first byte counts against it), the stats, the ledger and the lease.
   */
  async finishCommitted(result: Extract<AttemptResult, { kind: 'committed' }>, warnings: ThrottledLog): Promise<ProxyOutcome> {
    const { plan, meter, deps } = this
    const providerId = this.providerId
    const record = { providerId, model: this.candidate.upstreamModel, outcome: 'success' as const, status: result.status, latencyMs: result.firstByteMs, startedAt: this.startedAt }
    plan.commit(record)
    const end = await result.done
    // Connections still open at the end of the shutdown grace are closed by the gateway itself.
    const cutByShutdown = end.clientAborted && deps.shuttingDown?.() === true
    // An exchange that ended cleanly can still have failed: cut JSON, a stream without its end
    // event, an error event inside the stream. The ledger, /metrics and the breaker all hear it.
    if (end.errorCode === undefined && !end.clientAborted) {
      const broken = meter?.incompleteReason() ?? (end.streamFailure === undefined ? undefined : `upstream_${end.streamFailure}`)
      if (broken) end.errorCode = broken
    }
    const failed = end.errorCode !== undefined && !end.clientAborted
    plan.settle(record, failed ? { outcome: outcomeFromGatewayCode(end.errorCode, end.status), errorCode: end.errorCode, message: end.errorMessage } : undefined)
    deps.stats.attemptEnded(providerId, failed, Date.now() - this.startedAt)
    const finished = meter?.finish(
      cutByShutdown
        ? { status: end.status, errorClass: 'shutdown', path: pathOf(plan, failed) }
        : { status: end.status, errorClass: end.errorCode, clientAborted: end.clientAborted, path: pathOf(plan, failed) },
    )
    const row = finished instanceof Promise ? await finished : finished
    const tokens = row ? row.promptTokens + row.completionTokens : 0
    this.release(row ? tokens : undefined)
    if (failed) warnings.warn(`${providerId}:${end.errorCode}`, { reqId: this.req.ctx.requestId, provider: providerId, code: end.errorCode }, 'stream failed after it began')
    return { failed, tokens }
  }

  /** Failed before the first byte: give back what it held and ask the plan whether to try another. */
  failed(result: Extract<AttemptResult, { kind: 'failed' }>): FailoverDecision {
    const providerId = this.providerId
    this.deps.stats.attemptEnded(providerId, result.outcome !== 'client_aborted' && result.outcome !== 'internal_error')
    // Nothing reached a provider that refused the connection: its budget is untouched.
    this.release(result.outcome === 'connect_error' || result.outcome === 'client_aborted' ? 'cancel' : 0)
    return this.plan.report(
      {
        providerId,
        model: this.candidate.upstreamModel,
        outcome: result.outcome,
        status: result.status,
        errorCode: result.error.code,
        latencyMs: result.latencyMs ?? 0,
        startedAt: this.startedAt,
        retryAfterMs: this.keyAbsorbs
          ? 0
          : (this.upstreamHeaders ? retryDelayMs(this.upstreamHeaders(), Date.now(), result.status) : undefined) ??
          (result.upstreamError ? this.provider.adapter.rateLimits.retryDelayFromBody?.(result.upstreamError.status, result.upstreamError.body) : undefined),
        message: result.error.message,
      },
      { firstByteSent: false },
    )
  }

  /**
   * Gives the lease back, once: settled with the tokens used (undefined: unknown, keep the
   * reservation), or cancelled when the request never reached the provider.
   */
  release(used: number | undefined | 'cancel'): void {
    if (this.released || this.lease.done) return
    this.released = true
    if (used === 'cancel') this.lease.cancel()
    else this.lease.settle(used)
  }
}
