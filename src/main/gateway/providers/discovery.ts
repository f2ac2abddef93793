// Asks a backend which models it serves, in its own format:
//   openai-compatible, vllm   GET {base}/models            {"data":[{"id":...}]}
//   ollama                    GET {root}/api/tags          {"models":[{"name":"llama3.2:latest",...}]}
//   anthropic                 GET {root}/v1/models         {"data":[{"id":...}],"has_more","last_id"}
//                             with x-api-key and anthropic-version; paged with after_id.
import type { BackendClient } from './backendClient'
import { modelsUrl, type BackendTarget } from './backendTarget'
import { parseOllamaTags } from './ollamaNative'

const MAX_PAGES = 10
const MAX_MODELS = 10_000

export async function discoverModels(client: BackendClient, target: BackendTarget, timeoutMs: number): Promise<string[]> {
  return (await discoverModelDetails(client, target, timeoutMs)).models
}

export interface DiscoveredModels {
  models: string[]
  /** Context window per model where the backend says (vLLM's `max_model_len`). */
  contextLength: Record<string, number>
}

export async function discoverModelDetails(client: BackendClient, target: BackendTarget, timeoutMs: number): Promise<DiscoveredModels> {
  const url = modelsUrl(target)
  const get = async (u: string) => (await client.getJson(u, { headers: target.headers, timeoutMs, maxBytes: 16 * 1024 * 1024 })).json
  if (target.kind === 'ollama') return { models: parseOllamaTags(await get(url)), contextLength: {} }
  if (target.kind !== 'anthropic') {
    const json = await get(url)
    return { models: parseModelList(json), contextLength: parseContextLengths(json) }
  }
  return { models: await anthropicModels(get, url), contextLength: {} }
}

async function anthropicModels(get: (u: string) => Promise<unknown>, url: string): Promise<string[]> {
  const names: string[] = []
  let after: string | undefined
  for (let page = 0; page < MAX_PAGES; page++) {
    const u = new URL(url)
    u.searchParams.set('limit', '1000')
    if (after !== undefined) u.searchParams.set('after_id', after)
    const json = await get(u.toString())
    names.push(...parseModelList(json))
    const { has_more: hasMore, last_id: lastId } = json as { has_more?: unknown; last_id?: unknown }
    if (hasMore !== true || typeof lastId !== 'string' || names.length >= MAX_MODELS) break
    after = lastId
  }
  return dedupe(names)
}

/** vLLM lists `max_model_len` per model: prompt + max_tokens beyond it is rejected with a 400. */
export function parseContextLengths(json: unknown): Record<string, number> {
  const data = (json as { data?: unknown } | null)?.data
  const out: Record<string, number> = {}
  if (!Array.isArray(data)) return out
  for (const m of data) {
    const { id, max_model_len: len } = (m ?? {}) as { id?: unknown; max_model_len?: unknown }
    if (typeof id === 'string' && typeof len === 'number' && Number.isInteger(len) && len > 0) out[id] = len
  }
  return out
}

/** `{"data":[{"id":...}]}` (OpenAI, vLLM, Anthropic); a bare array of models is tolerated. */
export function parseModelList(json: unknown): string[] {
  const data = Array.isArray(json) ? json : (json as { data?: unknown } | null)?.data
  if (!Array.isArray(data)) throw new TypeError('model list: no "data" array')
  const ids: string[] = []
  for (const m of data) {
    const id = typeof m === 'string' ? m : (m as { id?: unknown } | null)?.id
    if (typeof id === 'string' && id !== '') ids.push(id)
    if (ids.length >= MAX_MODELS) break
  }
  return dedupe(ids)
}

function dedupe(names: string[]): string[] {
  return [...new Set(names)]
}
