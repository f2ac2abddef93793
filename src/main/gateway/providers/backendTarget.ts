// Where the side channels of a provider live — health probe, model list, load — as its kind's
// adapter says (vLLM serves /health and /metrics at the server root, Ollama's native API is under
// /api, Anthropic is not probed, …). This file only builds the target and asks the adapter.
import type { SideTarget } from './adapter'
import type { ProviderRuntime } from './providerRuntime'
import { adapterFor } from './registry'

/** What the probe, discovery and load-monitor code needs to know about one provider. */
export type BackendTarget = SideTarget

/** Builds a target from the provider runtime the gateway already holds (headers include the resolved key). */
export function backendTargetOf(provider: ProviderRuntime): BackendTarget {
  const { config, upstream, adapter } = provider
  const headers = adapter.sideChannelHeaders ? adapter.sideChannelHeaders(upstream.headers) : { ...upstream.headers }
  return { id: config.id, kind: config.kind, baseUrl: config.baseUrl, headers }
}

/** The cheap, token-free health endpoint; undefined for kinds that are watched passively. */
export function probeUrl(target: BackendTarget): string | undefined {
  return adapterFor(target.kind).probe?.url(target)
}

/** Where the backend reports its load; undefined when it reports none. */
export function loadUrl(target: BackendTarget): string | undefined {
  return adapterFor(target.kind).load?.url(target)
}

export function modelsUrl(target: BackendTarget): string {
  return adapterFor(target.kind).models.url(target)
}

/** Same target for side-channel purposes (used to skip needless restarts on config change). */
export function sameTarget(a: BackendTarget, b: BackendTarget): boolean {
  if (a.id !== b.id || a.kind !== b.kind || a.baseUrl !== b.baseUrl) return false
  const ak = Object.keys(a.headers)
  if (ak.length !== Object.keys(b.headers).length) return false
  return ak.every((k) => a.headers[k] === b.headers[k])
}
