// One codec per dialect: the contract every dialect folder implements. Pure functions and
// per-stream state objects; nothing here does I/O.
import type { CanonicalRequest, CanonicalResponse, ErrorInfo, Json, StreamEvent, Usage } from './canonical'

/** The wire dialects Switchyard speaks. */
export const DIALECTS = ['openai-chat', 'anthropic-messages', 'openai-responses', 'gemini', 'ollama'] as const
export type Dialect = (typeof DIALECTS)[number]

/**
 * Per-upstream knobs for encoding a request: the quirks of the backend that will receive it
 * (routing decides them; see translationOptions in pipeline/prepare.ts).
 */
export interface EncodeRequestOptions {
  /** Model name to send upstream (after route resolution); defaults to the client's. */
  upstreamModel?: string
  /** Anthropic requires max_tokens; used when the client gave none (`provider.defaultMaxTokens`). */
  defaultMaxTokens?: number
  /** Clamp for the output-token limit (Claude Code asks for 32k; a small local context rejects that). */
  maxTokensCap?: number
  /** OpenAI's reasoning models only accept `max_completion_tokens`; local servers know `max_tokens`. */
  maxTokensField?: 'max_tokens' | 'max_completion_tokens'
  /**
   * Chat upstreams: where an assistant turn's reasoning goes when the conversation is sent back.
   * DeepSeek requires `reasoning_content` on turns that called tools; vLLM >= 0.16 and Ollama read
   * `reasoning`; OpenAI rejects both. Default `reasoning_content`.
   */
  reasoningField?: 'reasoning_content' | 'reasoning' | 'both' | 'omit'
  /**
   * DeepSeek in thinking mode answers 400 when an assistant turn that called tools comes back
   * without its reasoning field; with this set such turns always carry one (empty if need be).
   */
  reasoningOnToolTurns?: boolean
  /**
   * Anthropic upstreams: turn a reasoning effort into extended thinking with a budget share of
   * max_tokens. Off by default: which thinking modes a Claude model accepts depends on the model.
   */
  mapReasoningEffort?: boolean
}

/** The output-token limit to send: the client's, clamped to the upstream's cap when it has one. */
export function cappedMaxTokens(max: number, opts: EncodeRequestOptions): number {
  return opts.maxTokensCap ? Math.min(max, opts.maxTokensCap) : max
}

export interface EncodedRequest {
  /**
   * Path under the upstream's API base (`/chat/completions`, `/v1/messages`, `/responses`,
   * `/api/chat`, `/v1beta/models/{model}:streamGenerateContent?alt=sse`).
   */
  path: string
  body: object
}

/**
 * What a request's URL says that its body does not. Gemini names the model and whether to stream
 * in the path (`/v1beta/models/{model}:streamGenerateContent`); the other dialects carry both in
 * the body and ignore this.
 */
export interface RequestTarget {
  model?: string
  stream?: boolean
}

/** What the response side knows about the client's request. */
export interface ResponseContext {
  /** The model name the client asked for; every answer reports it. */
  model: string
  /** The client's stop sequences: tells a stop-sequence hit from a natural end (vLLM reports which matched). */
  stopSequences?: readonly string[]
  /** Chat clients: they sent stream_options.include_usage. */
  includeUsage?: boolean
  /** Input tokens known before the upstream answers (a local estimate), for Anthropic's message_start. */
  inputTokens?: number
  /** The client-facing message id when a stream must start before the upstream's first byte. */
  messageId?: string
  /** Unix seconds for `created` / `created_at`; injected so encoders stay pure. */
  created?: number
  /** Names of the custom (freeform) tools the client declared: their calls go back as custom calls. */
  customTools?: readonly string[]
  /** Responses clients: request fields the response object echoes (instructions, tools, …). */
  echo?: Json
  /** Ollama clients of `/api/generate`: answers carry `response`/`thinking` at the top level instead of a `message`. */
  ollamaGenerate?: boolean
  /** Gemini clients that called `:streamGenerateContent` without `alt=sse`: the stream is one JSON array, written element by element. */
  geminiJsonArray?: boolean
}

/** Upstream stream bytes (SSE, or NDJSON for Ollama) -> canonical events; one instance per stream. */
export interface StreamDecoder {
  /** Feeds one upstream read (events, lines and UTF-8 characters may be split anywhere). */
  push(chunk: Uint8Array): StreamEvent[]
  /** The upstream body ended: the final events, or an error event when it was cut short. */
  end(): StreamEvent[]
  /** Usage as the upstream reported it so far (for metering); undefined before any report. */
  usage(): Usage | undefined
}

/** Canonical events -> client stream text in one dialect (SSE, NDJSON or a JSON array); one instance per stream. */
export interface StreamEncoder {
  /** Output that may precede the first upstream byte (so keep-alives can follow); idempotent. */
  start(): string
  encode(event: StreamEvent): string
  /** Ends the stream with this dialect's error event; `status` picks the error type (504 timeout, …). */
  fail(message: string, status?: number): string
  /** True once the client stream is complete, normally or with an error event. */
  readonly done: boolean
}

export interface Codec {
  readonly dialect: Dialect
  /** Client JSON (and what its URL said) -> canonical. Throws GatewayError 400 `invalid_request` naming what is invalid. */
  decodeRequest(body: unknown, target?: RequestTarget): CanonicalRequest
  /** Canonical -> upstream body and path. Throws GatewayError 400 for what this dialect cannot carry. */
  encodeRequest(request: CanonicalRequest, options: EncodeRequestOptions): EncodedRequest
  /** A complete upstream answer -> canonical. Throws GatewayError 502 `upstream_bad_response` on garbage. */
  decodeResponse(body: unknown, context: ResponseContext): CanonicalResponse
  encodeResponse(response: CanonicalResponse, context: ResponseContext): object
  streamDecoder(context: ResponseContext): StreamDecoder
  streamEncoder(context: ResponseContext): StreamEncoder
  /** An error in this dialect's body shape, and the status its clients should see. */
  errorBody(error: ErrorInfo | undefined, status?: number): { status: number; body: object }
}
