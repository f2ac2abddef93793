// Where the side channels of each backend kind live: health probe, model list and load metrics.
// These are not under the OpenAI `/v1` base for every kind (vLLM serves /health and /metrics at
// the server root; Ollama's native API is under /api), so each URL is derived per kind here.
import type { ProviderKind } from '../../../shared/config'
import { anthropicApiRoot, DEFAULT_ANTHROPIC_VERSION } from './anthropicUpstream'
import type { ProviderRuntime } from './providerRuntime'
import { isLocalProvider } from './locality'
import { trimTrailingSlashes } from './adapter'
import { ollamaRoot } from './ollama'
import { vllmAdapter } from './vllm'

/** What the probe, discovery and load-monitor code needs to know about one provider. */
export interface BackendTarget {
  id: string
  kind: ProviderKind
  baseUrl: string
  /** Auth and configured extra headers, sent with every side-channel request. */
  headers: Record<string, string>
}

/** Builds a target from the provider runtime the gateway already holds (headers include the resolved key). */
export function backendTargetOf(provider: ProviderRuntime): BackendTarget {
  const { config, upstream } = provider
  let headers = { ...upstream.headers }
  if (config.kind === 'anthropic') headers = anthropicHeaders(headers)
  return { id: config.id, kind: config.kind, baseUrl: config.baseUrl, headers }
}

/** Anthropic wants the key as x-api-key plus an API version; a Bearer header is converted. */
function anthropicHeaders(headers: Record<string, string>): Record<string, string> {
  const out = { ...headers }
  const bearer = /^Bearer\s+(.+)$/i.exec(out.authorization ?? '')
  if (out['x-api-key'] === undefined && bearer) out['x-api-key'] = bearer[1]!
  delete out.authorization
  out['anthropic-version'] ??= DEFAULT_ANTHROPIC_VERSION
  return out
}

/** `http://host:port/prefix` of vLLM's server, where /health and /metrics are (not under /v1). */
function vllmServerRoot(baseUrl: string): string {
  const v1 = vllmAdapter.apiBase(baseUrl)
  return v1.origin + trimTrailingSlashes(v1.pathname).replace(/\/v1$/, '')
}

/** OpenAI-compatible base (`.../v1` or whatever the user gave), without trailing slash. */
function openAIBaseUrl(baseUrl: string): string {
  const url = new URL(baseUrl)
  return url.origin + trimTrailingSlashes(url.pathname)
}

/** Anthropic's API root, as inference requests use it (a configured trailing /v1 is tolerated). */
function anthropicRoot(baseUrl: string): string {
  const { origin, basePath } = anthropicApiRoot(baseUrl)
  return origin + basePath
}

function ollamaRootUrl(baseUrl: string): string {
  const url = ollamaRoot(baseUrl)
  return url.origin + trimTrailingSlashes(url.pathname)
}

/** The cheap, token-free health endpoint per kind; undefined for kinds that are watched passively. */
export function probeUrl(target: BackendTarget): string | undefined {
  switch (target.kind) {
    case 'vllm':
      return `${vllmServerRoot(target.baseUrl)}/health`
    case 'ollama':
      return `${ollamaRootUrl(target.baseUrl)}/api/version`
    case 'openai-compatible':
      return `${openAIBaseUrl(target.baseUrl)}/models`
    case 'anthropic':
      return undefined // probing a metered cloud API buys nothing the passive signal does not
  }
}

/**
 * Where the backend reports its load; undefined when it reports none. An OpenAI-compatible server
 * on this machine or the LAN may be LM Studio, whose REST API lists the models it has loaded (the
 * LoadMonitor asks once and stops when the server has no such API).
 */
export function loadUrl(target: BackendTarget): string | undefined {
  if (target.kind === 'vllm') return `${vllmServerRoot(target.baseUrl)}/metrics`
  if (target.kind === 'ollama') return `${ollamaRootUrl(target.baseUrl)}/api/ps`
  if (target.kind === 'openai-compatible' && isLocalProvider(target)) return `${new URL(target.baseUrl).origin}/api/v0/models`
  return undefined
}

export function modelsUrl(target: BackendTarget): string {
  switch (target.kind) {
    case 'ollama':
      return `${ollamaRootUrl(target.baseUrl)}/api/tags`
    case 'anthropic':
      return `${anthropicRoot(target.baseUrl)}/v1/models`
    case 'vllm':
      return `${vllmServerRoot(target.baseUrl)}/v1/models`
    case 'openai-compatible':
      return `${openAIBaseUrl(target.baseUrl)}/models`
  }
}

/** Same target for side-channel purposes (used to skip needless restarts on config change). */
export function sameTarget(a: BackendTarget, b: BackendTarget): boolean {
  if (a.id !== b.id || a.kind !== b.kind || a.baseUrl !== b.baseUrl) return false
  const ak = Object.keys(a.headers)
  if (ak.length !== Object.keys(b.headers).length) return false
  return ak.every((k) => a.headers[k] === b.headers[k])
}
