// Ollama's native API (`/api/chat`, `/api/generate`) on the wire: the subset the codec reads and
// writes. Inputs are untrusted JSON, so every field is optional and the codec checks what it
// reads. Field names follow Ollama's api/types.go and the `ollama` npm client's interfaces.
import type { Json } from '../canonical'

export interface OllamaToolCall {
  /** Ollama >= 0.12 names its calls (`call_…`); older servers and clients leave it out. */
  id?: string
  function: { index?: number; name: string; arguments: Json }
}

export interface OllamaMessage {
  role: 'system' | 'user' | 'assistant' | 'tool' | string
  content: string
  thinking?: string
  /** Base64 images, no data: prefix and no media type. */
  images?: string[]
  tool_calls?: OllamaToolCall[]
  /** Tool messages: which tool answered, and (newer) which call. */
  tool_name?: string
  tool_call_id?: string
}

export interface OllamaTool {
  type: 'function'
  function: { name: string; description?: string; parameters?: Json }
}

/** `true`/`false`, or a level for models that take one (gpt-oss); any level means "on" to the others. */
export type OllamaThink = boolean | 'low' | 'medium' | 'high' | 'max'

export interface OllamaOptions {
  temperature?: number
  top_p?: number
  top_k?: number
  num_predict?: number
  stop?: string[]
  seed?: number
  presence_penalty?: number
  frequency_penalty?: number
  num_ctx?: number
  [key: string]: unknown
}

export interface OllamaChatRequest {
  model: string
  messages: OllamaMessage[]
  tools?: OllamaTool[]
  /** `"json"` or a JSON schema. */
  format?: 'json' | Json
  options?: OllamaOptions
  /** Ollama streams unless told `false`. */
  stream: boolean
  think?: OllamaThink
  keep_alive?: string | number
}

/** What every final (`done: true`) line and non-streamed answer carries; durations in nanoseconds. */
export interface OllamaMetrics {
  total_duration?: number
  load_duration?: number
  prompt_eval_count?: number
  prompt_eval_duration?: number
  eval_count?: number
  eval_duration?: number
}

export interface OllamaChatResponse extends OllamaMetrics {
  model: string
  created_at: string
  message: OllamaMessage
  done: boolean
  /** `stop`, `length`, or `load` / `unload` for requests that only (un)load a model. */
  done_reason?: string
}

export interface OllamaGenerateResponse extends OllamaMetrics {
  model: string
  created_at: string
  response: string
  thinking?: string
  done: boolean
  done_reason?: string
}

export interface OllamaErrorBody {
  error: string
}
