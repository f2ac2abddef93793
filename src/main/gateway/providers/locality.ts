// Which targets are "local": GPUs the user runs (their prefix cache and queue are worth routing
// around) as opposed to metered cloud APIs. A route without a strategy balances its local targets
// cache-aware and keeps cloud targets for failover (DESIGN.md §3).
//
// - Self-hosted inference kinds (vLLM, Ollama, and llama.cpp, LM Studio or SGLang should they get
//   kinds of their own) are local wherever they run: a vLLM on a rented box still has a cache.
// - Any other kind is local when its host is: loopback, a private or link-local address
//   (RFC 1918, CGNAT/Tailscale 100.64/10, fc00::/7, fe80::/10), `localhost`, a single-label name
//   (`gpu-box`) or a LAN suffix (`.local`, `.lan`, `.internal`, `.home.arpa`). So an
//   `openai-compatible` provider pointed at LM Studio on 127.0.0.1:1234 is local, and one pointed
//   at api.openai.com is not.
// - A provider's `local` setting overrides both.
import type { ProviderConfig } from '../../../shared/config'

const SELF_HOSTED_KINDS: ReadonlySet<string> = new Set(['vllm', 'ollama', 'llamacpp', 'llama.cpp', 'lmstudio', 'sglang', 'tgi'])
const LAN_SUFFIXES = ['.local', '.lan', '.internal', '.home.arpa', '.localhost', '.localdomain']

export function isLocalProvider(config: Pick<ProviderConfig, 'kind' | 'baseUrl'> & { local?: boolean }): boolean {
  if (config.local !== undefined) return config.local
  if (SELF_HOSTED_KINDS.has(config.kind)) return true
  let host: string
  try {
    host = new URL(config.baseUrl).hostname.toLowerCase()
  } catch {
    return false
  }
  return isLocalHost(host)
}

export function isLocalHost(hostname: string): boolean {
  const host = hostname.startsWith('[') ? hostname.slice(1, -1) : hostname
  if (host === 'localhost' || host === '' || host === '::1' || host === '::') return true
  const v4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(host)
  if (v4) {
    const [a, b] = [Number(v4[1]), Number(v4[2])]
    return a === 127 || a === 10 || a === 0 || (a === 172 && b >= 16 && b <= 31) || (a === 192 && b === 168) || (a === 169 && b === 254) || (a === 100 && b >= 64 && b <= 127)
  }
  if (host.includes(':')) {
    const mapped = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/.exec(host)
    if (mapped) return isLocalHost(mapped[1]!)
    return /^f[cd][0-9a-f]{2}:/.test(host) || /^fe[89ab][0-9a-f]:/.test(host)
  }
  if (!host.includes('.')) return true // a single-label name only resolves on the local network
  return LAN_SUFFIXES.some((suffix) => host.endsWith(suffix))
}
