// Stage "meter" for requests that end without a committed answer: the error the client gets (in
// its dialect), the ledger row, and a log line for what is worth one.
import { GatewayError } from '../common/errors'
import type { ThrottledLog } from '../common/logThrottle'
import type { ClientResponse } from '../forward/clientResponse'
import type { RequestPlan, Router } from '../routing/router'
import type { RequestMeter } from '../usage/requestMeter'
import type { AttemptStep } from '../usage/types'

/** How a request ended, for the live counters. */
export interface ProxyOutcome {
  failed: boolean
  tokens: number
}

export const FAILED: ProxyOutcome = { failed: true, tokens: 0 }
export const ABORTED: ProxyOutcome = { failed: false, tokens: 0 }

const SHED: ReadonlySet<string> = new Set(['queue_full', 'gateway_paused', 'shutting_down'])

/** The attempts for the request log, when they tell more than "one attempt, fine". */
export function pathOf(plan: RequestPlan, failed: boolean): AttemptStep[] | undefined {
  if (plan.attempts.length < 2 && !failed) return undefined
  return plan.attempts.map((a) => ({ provider: a.providerId, model: a.model, outcome: a.outcome, status: a.status, latencyMs: Math.round(a.latencyMs) }))
}

export function finishWithError(client: ClientResponse, meter: RequestMeter | undefined, err: GatewayError, warnings: ThrottledLog, plan?: RequestPlan): ProxyOutcome {
  client.fail(err)
  void meter?.finish({ status: err.status, errorClass: err.code, path: plan && pathOf(plan, true) })
  // Load shedding (queue full, paused, shutting down) is expected and counted in /metrics, not logged.
  if (err.status >= 500 && !SHED.has(err.code)) warnings.warn(err.code, { reqId: client.requestId, code: err.code, status: err.status }, err.message)
  return FAILED
}

export function finishAborted(meter: RequestMeter | undefined): ProxyOutcome {
  void meter?.finish({ status: 499, errorClass: 'client_aborted', clientAborted: true })
  return ABORTED
}

/** The upstream's own error answer, relayed (it is already in the client's dialect). */
export function finishWithUpstreamError(client: ClientResponse, meter: RequestMeter | undefined, upstreamError: { status: number; body: Buffer }, attemptStatus: number | undefined, plan: RequestPlan, router: Router): ProxyOutcome {
  client.sendUpstreamError(upstreamError.status, upstreamError.body, busyRetryAfterSec(upstreamError.status, plan, router))
  void meter?.finish({ status: upstreamError.status, errorClass: `upstream_${attemptStatus ?? upstreamError.status}`, path: pathOf(plan, true) })
  return FAILED
}

/** 502 with a Retry-After for when the first unavailable candidate is expected back. */
export function noCandidateLeft(plan: RequestPlan): GatewayError {
  const retryAfterSec = plan.recoversAt === undefined ? 5 : Math.max(1, (plan.recoversAt - Date.now()) / 1000)
  return new GatewayError('upstream_unreachable', 'no provider of this model can take the request right now', { retryAfterSec })
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
