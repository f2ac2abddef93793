// The subset of the two wire formats the bridge reads and writes. Inputs are untrusted JSON, so
// every field a client may omit is optional here and the mapping code checks what it reads.
// Field names and value sets follow the providers' own SDK type definitions
// (@anthropic-ai/sdk resources/messages, openai resources/chat/completions).

export type Json = Record<string, unknown>

// ---- Anthropic Messages ----------------------------------------------------------------------

export type AnthropicStopReason =
  | 'end_turn'
  | 'max_tokens'
  | 'stop_sequence'
  | 'tool_use'
  | 'pause_turn'
  | 'refusal'
  | 'model_context_window_exceeded'

export interface AnthropicImageSource {
  type: 'base64' | 'url' | 'file'
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

// ---- OpenAI chat completions -----------------------------------------------------------------

export type OpenAIFinishReason = 'stop' | 'length' | 'tool_calls' | 'content_filter' | 'function_call'

export type OpenAIContentPart =
  | { type: 'text'; text: string }
  | { type: 'image_url'; image_url: { url: string; detail?: string } }
  | { type: 'file'; file: { file_data?: string; file_id?: string; filename?: string } }
  | { type: 'refusal'; refusal: string }
  | { type: string; [key: string]: unknown }

export interface OpenAIToolCall {
  id: string
  type: 'function'
  function: { name: string; arguments: string }
}

/** OpenRouter's carrier for signed / encrypted reasoning, used here to round-trip Anthropic thinking. */
export type ReasoningDetail =
  | { type: 'reasoning.text'; text?: string; signature?: string | null; format?: string; index?: number }
  | { type: 'reasoning.encrypted'; data: string; format?: string; index?: number }
  | { type: string; [key: string]: unknown }

export interface OpenAIMessage {
  role: 'system' | 'developer' | 'user' | 'assistant' | 'tool' | 'function'
  content?: string | OpenAIContentPart[] | null
  name?: string
  tool_calls?: OpenAIToolCall[]
  tool_call_id?: string
  reasoning_content?: string | null
  reasoning?: string | null
  reasoning_details?: ReasoningDetail[]
  refusal?: string | null
}

export interface OpenAITool {
  type: 'function' | string
  function?: { name: string; description?: string; parameters?: Json; strict?: boolean | null }
}

export type OpenAIToolChoice =
  | 'none'
  | 'auto'
  | 'required'
  | { type: 'function'; function: { name: string } }
  | { type: string; [key: string]: unknown }

export interface OpenAIRequest {
  model: string
  messages: OpenAIMessage[]
  max_tokens?: number | null
  max_completion_tokens?: number | null
  temperature?: number | null
  top_p?: number | null
  n?: number | null
  stop?: string | string[] | null
  stream?: boolean | null
  stream_options?: { include_usage?: boolean } | null
  tools?: OpenAITool[]
  tool_choice?: OpenAIToolChoice
  parallel_tool_calls?: boolean
  response_format?: { type: string; json_schema?: { name?: string; schema?: Json; strict?: boolean } }
  reasoning_effort?: string | null
  user?: string
  [key: string]: unknown
}

export interface OpenAIUsage {
  prompt_tokens: number
  completion_tokens: number
  total_tokens: number
  prompt_tokens_details?: { cached_tokens?: number } | null
  completion_tokens_details?: { reasoning_tokens?: number } | null
}

export interface OpenAIChatCompletion {
  id: string
  object: 'chat.completion'
  created: number
  model: string
  choices: Array<{
    index: number
    message: OpenAIMessage & { role: 'assistant'; content: string | null }
    logprobs: null
    finish_reason: OpenAIFinishReason
    /** vLLM: the stop string (or token id) that ended generation. */
    stop_reason?: string | number | null
  }>
  usage?: OpenAIUsage
}

export interface OpenAIChunkToolCall {
  index?: number
  id?: string
  type?: 'function'
  function?: { name?: string; arguments?: string }
}

export interface OpenAIChunk {
  id?: string
  object?: 'chat.completion.chunk'
  created?: number
  model?: string
  choices?: Array<{
    index?: number
    delta?: {
      role?: string
      content?: string | null
      reasoning_content?: string | null
      reasoning?: string | null
      tool_calls?: OpenAIChunkToolCall[]
      refusal?: string | null
    }
    finish_reason?: OpenAIFinishReason | null
    stop_reason?: string | number | null
  }>
  usage?: OpenAIUsage | null
  error?: unknown
}

export interface OpenAIErrorBody {
  error: { message: string; type: string; code: string | number | null; param: string | null }
}
