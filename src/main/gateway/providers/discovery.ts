// Asks a backend which models it serves, in its own format (each kind's `models` listing: the
// OpenAI list, Ollama's /api/tags, Anthropic's and Gemini's paged lists, llama.cpp's list and
// /props). The adapter reads; this file lends it the HTTP client with the target's headers.
import type { DiscoveredModels, SideGet } from './adapter'
import type { BackendClient } from './backendClient'
import type { BackendTarget } from './backendTarget'
import { adapterFor } from './registry'

export type { DiscoveredModels }

export async function discoverModels(client: BackendClient, target: BackendTarget, timeoutMs: number): Promise<string[]> {
  return (await discoverModelDetails(client, target, timeoutMs)).models
}

export async function discoverModelDetails(client: BackendClient, target: BackendTarget, timeoutMs: number): Promise<DiscoveredModels> {
  return adapterFor(target.kind).models.list(sideGet(client, target, timeoutMs, 16 * 1024 * 1024), target)
}

/** A GET with the target's headers and a deadline, as the adapters' side-channel readers take it. */
export function sideGet(client: BackendClient, target: Pick<BackendTarget, 'headers'>, timeoutMs: number, maxBytes: number): SideGet {
  return (url, opts) => client.get(url, { headers: target.headers, timeoutMs, maxBytes: opts?.maxBytes ?? maxBytes })
}
