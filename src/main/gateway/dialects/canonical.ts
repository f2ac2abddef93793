// The canonical conversation: every dialect's codec decodes into it and encodes from it, so a
// translation between two dialects is decode(one) -> encode(other) and a new dialect is one codec,
// not a translator per pair. It holds what at least two dialects can express; what only one
// dialect knows stays in that dialect (passthrough keeps it, translation drops it on purpose).
//
// Conventions: ids are kept without their dialect's prefix (`chatcmpl-`, `msg_`, `resp_`), so each
// encoder adds its own; token counts follow OpenAI's meaning (input includes cached tokens).

export type Json = Record<string, unknown>

// ---- content parts ---------------------------------------------------------------------------

export interface TextPart {
  type: 'text'
  text: string
}

/** Where an image's or document's bytes are: inline, behind a URL, or in a provider's file store. */
export type MediaSource =
  | { kind: 'base64'; mediaType: string; data: string }
  | { kind: 'url'; url: string }
  | { kind: 'file'; fileId: string }

export interface ImagePart {
  type: 'image'
  source: MediaSource
  /** OpenAI's resolution hint (`low` / `high` / `auto`). */
  detail?: string
}

export interface DocumentPart {
  type: 'document'
  /** `text`: a plain-text document (Anthropic's text source). */
  source: MediaSource | { kind: 'text'; data: string }
  title?: string
  filename?: string
}

/** Function tools take JSON arguments; custom (freeform) tools, such as Codex's apply_patch, take raw text. */
export type ToolKind = 'function' | 'custom'

export type ToolCallPart =
  | { type: 'tool_call'; kind: 'function'; id: string; name: string; /** JSON text, as the model wrote it */ arguments: string }
  | { type: 'tool_call'; kind: 'custom'; id: string; name: string; input: string }

export interface ToolResultPart {
  type: 'tool_result'
  callId: string
  content: Array<TextPart | ImagePart | DocumentPart>
  isError?: boolean
}

/**
 * Model reasoning. Which fields are set depends on the producer: raw `text` (DeepSeek, vLLM,
 * llama.cpp), `summary` (OpenAI reasoning summaries, and Anthropic thinking, which Claude returns
 * summarized), `signature` (Anthropic: required to pass thinking back), `encryptedContent`
 * (OpenAI: the reasoning itself, opaque), `redactedData` (Anthropic's redacted_thinking). Each
 * backend only accepts back what it issued.
 */
export interface ReasoningPart {
  type: 'reasoning'
  text?: string
  summary?: string[]
  signature?: string
  encryptedContent?: string
  redactedData?: string
  /** The Responses item id (`rs_…`), kept so the item can be referenced again. */
  id?: string
}

export interface RefusalPart {
  type: 'refusal'
  text: string
}

export type UserPart = TextPart | ImagePart | DocumentPart | ToolResultPart
export type AssistantPart = TextPart | RefusalPart | ReasoningPart | ToolCallPart

/**
 * Tool results travel in user messages (Anthropic's model); encoders for dialects with a tool role
 * split them out. Roles may repeat: encoders merge or split as their dialect demands.
 */
export type Message =
  | { role: 'system'; content: TextPart[] }
  | { role: 'user'; content: UserPart[] }
  | { role: 'assistant'; content: AssistantPart[] }

// ---- tools, sampling, output controls ----------------------------------------------------------

export type CustomToolFormat = { type: 'text' } | { type: 'grammar'; syntax: string; definition: string }

export type ToolDefinition =
  | { kind: 'function'; name: string; description?: string; /** JSON schema */ parameters?: Json; strict?: boolean }
  | { kind: 'custom'; name: string; description?: string; format?: CustomToolFormat }

export type ToolChoice = { type: 'auto' } | { type: 'none' } | { type: 'required' } | { type: 'tool'; name: string }

export interface Sampling {
  temperature?: number
  topP?: number
  topK?: number
  maxOutputTokens?: number
  /** Non-empty strings only. */
  stopSequences?: string[]
  seed?: number
  frequencyPenalty?: number
  presencePenalty?: number
}

