import type { IncomingHttpHeaders } from 'node:http'

// Response headers that describe one hop, or that a local client has no business receiving.
const DROPPED_RESPONSE_HEADERS = new Set([
  'connection',
  'keep-alive',
  'proxy-authenticate',
  'proxy-authorization',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
  'content-length',
  'set-cookie',
  'alt-svc',
  'date',
  'server',
])

/** Upstream response headers worth passing on (rate-limit info, content type, provider ids). */
export function passThroughResponseHeaders(upstream: IncomingHttpHeaders, into: Record<string, string | string[]>): void {
  for (const name in upstream) {
    if (DROPPED_RESPONSE_HEADERS.has(name)) continue
    const value = upstream[name]
    if (value !== undefined) into[name] = value
  }
}

// Request headers are an allowlist: the client's credentials, cookies, browser context and
// hop-by-hop headers never reach a provider; only the provider's own configured key does.
const FORWARDED_REQUEST_HEADERS = ['accept', 'user-agent', 'openai-beta'] as const

export function upstreamRequestHeaders(
  client: IncomingHttpHeaders,
  provider: Record<string, string>,
  requestId: string,
): Record<string, string> {
  const headers: Record<string, string> = {
    'content-type': 'application/json',
    'accept-encoding': 'identity',
    'x-request-id': requestId,
  }
  for (const name of FORWARDED_REQUEST_HEADERS) {
    const value = client[name]
    if (typeof value === 'string') headers[name] = value
  }
  for (const name in provider) headers[name] = provider[name]!
  return headers
}
