// The OpenAI model list, as OpenAI, vLLM, llama.cpp, LM Studio and most compatible servers serve
// it: GET {base}/models -> {"object":"list","data":[{"id":...}]}. vLLM adds `max_model_len`.
import { jsonOf } from '../../backendClient'
import type { DiscoveredModels, ModelListing, SideTarget } from '../../adapter'

const MAX_MODELS = 10_000

/** A listing at `url(target)` in the OpenAI shape, with context lengths where the server gives them. */
export function openAIModelListing(url: (target: SideTarget) => string): ModelListing {
  return {
    url,
    async list(get, target): Promise<DiscoveredModels> {
      const json = jsonOf(await get(url(target)))
      return { models: parseModelList(json), contextLength: parseContextLengths(json) }
    },
  }
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
  return [...new Set(ids)]
}
