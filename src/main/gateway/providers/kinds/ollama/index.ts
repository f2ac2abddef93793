// `ollama`: configured by its host root. Its OpenAI-compatible API is at /v1 (a given /v1 or /api
// is tolerated), its own API under /api (chat, tags, ps, version), and from 0.14 the Anthropic
// Messages API at /v1/messages. Load: which models are in memory right now (/api/ps).
import { presetsOf } from '../../../../../shared/providerPresets'
import { jsonOf } from '../../backendClient'
import { baseString, judgeProbe, LOCAL_TIMEOUTS, trimTrailingSlashes, type LoadSignal, type ResidentReport, type SideTarget } from '../../adapter'
import { openAIBased } from '../openai-compatible'
import { parseOllamaPs, parseOllamaTags, withoutLatest } from './native'

/** The host root, whatever API path the base URL was given with. */
export function ollamaRoot(baseUrl: string): URL {
  const url = new URL(baseUrl)
  url.pathname = trimTrailingSlashes(url.pathname).replace(/\/(v1|api)$/, '')
  return url
}

function ollamaV1(baseUrl: string): URL {
  const url = ollamaRoot(baseUrl)
  url.pathname = `${trimTrailingSlashes(url.pathname)}/v1`
  return url
}

const root = (t: SideTarget): string => baseString(ollamaRoot(t.baseUrl))

const loadedModels: LoadSignal = {
  url: (t) => `${root(t)}/api/ps`,
  async read(get, t): Promise<ResidentReport> {
    const loaded = parseOllamaPs(jsonOf(await get(`${root(t)}/api/ps`, { maxBytes: 1024 * 1024 })))
    // /api/ps lists only what is in memory: any other model is not.
    return {
      kind: 'ollama',
      loaded: loaded.map((m) => ({
        names: [...new Set([m.name, withoutLatest(m.name), m.model, withoutLatest(m.model)])],
        expiresAt: m.expiresAt,
        described: { name: m.name, size: m.size, sizeVram: m.sizeVram, digest: m.digest, ...m.details },
      })),
    }
  },
}

export const ollama = openAIBased({
  kind: 'ollama',
  locality: 'local',
  dialects: [
    { dialect: 'openai-chat', base: ollamaV1 },
    { dialect: 'ollama', base: ollamaRoot },
    { dialect: 'anthropic-messages', base: ollamaRoot, byDefault: false },
  ],
  defaultTimeouts: LOCAL_TIMEOUTS,
  probe: { url: (t) => `${root(t)}/api/version`, judge: (status) => judgeProbe(status) },
  models: {
    url: (t) => `${root(t)}/api/tags`,
    async list(get, t) {
      return { models: parseOllamaTags(jsonOf(await get(`${root(t)}/api/tags`))), contextLength: {} }
    },
  },
  load: loadedModels,
  encodeOptions: () => ({ reasoningField: 'reasoning' }),
  fingerprints: [{ path: '/api/version', matches: (status, body) => status === 200 && typeof (body as { version?: unknown } | null)?.version === 'string', baseUrl: (origin) => origin }],
  presets: presetsOf('ollama'),
})
