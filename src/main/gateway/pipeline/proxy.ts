// The request pipeline after ingress: route -> admit -> balance -> forward -> meter, with
// failover before the first byte reached the client and never after.
import type { IncomingHttpHeaders } from 'node:http'
import type { Admission } from '../admission/admission'
import type { Lease } from '../admission/providerLimiter'
import { estimateRequestTokens, type RequestShape, type TokenEstimate } from '../admission/tokenEstimate'
import { GatewayError } from '../common/errors'
import { runAttempt } from '../forward/attempt'
import type { AttemptFailure } from '../forward/attemptFailure'
import { ClientResponse } from '../forward/clientResponse'
import type { PoolRegistry } from '../forward/poolRegistry'
import type { Logger } from '../common/log'
import type { ThrottledLog } from '../common/logThrottle'
import { outcomeFromGatewayCode } from '../common/attemptOutcome'
import { requestDeadline } from '../routing/deadline'
import { retryDelayMs } from '../routing/retryAfter'
import type { RequestPlan, Router } from '../routing/router'
import type { LiveStats } from '../stats/liveStats'
import type { RequestMeter } from '../usage/requestMeter'
import type { AttemptStep } from '../usage/types'
import type { UsageService } from '../usage/usageService'
import { startKeepAlive, type KeepAlive, type KeepAliveTiming } from './keepAlive'
import type { GatewayRequest } from './request'
import { prepareUpstreamCall } from './upstreamCall'

const SHED: ReadonlySet<string> = new Set(['queue_full', 'gateway_paused', 'shutting_down'])

export interface ProxyDeps {
  /** Warnings about upstream trouble, at most one per kind per second. */
  warnings: ThrottledLog
  pools: PoolRegistry
  router: Router
  admission: Admission
  usage?: UsageService
  stats: LiveStats
  logger: Logger
  keepAlive?: KeepAliveTiming
  /** True once the gateway is stopping: a stream cut then was cut by us, not by its client. */
  shuttingDown?: () => boolean
}

const SHAPES: Record<GatewayRequest['endpoint'], RequestShape> = {
  '/chat/completions': 'chat',
  '/completions': 'completions',
  '/embeddings': 'embeddings',
  '/v1/messages': 'anthropic-messages',
}

/** Cloud kinds report rate limits in headers worth learning; local servers do not send them. */
const LEARNS_FROM_HEADERS = new Set(['openai-compatible', 'anthropic'])

/** How a request ended, for the live counters. */
export interface ProxyOutcome {
  failed: boolean
  tokens: number
}

const FAILED: ProxyOutcome = { failed: true, tokens: 0 }
const ABORTED: ProxyOutcome = { failed: false, tokens: 0 }

/** Serves one parsed request. */
export async function proxy(req: GatewayRequest, deps: ProxyDeps): Promise<ProxyOutcome> {
  const { ctx } = req
  const client = new ClientResponse(ctx.res, req.protocol, ctx.requestId)
  const meter = deps.usage?.startRequest({ requestId: ctx.requestId, app: req.app, routeModel: req.model, endpoint: req.endpoint, stream: req.stream, requestBody: req.body })
  let plan: RequestPlan
  try {
    // The caller's own timeout, when it sends one, bounds failover (see routing/deadline.ts).
    const deadline = requestDeadline(ctx.req.headers, Date.now())
    plan = deps.router.plan(ctx.runtime, req.model, { headers: ctx.req.headers, body: req.body, deadline })
  } catch (err) {
    const error = err instanceof GatewayError ? err : new GatewayError('internal_error', 'routing failed')
    return finishWithError(client, meter, error, deps)
  }
  const gone = new ClientGone(ctx.res)
  const keepAlive: KeepAlive | undefined = req.stream ? startKeepAlive(client, deps.keepAlive?.graceMs, deps.keepAlive?.everyMs) : undefined
  const leases: OpenLease = {}
  try {
    return await attempts(req, plan, client, meter, gone, keepAlive, leases, deps)
  } catch (err) {
    // Whatever went wrong, the request is over: its ledger row must not stay in flight.
    void meter?.finish({ status: client.started ? 200 : 500, errorClass: 'internal_error' })
    throw err
  } finally {
    // Every lease ends settled or cancelled, even if the loop threw: a leaked one would hold a
    // concurrency slot (with maxConcurrent=1, the whole provider) forever.
    if (leases.current && !leases.current.done) leases.current.cancel()
    keepAlive?.stop()
    gone.dispose()
  }
}

/** The lease of the attempt under way, so that proxy() can release it whatever happens. */
interface OpenLease {
  current?: Lease
}

/** An AbortSignal for "the client left", made only when something must wait (most requests never do). */
class ClientGone {
  private controller?: AbortController
  constructor(private readonly res: GatewayRequest['ctx']['res']) {}

  get aborted(): boolean {
    return this.res.destroyed && !this.res.writableFinished
  }

