// `openai-compatible`: OpenAI, DeepSeek, OpenRouter, Groq, LM Studio, SGLang, and any server that
// speaks the OpenAI API under the base URL given. Also the base the self-hosted OpenAI-style kinds
// (vllm, llamacpp, ollama) specialise: bearer key, the OpenAI model list, the chat dialect.
import type { ProviderConfig } from '../../../../../shared/config'
import { presetsOf } from '../../../../../shared/providerPresets'
import { bearerAuth, CLOUD_TIMEOUTS, judgeProbe, trimTrailingSlashes, baseString, type NativeDialect, type ProviderAdapter } from '../../adapter'
import { hostProfile } from './hosts'
import { lmStudioLoad } from './lmstudio'
import { openAIModelListing } from './models'
import { OPENAI_COMPATIBLE_PRICES } from './prices'

/** The base URL as given, without trailing slash: OpenAI-compatible SDKs take the `/v1` base. */
export function givenBase(baseUrl: string): URL {
  const url = new URL(baseUrl)
  url.pathname = trimTrailingSlashes(url.pathname)
  return url
}

/** `.../v1`, added when the configured base URL lacks it (self-hosted servers: vLLM, llama.cpp). */
export function v1Base(baseUrl: string): URL {
  const url = new URL(baseUrl)
  const path = trimTrailingSlashes(url.pathname)
  url.pathname = path.endsWith('/v1') ? path : `${path}/v1`
  return url
}

/** The server root (`http://host:port/prefix`) of a `/v1` API, where self-hosted servers keep /health and /metrics. */
export function serverRoot(baseUrl: string): URL {
  const url = v1Base(baseUrl)
  url.pathname = url.pathname.replace(/\/v1$/, '')
  return url
}

/** What a kind built on the OpenAI base must say itself; everything else defaults to OpenAI's. */
export type OpenAISpecialisation = Pick<ProviderAdapter, 'kind' | 'dialects' | 'models' | 'presets'> & Partial<ProviderAdapter>

/** An adapter on the OpenAI base: bearer key, cloud timeouts, no probe, load signal or prices of its own. */
export function openAIBased(spec: OpenAISpecialisation): ProviderAdapter {
  return {
    locality: 'by-host',
    authHeaders: bearerAuth,
    defaultTimeouts: CLOUD_TIMEOUTS,
    rateLimits: {},
    prices: {},
    encodeOptions: () => ({}),
    ...spec,
  }
}

const chat: NativeDialect = { dialect: 'openai-chat', base: givenBase }
const responses: NativeDialect = { dialect: 'openai-responses', base: givenBase, byDefault: (p) => hostProfile(p.baseUrl)?.responses === true }

export const openAICompatible: ProviderAdapter = openAIBased({
  kind: 'openai-compatible',
  dialects: [chat, responses],
  // No /models here still proves the server up; a rejected key does not.
  probe: { url: (t) => `${baseString(givenBase(t.baseUrl))}/models`, judge: (status) => judgeProbe(status, { anyAnswerIsUp: true }) },
  models: openAIModelListing((t) => `${baseString(givenBase(t.baseUrl))}/models`),
  load: lmStudioLoad,
  rateLimits: { headers: 'openai' },
  prices: OPENAI_COMPATIBLE_PRICES,
  encodeOptions: (p: ProviderConfig) => ({ ...hostProfile(p.baseUrl)?.quirks }),
  fingerprints: [
    { path: '/api/v0/models', matches: (status, body) => status === 200 && lmStudioStates(body), baseUrl: (origin) => `${origin}/v1`, presetId: 'lmstudio' },
    { path: '/v1/models', matches: (status, body) => status === 200 && Array.isArray((body as { data?: unknown } | null)?.data), baseUrl: (origin) => `${origin}/v1`, generic: true },
  ],
  presets: presetsOf('openai-compatible'),
})

/** LM Studio's REST API lists its models with a load state each. */
function lmStudioStates(body: unknown): boolean {
  const data = (body as { data?: unknown } | null)?.data
  return Array.isArray(data) && data.some((m) => typeof (m as { state?: unknown } | null)?.state === 'string')
}
