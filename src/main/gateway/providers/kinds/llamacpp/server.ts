// llama.cpp's `llama-server` side channels, all at the server root:
//   GET /health    200 {"status":"ok"}; 503 {"error":{"code":503,"message":"Loading model",...}} while loading
//   GET /props     {"default_generation_settings":{"n_ctx":...},"total_slots":N,"model_path":"...gguf",...}
//   GET /slots     [{"id":0,"n_ctx":4096,"is_processing":true,...}, ...]   (older builds: "state": 0|1)
//                  on by default in current builds (--no-slots turns it off: 501)
//   GET /metrics   Prometheus text, only when started with --metrics (else 501):
//                  llamacpp:requests_processing, llamacpp:requests_deferred, llamacpp:kv_cache_usage_ratio
import type { QueueReport } from '../../adapter'
import { clamp01, parsePrometheusText } from '../../prometheus'

export const LLAMACPP_PROCESSING = 'llamacpp:requests_processing'
export const LLAMACPP_DEFERRED = 'llamacpp:requests_deferred'
export const LLAMACPP_KV_CACHE = 'llamacpp:kv_cache_usage_ratio'
const WANTED = new Set([LLAMACPP_PROCESSING, LLAMACPP_DEFERRED, LLAMACPP_KV_CACHE])

/** Busy slots of GET /slots: running = slots processing a request, slots = all of them. Throws when it is not a slot list. */
export function llamacppLoadFromSlots(json: unknown): QueueReport {
  if (!Array.isArray(json)) throw new TypeError('/slots: not a list of slots')
  let busy = 0
  for (const slot of json) {
    const s = (typeof slot === 'object' && slot !== null ? slot : {}) as { is_processing?: unknown; state?: unknown }
    if (s.is_processing === true || s.state === 1) busy++
  }
  // /slots does not count the requests waiting for a slot (/metrics does): they show up as our own in-flight ones.
  return { kind: 'llamacpp', running: busy, waiting: 0, models: [], slots: json.length }
}

/** Requests processing and deferred (waiting for a slot) from /metrics; undefined when the page has no llama.cpp gauges. */
export function llamacppLoadFromMetrics(text: string): QueueReport | undefined {
  let running: number | undefined
  let waiting = 0
  let kv: number | undefined
  for (const s of parsePrometheusText(text, WANTED)) {
    if (!Number.isFinite(s.value)) continue
    if (s.name === LLAMACPP_PROCESSING) running = (running ?? 0) + s.value
    else if (s.name === LLAMACPP_DEFERRED) waiting += s.value
    else kv = Math.max(kv ?? 0, s.value)
  }
  if (running === undefined) return undefined
  return { kind: 'llamacpp', running, waiting, models: [], ...(kv !== undefined ? { kvCacheUsage: clamp01(kv) } : {}) }
}

export interface LlamacppProps {
  /** The loaded model's file name (`qwen2.5-7b-instruct-q4_k_m.gguf`). */
  model?: string
  /** Context per slot: the most one request can use. */
  contextLength?: number
  slots?: number
}

/** GET /props: the loaded model, context size per slot and slot count; undefined when it is not llama.cpp's. */
export function parseLlamacppProps(json: unknown): LlamacppProps | undefined {
  if (typeof json !== 'object' || json === null || Array.isArray(json)) return undefined
  const p = json as { default_generation_settings?: { n_ctx?: unknown }; n_ctx?: unknown; total_slots?: unknown; model_path?: unknown }
  if (p.default_generation_settings === undefined && p.total_slots === undefined) return undefined
  const nCtx = p.default_generation_settings?.n_ctx ?? p.n_ctx
  const out: LlamacppProps = {}
  if (typeof p.model_path === 'string' && p.model_path !== '') out.model = p.model_path.split(/[\\/]/).pop()
  if (typeof nCtx === 'number' && Number.isInteger(nCtx) && nCtx > 0) out.contextLength = nCtx
  if (typeof p.total_slots === 'number' && p.total_slots > 0) out.slots = p.total_slots
  return out
}
