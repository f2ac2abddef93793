import { bearerAuth, LOCAL_TIMEOUTS, trimTrailingSlashes, type ProviderAdapter } from './adapter'

/** Ollama is configured by its host root; its OpenAI-compatible API is at /v1 (a given /v1 or /api is tolerated). */
export function ollamaRoot(baseUrl: string): URL {
  const url = new URL(baseUrl)
  url.pathname = trimTrailingSlashes(url.pathname).replace(/\/(v1|api)$/, '')
  return url
}

export const ollamaAdapter: ProviderAdapter = {
  kind: 'ollama',
  protocol: 'openai',
  apiBase(baseUrl) {
    const url = ollamaRoot(baseUrl)
    url.pathname = `${trimTrailingSlashes(url.pathname)}/v1`
    return url
  },
  authHeaders: bearerAuth,
  defaultTimeouts: LOCAL_TIMEOUTS,
}
