// Which targets are "local": GPUs the user runs (their prefix cache and queue are worth routing
// around) as opposed to metered cloud APIs. A route without a strategy balances its local targets
// cache-aware and keeps cloud targets for failover (DESIGN.md §3).
//
// - Self-hosted kinds (their adapter's locality is `local`: vLLM, Ollama, llama.cpp) are local
//   wherever they run: a vLLM on a rented box still has a cache.
// - Any other kind is local when its host is (see localHost.ts): so an `openai-compatible`
//   provider pointed at LM Studio on 127.0.0.1:1234 is local, and one pointed at api.openai.com
//   is not.
// - A provider's `local` setting overrides both.
import type { ProviderConfig } from '../../../shared/config'
import { isLocalHost } from './localHost'
import { maybeAdapterFor } from './registry'

export { isLocalHost }

export function isLocalProvider(config: Pick<ProviderConfig, 'kind' | 'baseUrl'> & { local?: boolean }): boolean {
  if (config.local !== undefined) return config.local
  if (maybeAdapterFor(config.kind)?.locality === 'local') return true
  let host: string
  try {
    host = new URL(config.baseUrl).hostname.toLowerCase()
  } catch {
    return false
  }
  return isLocalHost(host)
}
