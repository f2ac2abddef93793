// What the dashboard shows for each provider kind: its name, and the presets offered when adding a
// provider (a preset fills kind and base URL). Plain data: the renderer imports it (it may import
// nothing from src/main), and each kind's adapter in src/main/gateway/providers/kinds/ takes its
// presets from here (`presetsOf`), so the two never disagree. A new kind adds its entry here; the
// `Record<ProviderKind, …>` makes the compiler ask for it.
import type { ProviderKind } from './config'

export interface ProviderPreset {
  id: string
  label: string
  kind: ProviderKind
  baseUrl: string
  /** Cloud APIs need a key; local servers usually not. */
  needsKey: boolean
  local: boolean
  /** Offered as a one-click button on the Providers screen (the rest are in the add form's list). */
  quick?: boolean
}

export const KIND_LABELS: Record<ProviderKind, string> = {
  'openai-compatible': 'OpenAI-compatible',
  vllm: 'vLLM',
  ollama: 'Ollama',
  anthropic: 'Anthropic',
  llamacpp: 'llama.cpp',
  gemini: 'Gemini',
}

/** In the order the add form lists them. */
export const PROVIDER_PRESETS: readonly ProviderPreset[] = [
  { id: 'vllm', label: 'vLLM', kind: 'vllm', baseUrl: 'http://127.0.0.1:8000/v1', needsKey: false, local: true, quick: true },
  { id: 'ollama', label: 'Ollama', kind: 'ollama', baseUrl: 'http://127.0.0.1:11434', needsKey: false, local: true, quick: true },
  { id: 'lmstudio', label: 'LM Studio', kind: 'openai-compatible', baseUrl: 'http://127.0.0.1:1234/v1', needsKey: false, local: true, quick: true },
  { id: 'llamacpp', label: 'llama.cpp', kind: 'llamacpp', baseUrl: 'http://127.0.0.1:8080/v1', needsKey: false, local: true },
  { id: 'openai', label: 'OpenAI', kind: 'openai-compatible', baseUrl: 'https://api.openai.com/v1', needsKey: true, local: false, quick: true },
  { id: 'anthropic', label: 'Anthropic', kind: 'anthropic', baseUrl: 'https://api.anthropic.com', needsKey: true, local: false, quick: true },
  { id: 'deepseek', label: 'DeepSeek', kind: 'openai-compatible', baseUrl: 'https://api.deepseek.com', needsKey: true, local: false },
  { id: 'openrouter', label: 'OpenRouter', kind: 'openai-compatible', baseUrl: 'https://openrouter.ai/api/v1', needsKey: true, local: false },
  { id: 'gemini', label: 'Gemini', kind: 'gemini', baseUrl: 'https://generativelanguage.googleapis.com', needsKey: true, local: false },
  { id: 'groq', label: 'Groq', kind: 'openai-compatible', baseUrl: 'https://api.groq.com/openai/v1', needsKey: true, local: false },
]

export function presetsOf(kind: ProviderKind): readonly ProviderPreset[] {
  return PROVIDER_PRESETS.filter((p) => p.kind === kind)
}
