import { bearerAuth, LOCAL_TIMEOUTS, trimTrailingSlashes, type ProviderAdapter } from './adapter'

/** vLLM's OpenAI server lives under /v1; a base URL given without it is completed. */
export const vllmAdapter: ProviderAdapter = {
  kind: 'vllm',
  protocol: 'openai',
  apiBase(baseUrl) {
    const url = new URL(baseUrl)
    const path = trimTrailingSlashes(url.pathname)
    url.pathname = path.endsWith('/v1') ? path : `${path}/v1`
    return url
  },
  authHeaders: bearerAuth,
  defaultTimeouts: LOCAL_TIMEOUTS,
}
