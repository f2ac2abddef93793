// Provider kind -> adapter. A new kind is one folder under kinds/ and one line here (plus its name
// in PROVIDER_KINDS and its dashboard entry in src/shared/providerPresets.ts, both of which the
// compiler asks for through `Record<ProviderKind, …>`).
import type { ProviderKind } from '../../../shared/config'
import type { ProviderAdapter } from './adapter'
import { anthropic } from './kinds/anthropic'
import { gemini } from './kinds/gemini'
import { llamacpp } from './kinds/llamacpp'
import { ollama } from './kinds/ollama'
import { openAICompatible } from './kinds/openai-compatible'
import { vllm } from './kinds/vllm'

export const PROVIDER_ADAPTERS: Readonly<Record<ProviderKind, ProviderAdapter>> = {
  'openai-compatible': openAICompatible,
  vllm,
  ollama,
  anthropic,
  llamacpp,
  gemini,
}

export function adapterFor(kind: ProviderKind): ProviderAdapter {
  return PROVIDER_ADAPTERS[kind]
}

/** The adapter of a kind named by untyped data (a target built by hand, an old config); undefined for unknown kinds. */
export function maybeAdapterFor(kind: string): ProviderAdapter | undefined {
  return Object.hasOwn(PROVIDER_ADAPTERS, kind) ? PROVIDER_ADAPTERS[kind as ProviderKind] : undefined
}
