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

/**
 * Upstream response headers worth passing on (rate-limit info, content type, provider request
 * ids) as a flat [name, value, ...] list, which writeHead takes without building an object.
 */
export function passThroughHeaderList(upstream: IncomingHttpHeaders, mode: 'bytes' | 'rewritten' | 'stream'): string[] {
  const out: string[] = []
  for (const name in upstream) {
    if (DROPPED_RESPONSE_HEADERS.has(name)) {
      if (!(mode === 'bytes' && name === 'content-length')) continue
    }
    if (mode === 'stream' && (name === 'cache-control' || name === 'x-accel-buffering')) continue // set by the gateway
    if (mode === 'rewritten' && name === 'content-type') continue // set with the new length
    const value = upstream[name]
    if (value === undefined) continue
    if (Array.isArray(value)) for (const v of value) out.push(name, v)
    else out.push(name, value)
  }
  return out
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
