// Which local LLM server answers on a port, told by its own API (not by the port number):
//   Ollama     GET /api/version {version} + GET /api/tags {models:[{name,size}]}
//   LM Studio  GET /api/v0/models {data:[{id,type,state,...}]}
//   vLLM       GET /version {version} and /v1/models entries owned_by "vllm"
//   SGLang     GET /get_model_info {model_path,...}
//   llama.cpp  GET /props {default_generation_settings,...} (or /slots)
//   anything else that lists GET /v1/models: an OpenAI-compatible server.
import type { DiscoveredServer } from '../../../shared/api'

export type FetchJson = (url: string, timeoutMs: number) => Promise<{ status: number; json: unknown } | undefined>

const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined)
const obj = (v: unknown): Record<string, unknown> | undefined => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined)

function listIds(json: unknown): Array<{ id: string; ownedBy?: string; type?: string }> {
  const data = obj(json)?.data
  if (!Array.isArray(data)) return []
  return data.flatMap((m) => {
    const id = str(obj(m)?.id)
    return id ? [{ id, ownedBy: str(obj(m)?.owned_by), type: str(obj(m)?.type) }] : []
  })
}

/** Identifies the server at `origin` (http://127.0.0.1:PORT), or undefined when nothing LLM-like answers. */
export async function identify(origin: string, get: FetchJson, timeoutMs: number): Promise<Omit<DiscoveredServer, 'configuredAs'> | undefined> {
  const at = (path: string) => get(origin + path, timeoutMs)
  // The cheap, distinctive endpoints in parallel; /v1/models settles the rest.
  const [ollamaVersion, lmstudio, vllmVersion, sglang, props, v1models] = await Promise.all([
    at('/api/version'),
    at('/api/v0/models'),
    at('/version'),
    at('/get_model_info'),
    at('/props'),
    at('/v1/models'),
  ])
  const ok = (r: typeof ollamaVersion): unknown => (r && r.status === 200 ? r.json : undefined)

  const ollama = str(obj(ok(ollamaVersion))?.version)
  if (ollama !== undefined) {
    const tags = ok(await at('/api/tags'))
    const models = Array.isArray(obj(tags)?.models) ? (obj(tags)!.models as unknown[]) : []
    const sizes: Record<string, number> = {}
    const names = models.flatMap((m) => {
      const name = str(obj(m)?.name) ?? str(obj(m)?.model)
      const size = obj(m)?.size
      if (name && typeof size === 'number') sizes[name] = size
      return name ? [name] : []
    })
    return { kind: 'ollama', server: 'Ollama', version: ollama, baseUrl: origin, models: names, modelSizes: sizes }
  }
  const lms = listIds(ok(lmstudio))
  if (ok(lmstudio) !== undefined && Array.isArray(obj(ok(lmstudio))?.data)) {
    // LM Studio lists embedding models too; chat models first.
    const chat = lms.filter((m) => m.type !== 'embeddings').map((m) => m.id)
    return { kind: 'openai-compatible', server: 'LM Studio', baseUrl: `${origin}/v1`, models: chat.length ? chat : lms.map((m) => m.id) }
  }
  const v1 = listIds(ok(v1models))
  if (ok(sglang) !== undefined && str(obj(ok(sglang))?.model_path)) {
    return { kind: 'openai-compatible', server: 'SGLang', baseUrl: `${origin}/v1`, models: v1.length ? v1.map((m) => m.id) : [str(obj(ok(sglang))?.model_path)!] }
  }
  const vllm = str(obj(ok(vllmVersion))?.version)
  if (v1.some((m) => m.ownedBy === 'vllm') || (vllm !== undefined && v1.length > 0)) {
    return { kind: 'vllm', server: 'vLLM', version: vllm, baseUrl: `${origin}/v1`, models: v1.map((m) => m.id) }
  }
  const llamaProps = obj(ok(props))
  if (llamaProps && (llamaProps.default_generation_settings !== undefined || llamaProps.total_slots !== undefined)) {
    const path = str(llamaProps.model_path)
    return { kind: 'openai-compatible', server: 'llama.cpp', baseUrl: `${origin}/v1`, models: v1.length ? v1.map((m) => m.id) : path ? [path.split(/[\\/]/).pop()!] : [] }
  }
  if (ok(v1models) !== undefined && Array.isArray(obj(ok(v1models))?.data)) {
    return { kind: 'openai-compatible', server: 'OpenAI-compatible server', baseUrl: `${origin}/v1`, models: v1.map((m) => m.id) }
  }
  return undefined
}
