// Egress to `anthropic`-kind providers (Anthropic's API and Anthropic-compatible endpoints such as
// DeepSeek's /anthropic): where the Messages API lives and which headers go with a request.
import type { IncomingHttpHeaders } from 'node:http'
import { upstreamRequestHeaders, type RequestHeaderPolicy } from '../../requestHeaders'
import { trimTrailingSlashes } from '../../adapter'

/** Sent when the client did not name a version (DESIGN §5a). */
export const DEFAULT_ANTHROPIC_VERSION = '2023-06-01'

/**
 * The configured baseUrl is the API root (`https://api.anthropic.com`); a trailing `/v1` is
 * tolerated. Requests then go to `basePath + '/v1/messages'`.
 */
export function anthropicApiRoot(baseUrl: string): { origin: string; basePath: string } {
  const url = new URL(baseUrl)
  const path = trimTrailingSlashes(url.pathname).replace(/\/v1$/, '')
  return { origin: url.origin, basePath: path === '/' ? '' : path }
}

export function anthropicAuthHeaders(apiKey: string | undefined): Record<string, string> {
  return apiKey ? { 'x-api-key': apiKey } : {}
}

// Forwarded from the client. anthropic-beta only ever reaches Anthropic-kind upstreams: for other
// backends the request is translated and beta features are dropped with the fields they enable.
const HEADER_POLICY: RequestHeaderPolicy = {
  forward: ['accept', 'user-agent', 'anthropic-version', 'anthropic-beta'],
  defaults: { 'anthropic-version': DEFAULT_ANTHROPIC_VERSION },
}

/**
 * Headers for an upstream Anthropic request. The client's own credentials are never forwarded;
 * `provider` holds the configured key (as x-api-key) and extra headers, which win.
 */
export function anthropicUpstreamHeaders(client: IncomingHttpHeaders, provider: Record<string, string>, requestId: string): Record<string, string> {
  return upstreamRequestHeaders(client, provider, requestId, HEADER_POLICY)
}
