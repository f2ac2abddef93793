// `vllm`: vLLM's OpenAI server. The OpenAI API lives under /v1 (a base URL given without it is
// completed); /health, /metrics and, in recent versions, the Anthropic Messages API at the server
// root. Load comes from its Prometheus gauges (requests running and waiting, KV cache).
import { presetsOf } from '../../../../../shared/providerPresets'
import { baseString, judgeProbe, LOCAL_TIMEOUTS, type LoadSignal, type QueueReport, type SideTarget } from '../../adapter'
import { openAIBased, serverRoot, v1Base } from '../openai-compatible'
import { openAIModelListing } from '../openai-compatible/models'
import { vllmLoadFromMetrics } from './metrics'

const root = (t: SideTarget): string => baseString(serverRoot(t.baseUrl))

const metrics: LoadSignal = {
  url: (t) => `${root(t)}/metrics`,
  async read(get, t): Promise<QueueReport> {
    const res = await get(`${root(t)}/metrics`, { maxBytes: 4 * 1024 * 1024 })
    if (res.status !== 200) throw new Error(`/metrics answered ${res.status}`)
    const load = vllmLoadFromMetrics(res.body)
    if (!load) throw new Error('/metrics has no vllm:num_requests_* gauges')
    return { kind: 'vllm', ...load }
  },
}

export const vllm = openAIBased({
  kind: 'vllm',
  locality: 'local',
  // Responses (vLLM >= 0.10) and Messages (at the root, later versions) only where the config says so.
  dialects: [
    { dialect: 'openai-chat', base: v1Base },
    { dialect: 'openai-responses', base: v1Base, byDefault: false },
    { dialect: 'anthropic-messages', base: serverRoot, byDefault: false },
  ],
  defaultTimeouts: LOCAL_TIMEOUTS,
  // A 503 from /health means the engine is dead, not busy.
  probe: { url: (t) => `${root(t)}/health`, judge: (status) => judgeProbe(status, { busyOn503: false }) },
  models: openAIModelListing((t) => `${root(t)}/v1/models`),
  load: metrics,
  encodeOptions: () => ({ reasoningField: 'both' }),
  fingerprints: [{ path: '/metrics', matches: (status, body) => status === 200 && typeof body === 'string' && body.includes('vllm:'), baseUrl: (origin) => `${origin}/v1` }],
  presets: presetsOf('vllm'),
})
