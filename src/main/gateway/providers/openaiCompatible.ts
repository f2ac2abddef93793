import { bearerAuth, CLOUD_TIMEOUTS, trimTrailingSlashes, type ProviderAdapter } from './adapter'

/** OpenAI, DeepSeek, OpenRouter, Groq, Gemini's OpenAI endpoint, LM Studio, llama.cpp: the base URL is used as given. */
export const openAICompatibleAdapter: ProviderAdapter = {
  kind: 'openai-compatible',
  protocol: 'openai',
  apiBase(baseUrl) {
    const url = new URL(baseUrl)
    url.pathname = trimTrailingSlashes(url.pathname)
    return url
  },
  authHeaders: bearerAuth,
  defaultTimeouts: CLOUD_TIMEOUTS,
}
