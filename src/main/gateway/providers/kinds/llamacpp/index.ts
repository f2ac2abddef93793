// `llamacpp`: llama.cpp's `llama-server`. The OpenAI API under /v1 (completed when the base URL
// lacks it), /health, /props, /slots and /metrics at the server root (see server.ts), and in recent
// builds the Anthropic Messages API at /v1/messages. A GPU you run: local, with vLLM's timeouts.
import { presetsOf } from '../../../../../shared/providerPresets'
import { jsonOf } from '../../backendClient'
import { baseString, judgeProbe, LOCAL_TIMEOUTS, type DiscoveredModels, type LoadSignal, type QueueReport, type SideGet, type SideTarget } from '../../adapter'
import { openAIBased, serverRoot, v1Base } from '../openai-compatible'
import { parseModelList } from '../openai-compatible/models'
import { llamacppLoadFromMetrics, llamacppLoadFromSlots, parseLlamacppProps } from './server'

const root = (t: SideTarget): string => baseString(serverRoot(t.baseUrl))

/**
 * /metrics when the server was started with --metrics (it counts the requests waiting for a slot),
 * else /slots (busy slots of all). Which one answered is remembered per provider.
 */
const slots: LoadSignal = {
  url: (t) => `${root(t)}/slots`,
  async read(get, t, memo): Promise<QueueReport> {
    if (memo.source !== 'slots') {
      const res = await get(`${root(t)}/metrics`, { maxBytes: 1024 * 1024 })
      const load = res.status === 200 ? llamacppLoadFromMetrics(res.body) : undefined
      if (load) {
        memo.source = 'metrics'
        return load
      }
      const unsupported = res.status === 404 || res.status === 501 || res.status === 200
      if (memo.source === 'metrics' || !unsupported) throw new Error(`/metrics answered ${res.status}`)
      memo.source = 'slots'
    }
    const res = await get(`${root(t)}/slots`, { maxBytes: 4 * 1024 * 1024 })
    if (res.status !== 200) throw new Error(`/slots answered ${res.status}`)
    return llamacppLoadFromSlots(jsonOf(res))
  },
}

/** /v1/models, and from /props the context per slot (what one request can use) of the model it serves. */
async function listModels(get: SideGet, t: SideTarget): Promise<DiscoveredModels> {
  const [list, props] = await Promise.all([get(`${root(t)}/v1/models`), get(`${root(t)}/props`).catch(() => undefined)])
  const models = parseModelList(jsonOf(list))
  const contextLength: Record<string, number> = {}
  const info = props?.status === 200 ? parseLlamacppProps(safeJson(props.body)) : undefined
  // One server, one model: its context is the one /props reports (a router-mode server lists several).
  if (info?.contextLength !== undefined && models.length === 1) contextLength[models[0]!] = info.contextLength
  return { models, contextLength }
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text)
  } catch {
    return undefined
  }
}

export const llamacpp = openAIBased({
  kind: 'llamacpp',
  locality: 'local',
  dialects: [
    { dialect: 'openai-chat', base: v1Base },
    { dialect: 'anthropic-messages', base: serverRoot, byDefault: false },
  ],
  defaultTimeouts: LOCAL_TIMEOUTS,
  // 503 while the model loads: up, but not taking requests yet.
  probe: { url: (t) => `${root(t)}/health`, judge: (status) => judgeProbe(status) },
  models: { url: (t) => `${root(t)}/v1/models`, list: listModels },
  load: slots,
  fingerprints: [{ path: '/props', matches: (status, body) => status === 200 && parseLlamacppProps(body) !== undefined, baseUrl: (origin) => `${origin}/v1` }],
  presets: presetsOf('llamacpp'),
})