  signal(): AbortSignal {
    if (!this.controller) {
      this.controller = new AbortController()
      if (this.aborted) this.onClose()
      else this.res.on('close', this.onClose)
    }
    return this.controller.signal
  }

  dispose(): void {
    if (this.controller) this.res.off('close', this.onClose)
  }

  private readonly onClose = (): void => {
    if (!this.res.writableFinished) this.controller?.abort(new GatewayError('upstream_error', 'client closed the connection', { status: 499 }))
  }
}

/** Walks the plan to an answer (or an error) for the client. */
async function attempts(
  req: GatewayRequest,
  plan: RequestPlan,
  client: ClientResponse,
  meter: RequestMeter | undefined,
  gone: ClientGone,
  keepAlive: KeepAlive | undefined,
  leases: OpenLease,
  deps: ProxyDeps,
): Promise<ProxyOutcome> {
  const rt = req.ctx.runtime
  let estimate: TokenEstimate | undefined
  let last: AttemptFailure | undefined
  for (;;) {
    const remaining = plan.remaining()
    if (remaining.length === 0) break
    const ids = remaining.map((c) => c.providerId)
    if (estimate === undefined) {
      estimate = deps.admission.needsTokenEstimate(ids, req.keyedApp)
        ? estimateRequestTokens(req.body, { shape: SHAPES[req.endpoint], model: req.model, defaultMaxTokens: rt.providers.get(ids[0]!)?.config.defaultMaxTokens })
        : { input: 0, output: 0 }
    }
    let providerId: string
    let lease: Lease
    try {
      const ask = { candidates: ids, estimate, app: req.keyedApp, priority: req.priority }
      const admitted = deps.admission.tryAcquire(ask) ?? (await deps.admission.acquire({ ...ask, signal: gone.signal() }))
      providerId = admitted.providerId
      lease = admitted.lease
      leases.current = lease
    } catch (err) {
      if (gone.aborted) return finishAborted(meter)
      return finishWithError(client, meter, err instanceof GatewayError ? err : new GatewayError('internal_error', 'admission failed'), deps)
    }
    const candidate = plan.take(providerId)
    const provider = rt.providers.get(providerId)
    if (!candidate || !provider) {
      lease.cancel() // its half-open slot was taken meanwhile: try the others
      continue
    }
    const inputTokens = estimate.input > 0 ? estimate.input : undefined
    // A key pool: the key admission chose for this attempt (its state lives in admission).
    const key = provider.keys?.pick(Date.now(), lease.key)
    let call
    try {
      call = prepareUpstreamCall(req, provider, candidate.upstreamModel, deps.router.catalog?.contextLength(providerId, candidate.upstreamModel), inputTokens, key?.headers)
    } catch (err) {
      lease.cancel()
      last = { outcome: 'http_error', status: 400, error: err instanceof GatewayError ? err : new GatewayError('invalid_request', 'request cannot be sent to this provider') }
      continue
    }
    client.servedBy(providerId, candidate.upstreamModel)
    meter?.attempt({
      provider: providerId,
      providerKind: provider.config.kind,
      upstreamModel: candidate.upstreamModel,
      protocol: provider.adapter.protocol,
      pricing: provider.config.pricing,
      injectedUsage: call.injectedUsage,
      keyLabel: key?.label,
    })
    let upstreamHeaders: (() => IncomingHttpHeaders) | undefined
    /** Another key of the pool can serve now: this key's 429 does not make the provider busy. */
    let keyAbsorbs = false
    const learns = LEARNS_FROM_HEADERS.has(provider.config.kind)
    const startedAt = Date.now()
    deps.stats.attemptStarted(providerId)
    const result = await runAttempt({
      dispatcher: deps.pools.get(provider.upstream),
      upstream: provider.upstream,
      providerId,
      path: call.path,
      headers: call.headers,
      body: call.body,
      client,
      translation: call.translation,
      clientInfo: call.clientInfo,
      rewriteModel: call.rewriteModel,
      meter,
      sniffFirstEvent: req.stream && plan.remaining().length > 0,
      inputTokens,
      onUpstreamHeaders(status, headers) {
        upstreamHeaders = headers
        // A pooled key's answer teaches that key (its account's budget), and may rest it.
        if (key) keyAbsorbs = deps.admission.reportKey(providerId, key.label, { status, headers: headers() })
        else if (learns || status === 429 || status === 503) deps.admission.limiter(providerId)?.learn(headers())
      },
    })

    if (result.kind === 'committed') {
      keepAlive?.stop()
      const record = { providerId, model: candidate.upstreamModel, outcome: 'success' as const, status: result.status, latencyMs: result.firstByteMs, startedAt }
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
      // The breaker hears about the stream once it is over: a mid-stream stall or reset counts against the backend.
      plan.settle(record, failed ? { outcome: outcomeFromGatewayCode(end.errorCode, end.status), errorCode: end.errorCode, message: end.errorMessage } : undefined)
      deps.stats.attemptEnded(providerId, failed, Date.now() - startedAt)
      const finished = meter?.finish(
        cutByShutdown
          ? { status: end.status, errorClass: 'shutdown', path: pathOf(plan, failed) }
          : { status: end.status, errorClass: end.errorCode, clientAborted: end.clientAborted, path: pathOf(plan, failed) },
      )
      const row = finished instanceof Promise ? await finished : finished
      const tokens = row ? row.promptTokens + row.completionTokens : 0
      lease.settle(row ? tokens : undefined)
      if (failed) deps.warnings.warn(`${providerId}:${end.errorCode}`, { reqId: req.ctx.requestId, provider: providerId, code: end.errorCode }, 'stream failed after it began')
      return { failed, tokens }
    }

    deps.stats.attemptEnded(providerId, result.outcome !== 'client_aborted' && result.outcome !== 'internal_error')
    if (result.outcome === 'connect_error' || result.outcome === 'client_aborted') lease.cancel()
    else lease.settle(0)
    const decision = plan.report(
      {
        providerId,
        model: candidate.upstreamModel,
        outcome: result.outcome,
        status: result.status,
        errorCode: result.error.code,
        latencyMs: result.latencyMs ?? 0,
        startedAt,
        retryAfterMs: keyAbsorbs ? 0 : upstreamHeaders ? retryDelayMs(upstreamHeaders(), Date.now(), result.status) : undefined,
        message: result.error.message,
      },
      { firstByteSent: false },
    )
    if (result.outcome === 'client_aborted' || gone.aborted) return finishAborted(meter)
    last = result
    // Our own failure is logged once, with the answer the client gets (finishWithError).
    if (result.outcome !== 'internal_error') deps.warnings.warn(`${providerId}:${result.outcome}`, { reqId: req.ctx.requestId, provider: providerId, outcome: result.outcome, status: result.status, retry: decision.retry }, 'upstream attempt failed')
    if (!decision.retry) break
    if (decision.delayMs > 0) await sleep(decision.delayMs, gone.signal())
    if (gone.aborted) return finishAborted(meter)
  }
  if (!last) {
    const retryAfterSec = plan.recoversAt === undefined ? 5 : Math.max(1, (plan.recoversAt - Date.now()) / 1000)
    return finishWithError(client, meter, new GatewayError('upstream_unreachable', 'no provider of this model can take the request right now', { retryAfterSec }), deps)
  }
  if (last.upstreamError) {
    client.sendUpstreamError(last.upstreamError.status, last.upstreamError.body, busyRetryAfterSec(last.upstreamError.status, plan, deps.router))
    void meter?.finish({ status: last.upstreamError.status, errorClass: `upstream_${last.status ?? last.upstreamError.status}`, path: pathOf(plan, true) })
    return FAILED
  }
  return finishWithError(client, meter, last.error, deps, plan)
}

