// OpenAI Chat Completions on the wire: the subset the codec reads and writes. Inputs are untrusted
// JSON, so every field a client may omit is optional and the codec checks what it reads. Field
// names and value sets follow the openai SDK's resources/chat/completions.
import type { Json } from '../canonical'

export type OpenAIFinishReason = 'stop' | 'length' | 'tool_calls' | 'content_filter' | 'function_call'

export type OpenAIContentPart =
  | { type: 'text'; text: string }
  | { type: 'image_url'; image_url: { url: string; detail?: string } }
  | { type: 'file'; file: { file_data?: string; file_id?: string; filename?: string } }
  | { type: 'refusal'; refusal: string }
  | { type: string; [key: string]: unknown }

export type OpenAIToolCall =
  | { id: string; type: 'function'; function: { name: string; arguments: string } }
  | { id: string; type: 'custom'; custom: { name: string; input: string } }

/** OpenRouter's carrier for signed / encrypted reasoning, used here to round-trip Anthropic thinking. */
export type ReasoningDetail =
  | { type: 'reasoning.text'; text?: string; signature?: string | null; format?: string; index?: number }
  | { type: 'reasoning.encrypted'; data: string; format?: string; index?: number; id?: string }
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
