// The overall deadline of a request, when its caller says how long it will wait for an answer.
// Failover never starts an attempt (or a backoff) that could not finish before it
// (FailoverPolicy: deadline and minAttemptMs): the caller will have given up by then, and the
// extra attempt would only add load to backends that are already in trouble.
//
//   X-Switchyard-Timeout   seconds (fractions allowed): explicit, for any client
//   X-Stainless-Timeout    seconds: what the OpenAI and Anthropic SDKs send (their configured
//                          request timeout, 600 by default)
//
// Without either header there is no overall deadline; each attempt is still bounded by its
// provider's connect / first-byte timeouts, the retry budget and maxAttempts.
import type { IncomingHttpHeaders } from 'node:http'

export const DEADLINE_HEADERS = ['x-switchyard-timeout', 'x-stainless-timeout'] as const

/** Epoch ms by which the caller wants an answer, or undefined when it did not say. */
export function requestDeadline(headers: IncomingHttpHeaders, startedAt: number): number | undefined {
  for (const name of DEADLINE_HEADERS) {
    const raw = headers[name]
    const value = (Array.isArray(raw) ? raw[0] : raw)?.trim()
    if (!value || !/^\d+(\.\d+)?$/.test(value)) continue
    const seconds = Number(value)
    // 0 is what an SDK sends for a sub-second timeout (it truncates): no usable information.
    if (seconds > 0 && Number.isFinite(seconds)) return startedAt + seconds * 1000
  }
  return undefined
}
