// The request path after ingress, as a chain of named stages:
//
//   resolve (candidates) -> [ admit (a lease) -> prepare (what to send) -> attempt (send, relay) ]* -> meter
//
// The bracket repeats while the failover policy says another candidate is worth trying, which is
// only ever before the first byte reached the client. Every stage fails with a coded GatewayError
// rendered in the client's dialect; every lease, health slot and ledger row is settled exactly once.
import type { Admission } from '../admission/admission'
import { GatewayError } from '../common/errors'
import type { Logger } from '../common/log'
import type { ThrottledLog } from '../common/logThrottle'
import type { AttemptFailure } from '../forward/attemptFailure'
import { ClientResponse } from '../forward/clientResponse'
import type { PoolRegistry } from '../forward/poolRegistry'
import type { RequestPlan, Router } from '../routing/router'
import type { LiveStats } from '../stats/liveStats'
import type { RequestMeter } from '../usage/requestMeter'
import type { UsageService } from '../usage/usageService'
import { Admitter } from './admit'
import { UpstreamAttempt } from './attempt'
import { ClientGone, sleepUnlessGone } from './clientGone'
import { finishAborted, finishWithError, finishWithUpstreamError, noCandidateLeft, type ProxyOutcome } from './finish'
import { startKeepAlive, type KeepAlive, type KeepAliveTiming } from './keepAlive'
import { prepareUpstreamCall, type UpstreamCall } from './prepare'
import { clientDialectOf, type GatewayRequest } from './request'
import { resolveTargets } from './resolve'

export type { ProxyOutcome }

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

/** Serves one parsed request. */
export async function proxy(req: GatewayRequest, deps: ProxyDeps): Promise<ProxyOutcome> {
  const { ctx } = req
  const client = new ClientResponse(ctx.res, clientDialectOf(req), ctx.requestId, { geminiJsonArray: req.responseFlags?.geminiJsonArray })
  client.tap = req.tap
  const meter = deps.usage?.startRequest({ requestId: ctx.requestId, app: req.app, routeModel: req.model, endpoint: req.endpoint, stream: req.stream, requestBody: req.body })
  let plan: RequestPlan
  try {
    plan = resolveTargets(req, deps.router)
  } catch (err) {
    return finishWithError(client, meter, err instanceof GatewayError ? err : new GatewayError('internal_error', 'routing failed'), deps.warnings)
  }
  const gone = new ClientGone(ctx.res)
  const keepAlive: KeepAlive | undefined = req.stream ? startKeepAlive(client, deps.keepAlive?.graceMs, deps.keepAlive?.everyMs) : undefined
  const current: { attempt?: UpstreamAttempt } = {}
  try {
    return await attemptInTurn(req, plan, client, meter, gone, keepAlive, current, deps)
  } catch (err) {
    // Whatever went wrong, the request is over: its ledger row must not stay in flight.
    void meter?.finish({ status: client.started ? 200 : 500, errorClass: 'internal_error' })
    throw err
  } finally {
    // Every lease ends settled or cancelled, even if the loop threw: a leaked one would hold a
    // concurrency slot (with maxConcurrent=1, the whole provider) forever.
    current.attempt?.release('cancel')
    keepAlive?.stop()
    gone.dispose()
  }
}

/** Admit -> prepare -> attempt, candidate after candidate, until an answer or the policy says stop. */
async function attemptInTurn(
  req: GatewayRequest,
  plan: RequestPlan,
  client: ClientResponse,
  meter: RequestMeter | undefined,
  gone: ClientGone,
  keepAlive: KeepAlive | undefined,
  current: { attempt?: UpstreamAttempt },
  deps: ProxyDeps,
): Promise<ProxyOutcome> {
  const rt = req.ctx.runtime
  const admitter = new Admitter(req, deps.admission, rt, (ms) => meter?.queueWaited(ms))
  let last: AttemptFailure | undefined
  for (;;) {
    const remaining = plan.remaining()
    if (remaining.length === 0) break
    const ids = remaining.map((c) => c.providerId)
    let admitted
    try {
      admitted = admitter.now(ids) ?? (await admitter.wait(ids, gone))
    } catch (err) {
      if (gone.aborted) return finishAborted(meter)
      return finishWithError(client, meter, err instanceof GatewayError ? err : new GatewayError('internal_error', 'admission failed'), deps.warnings)
    }
    const candidate = plan.take(admitted.providerId)
    const provider = rt.providers.get(admitted.providerId)
    if (!candidate || !provider) {
      admitted.lease.cancel() // its half-open slot was taken meanwhile: try the others
      continue
    }
    const estimate = admitter.tokens([admitted.providerId])
    const inputTokens = estimate.input > 0 ? estimate.input : undefined
    // A key pool: the key admission chose for this attempt (its state lives in admission).
    const key = provider.keys?.pick(Date.now(), admitted.lease.key)
    let call: UpstreamCall
    try {
      call = prepareUpstreamCall(req, provider, candidate.upstreamModel, deps.router.catalog?.contextLength(admitted.providerId, candidate.upstreamModel), inputTokens, key?.headers)
    } catch (err) {
      admitted.lease.cancel()
      last = { outcome: 'http_error', status: 400, error: err instanceof GatewayError ? err : new GatewayError('invalid_request', 'request cannot be sent to this provider') }
      continue
    }
    const attempt = (current.attempt = new UpstreamAttempt(req, plan, candidate, provider, admitted.lease, call, deps, client, meter, key?.label))
    const result = await attempt.run(inputTokens)
    if (result.kind === 'committed') {
      keepAlive?.stop()
      // `return await`: an async function that returns a promise costs two more turns to adopt it.
      return await attempt.finishCommitted(result, deps.warnings)
    }
    const decision = attempt.failed(result)
    if (result.outcome === 'client_aborted' || gone.aborted) return finishAborted(meter)
    last = result
    // Our own failure is logged once, with the answer the client gets (finishWithError).
    if (result.outcome !== 'internal_error') {
      deps.warnings.warn(`${attempt.providerId}:${result.outcome}`, { reqId: req.ctx.requestId, provider: attempt.providerId, outcome: result.outcome, status: result.status, retry: decision.retry }, 'upstream attempt failed')
    }
    if (!decision.retry) break
    if (decision.delayMs > 0) await sleepUnlessGone(decision.delayMs, gone.signal())
    if (gone.aborted) return finishAborted(meter)
  }
  if (!last) return finishWithError(client, meter, noCandidateLeft(plan), deps.warnings)
  if (last.upstreamError) return finishWithUpstreamError(client, meter, last.upstreamError, last.status, plan, deps.router)
  return finishWithError(client, meter, last.error, deps.warnings, plan)
}
