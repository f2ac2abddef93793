// Why an attempt failed before anything reached the client, in the terms the failover loop, the
// circuit breaker and the caller's error answer need.
import type { Dialect } from '../dialects/codec'
import { GatewayError } from '../common/errors'
import { BUSY_STATUSES, outcomeFromError, type AttemptOutcome } from '../common/attemptOutcome'
import { classifyUpstreamError } from './upstreamErrors'
import { upstreamErrorForClient } from './upstreamErrors'

export interface AttemptFailure {
  outcome: AttemptOutcome
  status?: number
  /** What the client gets if no other candidate answers. */
  error: GatewayError
  /** The upstream's own error answer, already in the client's protocol (passed on as is). */
  upstreamError?: { status: number; body: Buffer }
  latencyMs?: number
}

export class TimeoutError extends Error {
  constructor(
    readonly phase: 'first-byte' | 'idle',
    ms: number,
  ) {
    super(phase === 'first-byte' ? `no response from upstream within ${ms} ms` : `upstream stalled for ${ms} ms mid-response`)
  }
}

export function transportFailure(err: Error, providerId: string): AttemptFailure {
  if (err instanceof TimeoutError) {
    return { outcome: 'timeout', error: new GatewayError('upstream_timeout', `provider "${providerId}": ${err.message}`) }
  }
  return { outcome: outcomeFromError(err), error: classifyUpstreamError(err, providerId) }
}

/** An upstream answer with status >= 400: its body goes to the client in the client's protocol. */
export function upstreamErrorResult(providerId: string, dialect: Dialect, status: number, body: Buffer): AttemptFailure {
  const outcome: AttemptOutcome = BUSY_STATUSES.has(status) ? 'busy' : 'http_error'
  const forClient = upstreamErrorForClient(dialect, status, body)
  if (!forClient) {
    return {
      outcome: outcome === 'busy' ? 'busy' : 'bad_response',
      status,
      error: new GatewayError('upstream_bad_response', `provider "${providerId}" answered ${status} with a body that is not JSON; check its baseUrl`),
    }
  }
  return { outcome, status, error: new GatewayError('upstream_error', `provider "${providerId}" answered ${status}`, { status: forClient.status }), upstreamError: forClient }
}
