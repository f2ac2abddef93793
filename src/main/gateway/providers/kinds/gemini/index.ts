// `gemini`: Google's Generative Language API (generativelanguage.googleapis.com), spoken in its
// own dialect: `/v1beta/models/{model}:generateContent` and `:streamGenerateContent?alt=sse` (the
// gemini codec builds those paths). The key goes as x-goog-api-key, never in the query string (a
// URL lands in logs). Quota errors say how long to wait in the body (quota.ts). A metered cloud
// API: not probed, no load signal.
import { presetsOf } from '../../../../../shared/providerPresets'
import { CLOUD_TIMEOUTS, trimTrailingSlashes, type ProviderAdapter } from '../../adapter'
import { listGeminiModels } from './models'
import { GEMINI_PRICES } from './prices'
import { geminiRetryDelayMs } from './quota'

/** The API root: a base URL given with its version (`…/v1beta`) is tolerated, as the codec's paths carry it. */
export function geminiRoot(baseUrl: string): URL {
  const url = new URL(baseUrl)
  url.pathname = trimTrailingSlashes(url.pathname).replace(/\/(v1beta|v1alpha|v1)$/, '') || '/'
  url.search = ''
  return url
}

const modelsUrl = (baseUrl: string): string => {
  const root = geminiRoot(baseUrl)
  return `${root.origin}${trimTrailingSlashes(root.pathname)}/v1beta/models`
}

export const gemini: ProviderAdapter = {
  kind: 'gemini',
  locality: 'by-host',
  dialects: [{ dialect: 'gemini', base: geminiRoot }],
  authHeaders: (apiKey): Record<string, string> => (apiKey ? { 'x-goog-api-key': apiKey } : {}),
  defaultTimeouts: CLOUD_TIMEOUTS,
  models: { url: (t) => modelsUrl(t.baseUrl), list: (get, t) => listGeminiModels(get, modelsUrl(t.baseUrl)) },
  rateLimits: { retryDelayFromBody: geminiRetryDelayMs },
  prices: GEMINI_PRICES,
  encodeOptions: () => ({}),
  presets: presetsOf('gemini'),
}
