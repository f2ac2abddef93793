import type { ProviderKind } from '../../../shared/config'
import { CLOUD_TIMEOUTS, type ProviderAdapter } from './adapter'
import { ollamaAdapter } from './ollama'
import { openAICompatibleAdapter } from './openaiCompatible'
import { vllmAdapter } from './vllm'

// Anthropic gets its own adapter with the protocol bridge; until then it is reached through the
// OpenAI-compatible chat completions endpoint Anthropic's API serves under /v1.
const anthropicPlaceholder: ProviderAdapter = { ...vllmAdapter, kind: 'anthropic', defaultTimeouts: CLOUD_TIMEOUTS }

const adapters: Record<ProviderKind, ProviderAdapter> = {
  'openai-compatible': openAICompatibleAdapter,
  vllm: vllmAdapter,
  ollama: ollamaAdapter,
  anthropic: anthropicPlaceholder,
}

export function adapterFor(kind: ProviderKind): ProviderAdapter {
  return adapters[kind]
}