export interface ReasoningConfig {
  /** `minimal` / `low` / `medium` / `high` (OpenAI); Anthropic's output_config.effort uses the same words. */
  effort?: string
  /** Anthropic's extended-thinking budget. */
  budgetTokens?: number
  /** OpenAI reasoning summaries: `auto` / `concise` / `detailed`. */
  summary?: string
}

export type ResponseFormat =
  | { type: 'text' }
  | { type: 'json_object' }
  | { type: 'json_schema'; name?: string; description?: string; schema: Json; strict?: boolean }

export interface CanonicalRequest {
  /** The model the client asked for. */
  model: string
  /** Top-level instructions (Anthropic `system`, Responses `instructions`). */
  system?: TextPart[]
  messages: Message[]
  tools?: ToolDefinition[]
  toolChoice?: ToolChoice
  parallelToolCalls?: boolean
  sampling: Sampling
  reasoning?: ReasoningConfig
  responseFormat?: ResponseFormat
  /** OpenAI's `text.verbosity`. */
  verbosity?: string
  /** End-user id (OpenAI `user` / `safety_identifier`, Anthropic `metadata.user_id`). */
  user?: string
  metadata?: Record<string, string>
  stream: boolean
  promptCacheKey?: string
  /** Responses state: carried only; the local response store serves them later. */
  store?: boolean
  previousResponseId?: string
  /** Responses `include` (e.g. `reasoning.encrypted_content`). */
  include?: string[]
}

// ---- responses ---------------------------------------------------------------------------------

export type StopReason =
  | 'end_turn'
  | 'max_tokens'
  | 'stop_sequence'
  | 'tool_use'
  | 'content_filter'
  | 'refusal'
  | 'pause_turn'
  | 'context_window_exceeded'

export interface Usage {
  /** All input tokens, cached ones and cache writes included. */
  inputTokens: number
  outputTokens: number
  /** Input tokens read from a prompt cache. */
  cachedInputTokens: number
  /** Input tokens written to a prompt cache (Anthropic). */
  cacheCreationInputTokens: number
  /** Output tokens spent on reasoning (part of outputTokens). */
  reasoningTokens: number
}

export interface CanonicalResponse {
  id?: string
  model?: string
  content: AssistantPart[]
  stopReason: StopReason
  /** The stop sequence that ended generation, when known. */
  stopSequence?: string | null
  /** Undefined when the upstream reported none. */
  usage?: Usage
}

/** An error as any dialect reports it; `type`/`code` are the upstream's own words when it gave any. */
export interface ErrorInfo {
  message: string
  type?: string
  code?: string | number | null
  param?: string | null
}

// ---- stream events -----------------------------------------------------------------------------

/** What a content block is, known when it opens. */
export type BlockStart =
  | { type: 'text' }
  | { type: 'refusal' }
  | { type: 'reasoning'; id?: string; redactedData?: string }
  | { type: 'tool_call'; kind: ToolKind; id: string; name: string; /** input already known at the start */ arguments?: string }

export type BlockDelta =
  | { type: 'text'; text: string }
  /** Raw reasoning text (chat reasoning_content, Responses reasoning_text). */
  | { type: 'reasoning'; text: string }
  /** Summarized reasoning (Responses summaries, Anthropic thinking), by summary part. */
  | { type: 'reasoning_summary'; text: string; summaryIndex: number }
  | { type: 'signature'; signature: string }
  /** Function arguments (a JSON fragment) or custom tool input (raw text), by the block's kind. */
  | { type: 'arguments'; text: string }

/**
 * Blocks have decoder-assigned indexes and open, grow and close in order; deltas only reach an
 * open block, except that a chat tool call's late fragment may reach its block after it closed.
 */
export type StreamEvent =
  | { type: 'start'; id?: string; model?: string; usage?: Usage }
  | { type: 'block_start'; index: number; block: BlockStart }
  | { type: 'block_delta'; index: number; delta: BlockDelta }
  | { type: 'block_end'; index: number; encryptedContent?: string }
  | { type: 'finish'; stopReason: StopReason; stopSequence?: string | null; usage?: Usage }
  | { type: 'error'; error: ErrorInfo; status?: number }
  | { type: 'keepalive' }
