import type { IncomingHttpHeaders } from 'node:http'

// Request headers are an allowlist: the client's credentials, cookies, browser context and
// hop-by-hop headers never reach a provider; only the provider's own configured key does.
const FORWARDED_REQUEST_HEADERS: readonly string[] = ['accept', 'user-agent', 'openai-beta']

export interface RequestHeaderPolicy {
  /** The client headers passed on (default: those an OpenAI-compatible upstream reads). */
  forward?: readonly string[]
  /** Sent unless the client's own header (or the provider's) replaces them. */
  defaults?: Record<string, string>
}

/** Headers for an upstream request: ours, then the client's allowlisted ones, then the provider's configured ones, which win. */
export function upstreamRequestHeaders(
  client: IncomingHttpHeaders,
  provider: Record<string, string>,
  requestId: string,
  policy?: RequestHeaderPolicy,
): Record<string, string> {
  const headers: Record<string, string> = {
    'content-type': 'application/json',
    'accept-encoding': 'identity',
    'x-request-id': requestId,
  }
  // Plain assignments, no spread or default `{}`: this runs once per request.
  const defaults = policy?.defaults
  if (defaults) for (const name in defaults) headers[name] = defaults[name]!
  for (const name of policy?.forward ?? FORWARDED_REQUEST_HEADERS) {
    const value = client[name]
    if (typeof value === 'string' && value !== '') headers[name] = value
    else if (Array.isArray(value) && value.length > 0) headers[name] = value.join(',')
  }
  for (const name in provider) headers[name] = provider[name]!
  return headers
}
