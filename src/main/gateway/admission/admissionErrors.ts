// The coded errors a waiting request can end with, each with a Retry-After computed from the
// limiters' windows (never a guess: the moment the earliest candidate could take it again).
import { GatewayError } from '../common/errors'
import type { Checkable } from './admissionTypes'
import type { BlockReason } from './providerLimiter'
import type { TokenEstimate } from './tokenEstimate'

const REASON_TEXT: Record<BlockReason, string> = {
  rpm: 'requests-per-minute limit',
  tpm: 'tokens-per-minute limit',
  concurrency: 'concurrency limit',
  cooldown: 'upstream asked to retry later',
  'upstream-budget': 'upstream rate-limit budget',
}

export interface Blocked {
  providerId: string
  /** The line's verdict: its limiter (and key pool), or the shared store's last word. */
  limiter: Checkable
}

/** Seconds until the soonest candidate could admit `estimate` (and its app allows it); at least 1. */
export function retryAfterSec(candidates: readonly Blocked[], estimate: TokenEstimate, app: Checkable | undefined, now: number): number {
  let soonest = Infinity
  for (const c of candidates) {
    const result = c.limiter.check(estimate, now)
    soonest = Math.min(soonest, result.ok ? 0 : result.retryAfterMs)
  }
  const appResult = app?.check(estimate, now)
  const appWait = appResult && !appResult.ok ? appResult.retryAfterMs : 0
  const ms = Math.max(Number.isFinite(soonest) ? soonest : 0, appWait)
  return Math.max(1, Math.ceil(ms / 1000))
}

function describe(candidates: readonly Blocked[], estimate: TokenEstimate, app: Checkable | undefined, appName: string | undefined, now: number): string {
  const appResult = app?.check(estimate, now)
  if (appResult && !appResult.ok) return `app "${appName}" is over its ${REASON_TEXT[appResult.reason]}`
  const parts = candidates.map((c) => {
    const result = c.limiter.check(estimate, now)
    return result.ok ? `"${c.providerId}"` : `"${c.providerId}" (${REASON_TEXT[result.reason]})`
  })
  return `provider ${parts.join(', ')}`
}

export function waitTimedOut(
  candidates: readonly Blocked[],
  estimate: TokenEstimate,
  app: Checkable | undefined,
  appName: string | undefined,
  waitedMs: number,
  now: number,
): GatewayError {
  return new GatewayError(
    'rate_limited',
    `rate limited: waited ${Math.round(waitedMs)} ms in the queue; ${describe(candidates, estimate, app, appName, now)}`,
    { retryAfterSec: retryAfterSec(candidates, estimate, app, now) },
  )
}

/** No queue to wait in (queue.maxSize 0): the limit answers at once, as a 429. */
export function limitedNoQueue(candidates: readonly Blocked[], estimate: TokenEstimate, app: Checkable | undefined, appName: string | undefined, now: number): GatewayError {
  return new GatewayError('rate_limited', `rate limited: ${describe(candidates, estimate, app, appName, now)}; queueing is disabled`, {
    retryAfterSec: retryAfterSec(candidates, estimate, app, now),
  })
}

export function queueFull(providerIds: readonly string[], retryAfter: number, dropped: boolean): GatewayError {
  const which = providerIds.map((id) => `"${id}"`).join(', ')
  const message = dropped
    ? `queue full: dropped from the queue of provider ${which} to make room for a newer request`
    : `queue full: the queue of provider ${which} is full`
  return new GatewayError('queue_full', message, { retryAfterSec: retryAfter })
}

export function providerRemoved(providerId: string): GatewayError {
  return new GatewayError('upstream_unreachable', `provider "${providerId}" was removed from the configuration while the request waited`)
}

export function shuttingDown(): GatewayError {
  return new GatewayError('shutting_down', 'the gateway is shutting down', { retryAfterSec: 5 })
}

/** What an abortable API rejects with: the signal's reason, or a standard AbortError. */
export function abortReason(signal: AbortSignal): unknown {
  return signal.reason ?? new DOMException('the client disconnected while queued', 'AbortError')
}