/** The attempts for the request log, when they tell more than "one attempt, fine". */
function pathOf(plan: RequestPlan, failed: boolean): AttemptStep[] | undefined {
  if (plan.attempts.length < 2 && !failed) return undefined
  return plan.attempts.map((a) => ({ provider: a.providerId, model: a.model, outcome: a.outcome, status: a.status, latencyMs: Math.round(a.latencyMs) }))
}

/**
 * Retry-After for a passed-through 429/503 (the upstream's own header is not forwarded): when the
 * first of the busy providers this request tried comes out of its cooldown — which is the
 * provider's Retry-After / rate-limit reset when it sent one (HealthRegistry) — else 1 s.
 */
function busyRetryAfterSec(status: number, plan: RequestPlan, router: Router): number | undefined {
  if (status !== 429 && status !== 503) return undefined
  const now = Date.now()
  const tried = new Set(plan.attempts.filter((a) => a.outcome === 'busy').map((a) => a.providerId))
  let soonest = Infinity
  for (const h of router.health.snapshot(tried, now)) if (h.cooldownUntil !== undefined) soonest = Math.min(soonest, h.cooldownUntil)
  return Number.isFinite(soonest) ? Math.max(1, (soonest - now) / 1000) : 1
}

function finishWithError(client: ClientResponse, meter: RequestMeter | undefined, err: GatewayError, deps: ProxyDeps, plan?: RequestPlan): ProxyOutcome {
  client.fail(err)
  void meter?.finish({ status: err.status, errorClass: err.code, path: plan && pathOf(plan, true) })
  // Load shedding (queue full, paused, shutting down) is expected and counted in /metrics, not logged.
  if (err.status >= 500 && !SHED.has(err.code)) deps.warnings.warn(err.code, { reqId: client.requestId, code: err.code, status: err.status }, err.message)
  return FAILED
}

function finishAborted(meter: RequestMeter | undefined): ProxyOutcome {
  void meter?.finish({ status: 499, errorClass: 'client_aborted', clientAborted: true })
  return ABORTED
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms)
    function done(): void {
      clearTimeout(timer)
      signal.removeEventListener('abort', done)
      resolve()
    }
    signal.addEventListener('abort', done, { once: true })
  })
}
