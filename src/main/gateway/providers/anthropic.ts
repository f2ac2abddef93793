import { anthropicApiRoot, anthropicAuthHeaders } from './anthropicUpstream'
import { CLOUD_TIMEOUTS, type ProviderAdapter } from './adapter'

/** Anthropic's API and Anthropic-compatible endpoints: the Messages API under the API root, key as x-api-key. */
export const anthropicAdapter: ProviderAdapter = {
  kind: 'anthropic',
  protocol: 'anthropic',
  apiBase(baseUrl) {
    const { origin, basePath } = anthropicApiRoot(baseUrl)
    return new URL(basePath || '/', origin)
  },
  authHeaders: anthropicAuthHeaders,
  defaultTimeouts: CLOUD_TIMEOUTS,
}
