import type { ProviderKind } from '../../../shared/config'
import type { ProviderAdapter } from './adapter'
import { anthropicAdapter } from './anthropic'
import { ollamaAdapter } from './ollama'
import { openAICompatibleAdapter } from './openaiCompatible'
import { vllmAdapter } from './vllm'

const adapters: Record<ProviderKind, ProviderAdapter> = {
  'openai-compatible': openAICompatibleAdapter,
  vllm: vllmAdapter,
  ollama: ollamaAdapter,
  anthropic: anthropicAdapter,
}

export function adapterFor(kind: ProviderKind): ProviderAdapter {
  return adapters[kind]
}
