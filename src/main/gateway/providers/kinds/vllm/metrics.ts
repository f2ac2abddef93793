// vLLM's load, from its Prometheus /metrics page (at the server root, on by default).
import { clamp01, parsePrometheusText } from '../../prometheus'

// vLLM's scheduler gauges. The KV-cache gauge was renamed in the V1 engine: `vllm:gpu_cache_usage_perc`
// (V0, deprecated, later hidden) became `vllm:kv_cache_usage_perc`; both mean "1 = 100 % used".
export const VLLM_RUNNING = 'vllm:num_requests_running'
export const VLLM_WAITING = 'vllm:num_requests_waiting'
export const VLLM_KV_CACHE = 'vllm:kv_cache_usage_perc'
export const VLLM_KV_CACHE_LEGACY = 'vllm:gpu_cache_usage_perc'
/** Info gauge whose labels describe the KV cache: `num_gpu_blocks` × `block_size` tokens. */
export const VLLM_CACHE_CONFIG = 'vllm:cache_config_info'
/** Sleep mode (vLLM >= 0.10): `{sleep_state="awake"}` is 1 while the weights are on the GPU. */
export const VLLM_SLEEP_STATE = 'vllm:engine_sleep_state'

const VLLM_WANTED = new Set([VLLM_RUNNING, VLLM_WAITING, VLLM_KV_CACHE, VLLM_KV_CACHE_LEGACY, VLLM_CACHE_CONFIG, VLLM_SLEEP_STATE])

export interface VllmLoad {
  running: number
  waiting: number
  /** 0..1; undefined when the server exports neither cache gauge. */
  kvCacheUsage?: number
  /** `model_name` label values seen (the served model names). */
  models: string[]
  /** KV-cache size in tokens, summed over engines; undefined when the server does not say. */
  cacheCapacityTokens?: number
  /** False while every engine sleeps (weights off the GPU); undefined when the server does not say. */
  awake?: boolean
}

/**
 * Reads vLLM's load from a /metrics page. A server may export one series per engine (data
 * parallel: label `engine`) or per model: request counts are summed, KV-cache usage is the
 * fullest engine's (the one that preempts first). Undefined when the page has no vLLM gauges.
 */
export function vllmLoadFromMetrics(text: string): VllmLoad | undefined {
  const samples = parsePrometheusText(text, VLLM_WANTED)
  let running = 0
  let waiting = 0
  let kv: number | undefined
  let kvLegacy: number | undefined
  let seen = false
  let capacity: number | undefined
  let awake: boolean | undefined
  const models = new Set<string>()
  for (const s of samples) {
    if (!Number.isFinite(s.value)) continue
    if (s.labels.model_name) models.add(s.labels.model_name)
    if (s.name === VLLM_CACHE_CONFIG) {
      const blocks = Number(s.labels.num_gpu_blocks)
      const size = Number(s.labels.block_size)
      if (blocks > 0 && size > 0) capacity = (capacity ?? 0) + blocks * size
    } else if (s.name === VLLM_SLEEP_STATE) {
      if (s.labels.sleep_state === 'awake') awake = (awake ?? false) || s.value > 0
    } else if (s.name === VLLM_RUNNING) {
      running += s.value
      seen = true
    } else if (s.name === VLLM_WAITING) {
      waiting += s.value
      seen = true
    } else if (s.name === VLLM_KV_CACHE) {
      kv = Math.max(kv ?? 0, s.value)
    } else {
      kvLegacy = Math.max(kvLegacy ?? 0, s.value)
    }
  }
  if (!seen) return undefined
  const kvCacheUsage = kv ?? kvLegacy // prefer the current name when a transitional server sends both
  return {
    running,
    waiting,
    kvCacheUsage: kvCacheUsage === undefined ? undefined : clamp01(kvCacheUsage),
    models: [...models],
    ...(capacity !== undefined ? { cacheCapacityTokens: capacity } : {}),
    ...(awake !== undefined ? { awake } : {}),
  }
}
