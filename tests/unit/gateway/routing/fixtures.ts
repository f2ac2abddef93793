import { parseConfig, type Config } from '../../../../src/shared/config'
import type { SecretResolver } from '../../../../src/main/gateway/common/types'
import type { BackendLoad, Candidate, StrategyContext } from '../../../../src/main/gateway/routing/candidates'
import { seededRandom } from '../../../helpers/random'

export function cand(providerId: string, weight = 1, upstreamModel = 'm'): Candidate {
  return { key: `${providerId}/${upstreamModel}`, providerId, upstreamModel, weight }
}

export interface CtxInit {
  now?: number
  random?: () => number
  inFlight?: Record<string, number>
  ttft?: Record<string, number | undefined>
  load?: Record<string, BackendLoad | undefined>
  price?: Record<string, number | undefined>
  affinityKey?: string
}

export function ctx(init: CtxInit = {}): StrategyContext {
  return {
    now: init.now ?? 0,
    random: init.random ?? seededRandom(1),
    inFlight: (id) => init.inFlight?.[id] ?? 0,
    ttftEwma: (id) => init.ttft?.[id],
    load: (id) => init.load?.[id],
    price: (id) => init.price?.[id],
    affinityKey: init.affinityKey,
  }
}

export function ids(list: readonly Candidate[]): string[] {
  return list.map((c) => c.providerId)
}

export function tally(picks: string[]): Record<string, number> {
  const out: Record<string, number> = {}
  for (const p of picks) out[p] = (out[p] ?? 0) + 1
  return out
}

/** Parses a config document, throwing on validation errors. */
export function config(raw: unknown): Config {
  const parsed = parseConfig(raw)
  if (!parsed.ok) throw new Error(parsed.errors.join('; '))
  return parsed.config
}

export const literalSecrets: SecretResolver = { resolve: (stored) => stored }

// Shaped like a vLLM V1 server with two data-parallel engines (vLLM >= 0.10 names).
export const VLLM_V1_METRICS = `# HELP python_gc_objects_collected_total Objects collected during gc
# TYPE python_gc_objects_collected_total counter
python_gc_objects_collected_total{generation="0"} 12034.0
# HELP vllm:num_requests_running Number of requests in model execution batches.
# TYPE vllm:num_requests_running gauge
vllm:num_requests_running{engine="0",model_name="Qwen/Qwen2.5-7B-Instruct"} 3.0
vllm:num_requests_running{engine="1",model_name="Qwen/Qwen2.5-7B-Instruct"} 2.0
# HELP vllm:num_requests_waiting Number of requests waiting to be processed.
# TYPE vllm:num_requests_waiting gauge
vllm:num_requests_waiting{engine="0",model_name="Qwen/Qwen2.5-7B-Instruct"} 1.0
vllm:num_requests_waiting{engine="1",model_name="Qwen/Qwen2.5-7B-Instruct"} 0.0
# HELP vllm:kv_cache_usage_perc KV-cache usage. 1 means 100 percent usage.
# TYPE vllm:kv_cache_usage_perc gauge
vllm:kv_cache_usage_perc{engine="0",model_name="Qwen/Qwen2.5-7B-Instruct"} 0.42
vllm:kv_cache_usage_perc{engine="1",model_name="Qwen/Qwen2.5-7B-Instruct"} 0.61
# HELP vllm:num_requests_running_total_bogus A decoy sharing the prefix.
# TYPE vllm:num_requests_running_total_bogus counter
vllm:num_requests_running_total_bogus{engine="0"} 999.0
# HELP vllm:time_to_first_token_seconds Histogram of time to first token in seconds.
# TYPE vllm:time_to_first_token_seconds histogram
vllm:time_to_first_token_seconds_bucket{engine="0",le="0.001",model_name="Qwen/Qwen2.5-7B-Instruct"} 0.0
vllm:time_to_first_token_seconds_bucket{engine="0",le="+Inf",model_name="Qwen/Qwen2.5-7B-Instruct"} 42.0
vllm:time_to_first_token_seconds_count{engine="0",model_name="Qwen/Qwen2.5-7B-Instruct"} 42.0
vllm:time_to_first_token_seconds_sum{engine="0",model_name="Qwen/Qwen2.5-7B-Instruct"} 3.1
`

// An older (V0-engine) server: single engine, `gpu_cache_usage_perc`, CRLF line ends.
export const VLLM_V0_METRICS = [
  '# HELP vllm:num_requests_running Number of requests currently running on GPU.',
  '# TYPE vllm:num_requests_running gauge',
  'vllm:num_requests_running{model_name="meta-llama/Llama-3.1-8B-Instruct"} 4.0',
  '# HELP vllm:num_requests_waiting Number of requests waiting to be processed.',
  '# TYPE vllm:num_requests_waiting gauge',
  'vllm:num_requests_waiting{model_name="meta-llama/Llama-3.1-8B-Instruct"} 7.0',
  '# HELP vllm:gpu_cache_usage_perc GPU KV-cache usage. 1 means 100 percent usage.',
  '# TYPE vllm:gpu_cache_usage_perc gauge',
  'vllm:gpu_cache_usage_perc{model_name="meta-llama/Llama-3.1-8B-Instruct"} 0.973',
  '',
].join('\r\n')
