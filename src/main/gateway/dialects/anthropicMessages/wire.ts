// Anthropic Messages on the wire: the subset the codec reads and writes. Inputs are untrusted JSON,
// so every field a client may omit is optional and the codec checks what it reads. Field names and
// value sets follow @anthropic-ai/sdk resources/messages.
import type { Json } from '../canonical'

export type AnthropicStopReason =
  | 'end_turn'
  | 'max_tokens'
  | 'stop_sequence'
  | 'tool_use'
  | 'pause_turn'
  | 'refusal'
  | 'model_context_window_exceeded'

export interface AnthropicImageSource {
  type: 'base64' | 'url' | 'file' | 'text'
  media_type?: string
  data?: string
  url?: string
  file_id?: string
}

export type AnthropicBlock =
  | { type: 'text'; text: string; cache_control?: unknown; citations?: unknown }
  | { type: 'image'; source: AnthropicImageSource; cache_control?: unknown }
  | { type: 'document'; source: AnthropicImageSource & { type: string }; title?: string; cache_control?: unknown }
  | { type: 'tool_use'; id: string; name: string; input: unknown; cache_control?: unknown }
  | { type: 'tool_result'; tool_use_id: string; content?: string | AnthropicBlock[]; is_error?: boolean; cache_control?: unknown }
  | { type: 'thinking'; thinking: string; signature?: string }
  | { type: 'redacted_thinking'; data: string }
  | { type: string; [key: string]: unknown }

export interface AnthropicMessageParam {
  role: 'user' | 'assistant' | 'system'
  content: string | AnthropicBlock[]
}

export interface AnthropicTool {
  name: string
  description?: string
  input_schema?: Json
  type?: string
  [key: string]: unknown
}

export type AnthropicToolChoice =
  | { type: 'auto'; disable_parallel_tool_use?: boolean }
  | { type: 'any'; disable_parallel_tool_use?: boolean }
  | { type: 'tool'; name: string; disable_parallel_tool_use?: boolean }
  | { type: 'none' }

export interface AnthropicRequest {
  model: string
  messages: AnthropicMessageParam[]
  max_tokens?: number
  system?: string | AnthropicBlock[]
  temperature?: number
  top_p?: number
  top_k?: number
  stop_sequences?: string[]
  stream?: boolean
  tools?: AnthropicTool[]
  tool_choice?: AnthropicToolChoice
  metadata?: { user_id?: string | null }
  thinking?: { type: string; budget_tokens?: number }
  output_config?: { effort?: string | null; format?: { type: string; schema?: Json } | null }
  [key: string]: unknown
}

export interface AnthropicUsage {
  input_tokens: number
  output_tokens: number
  cache_creation_input_tokens?: number | null
  cache_read_input_tokens?: number | null
  output_tokens_details?: { thinking_tokens?: number } | null
}

export interface AnthropicMessage {
  id: string
  type: 'message'
  role: 'assistant'
  model: string
  content: AnthropicBlock[]
  stop_reason: AnthropicStopReason | null
  stop_sequence: string | null
  usage: AnthropicUsage
}

export type AnthropicErrorBody = {
  type: 'error'
  error: { type: string; message: string }
  request_id?: string
}
