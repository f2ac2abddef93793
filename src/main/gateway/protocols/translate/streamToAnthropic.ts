// OpenAI chat.completion.chunk events -> Anthropic's stream: message_start, then for each
// content block content_block_start / content_block_delta* / content_block_stop (thinking from
// `reasoning_content` or `reasoning`, text, one tool_use block per tool call index with the
// argument fragments as input_json_delta), then message_delta (stop reason, usage) and
// message_stop. Pure: fed parsed SSE events, returns the bytes to send; one instance per stream.
import { anthropicErrorEvent, toAnthropicErrorBody } from './errors'
import { anthropicToolId, isRecord, matchedStopSequence, rePrefixId, stopReasonFromFinish } from './mapping'
import { anthropicSse, type SseEvent } from './sse'
import type { AnthropicErrorBody, OpenAIChunk, OpenAIChunkToolCall } from './types'

export interface ToAnthropicStreamOptions {
  /** The model name the client asked for. */
  model: string
  /** Input tokens for message_start (e.g. estimated locally); else 0 there. The upstream's count follows in message_delta. */
  inputTokens?: number
  stopSequences?: readonly string[]
  /** Message id when the stream must start before the upstream's first chunk (keep-alive pings). */
  messageId?: string
}

interface ToolState {
  block: number
  started: boolean
  id: string
  name: string
  pendingArgs: string
}

interface OpenBlock {
  kind: 'text' | 'thinking' | 'tool'
  index: number
}

export class OpenAIToAnthropicStream {
  private started = false
  private finished = false
  private nextBlock = 0
  private open: OpenBlock | undefined
  private readonly tools = new Map<number, ToolState>()
  private lastToolKey = -1
  private finishReason: string | null = null
  private matchedStop: string | null = null
  private messageId: string
  /** Usage as reported by the upstream, for the client and for metering. */
  readonly usage = { promptTokens: 0, completionTokens: 0, cachedTokens: 0, reported: false }

  constructor(private readonly opts: ToAnthropicStreamOptions) {
    this.messageId = opts.messageId ?? ''
  }

  get done(): boolean {
    return this.finished
  }

  /** message_start; called by the first upstream event, or earlier by the caller. Idempotent. */
  start(): string {
    if (this.started) return ''
    this.started = true
    const message = {
      id: this.messageId || 'msg_switchyard',
      type: 'message',
      role: 'assistant',
      model: this.opts.model,
      content: [],
      stop_reason: null,
      stop_sequence: null,
      usage: { input_tokens: this.opts.inputTokens ?? 0, output_tokens: 0, cache_creation_input_tokens: 0, cache_read_input_tokens: 0 },
    }
    return anthropicSse({ type: 'message_start', message })
  }

  onEvent(event: SseEvent): string {
    if (this.finished) return ''
    if (event.data === '[DONE]') return this.close()
    let chunk: OpenAIChunk
    try {
      chunk = JSON.parse(event.data) as OpenAIChunk
    } catch {
      return this.fail(toAnthropicErrorBody({ error: { message: 'the upstream sent a stream event that is not JSON' } }))
    }
    if (!isRecord(chunk)) return ''
    if (chunk.error !== undefined) return this.fail(toAnthropicErrorBody(chunk))
    if (!this.started && !this.messageId) this.messageId = rePrefixId(chunk.id, 'chatcmpl-', 'msg_', 'msg_switchyard')
    let out = this.start()
    if (isRecord(chunk.usage)) this.recordUsage(chunk.usage)
    const choice = Array.isArray(chunk.choices) ? chunk.choices.find((c) => isRecord(c) && (c.index ?? 0) === 0) : undefined
    if (!choice) return out
    const delta = isRecord(choice.delta) ? choice.delta : {}
    const reasoning = typeof delta.reasoning_content === 'string' ? delta.reasoning_content : delta.reasoning
    if (typeof reasoning === 'string' && reasoning !== '') out += this.appendText('thinking', reasoning)
    if (typeof delta.content === 'string' && delta.content !== '') out += this.appendText('text', delta.content)
    if (typeof delta.refusal === 'string' && delta.refusal !== '') out += this.appendText('text', delta.refusal)
    if (Array.isArray(delta.tool_calls)) for (const call of delta.tool_calls) if (isRecord(call)) out += this.appendToolCall(call)
    const matched = matchedStopSequence(choice.stop_reason, this.opts.stopSequences)
    if (matched !== null) this.matchedStop = matched
    if (typeof choice.finish_reason === 'string') {
      this.finishReason = choice.finish_reason
      out += this.closeBlock()
    }
    return out
  }

  /** The upstream body ended. A stream cut short (no finish_reason, no [DONE]) ends with an error event. */
  end(): string {
    if (this.finished) return ''
    if (this.finishReason === null) return this.fail(toAnthropicErrorBody({ error: { message: 'the upstream ended the stream before the answer was complete' } }))
    return this.close()
  }

  /** Ends the stream with Anthropic's `error` event; nothing follows it. */
  fail(body: AnthropicErrorBody): string {
    if (this.finished) return ''
    this.finished = true
    return anthropicErrorEvent(body)
  }

  private close(): string {
    let out = this.start() + this.closeBlock()
    // A call whose name never arrived still reaches the client (as a tool_use the client will reject).
    for (const tool of this.tools.values()) if (!tool.started) out += this.startTool(tool) + anthropicSse({ type: 'content_block_stop', index: tool.block })
    const sawToolCalls = this.tools.size > 0
    const stopReason = stopReasonFromFinish(this.finishReason, { sawToolCalls, matchedStop: this.matchedStop })
    const usage: Record<string, number> = { output_tokens: this.usage.completionTokens }
    const input = this.usage.promptTokens - this.usage.cachedTokens
    if (this.usage.reported && this.opts.inputTokens !== input) {
      // Unknown (or only estimated) at message_start: the upstream's count goes here; message_delta
      // usage is cumulative and clients overwrite their totals with it.
      usage.input_tokens = input
      usage.cache_read_input_tokens = this.usage.cachedTokens
    }
    out += anthropicSse({
      type: 'message_delta',
      delta: { stop_reason: stopReason, stop_sequence: stopReason === 'stop_sequence' ? this.matchedStop : null },
      usage,
    })
    out += anthropicSse({ type: 'message_stop' })
    this.finished = true
    return out
  }

  private recordUsage(u: Record<string, unknown>): void {
    const num = (v: unknown): number => (typeof v === 'number' && v > 0 ? Math.floor(v) : 0)
    this.usage.promptTokens = num(u.prompt_tokens)
    this.usage.completionTokens = num(u.completion_tokens)
    const details = isRecord(u.prompt_tokens_details) ? u.prompt_tokens_details : {}
    this.usage.cachedTokens = Math.min(this.usage.promptTokens, num(details.cached_tokens))
    this.usage.reported = true
  }

  private appendText(kind: 'text' | 'thinking', text: string): string {
    let out = ''
    if (this.open?.kind !== kind) {
      out += this.closeBlock()
      const index = this.nextBlock++
      this.open = { kind, index }
      const block = kind === 'text' ? { type: 'text', text: '' } : { type: 'thinking', thinking: '', signature: '' }
      out += anthropicSse({ type: 'content_block_start', index, content_block: block })
    }
    const delta = kind === 'text' ? { type: 'text_delta', text } : { type: 'thinking_delta', thinking: text }
    return out + anthropicSse({ type: 'content_block_delta', index: this.open!.index, delta })
  }

  private appendToolCall(call: OpenAIChunkToolCall): string {
    let out = ''
    // Streams without `index` (a few servers) identify a new call by a new id.
    let key = typeof call.index === 'number' ? call.index : this.lastToolKey
    if (typeof call.index !== 'number' && (key < 0 || (call.id && this.tools.get(key)?.id !== call.id))) key = this.lastToolKey + 1
    this.lastToolKey = Math.max(this.lastToolKey, key)
    let tool = this.tools.get(key)
    if (!tool) {
      tool = { block: -1, started: false, id: anthropicToolId(call.id, `toolu_${this.messageId}_${key}`), name: '', pendingArgs: '' }
      this.tools.set(key, tool)
    }
    if (call.function?.name) tool.name = call.function.name
    // content_block_start carries the name, so a call opens its block (and gets the next index,
    // keeping indexes in start order) once its name has arrived; arguments before that wait.
    if (!tool.started && tool.name !== '') {
      out += this.closeBlock() + this.startTool(tool)
      this.open = { kind: 'tool', index: tool.block }
    }
    const args = call.function?.arguments
    if (typeof args === 'string' && args !== '') {
      if (tool.started) out += anthropicSse({ type: 'content_block_delta', index: tool.block, delta: { type: 'input_json_delta', partial_json: args } })
      else tool.pendingArgs += args
    }
    return out
  }

  private startTool(tool: ToolState): string {
    tool.started = true
    tool.block = this.nextBlock++
    let out = anthropicSse({ type: 'content_block_start', index: tool.block, content_block: { type: 'tool_use', id: tool.id, name: tool.name, input: {} } })
    if (tool.pendingArgs !== '') {
      out += anthropicSse({ type: 'content_block_delta', index: tool.block, delta: { type: 'input_json_delta', partial_json: tool.pendingArgs } })
      tool.pendingArgs = ''
    }
    return out
  }

  private closeBlock(): string {
    const open = this.open
    if (!open) return ''
    this.open = undefined
    return anthropicSse({ type: 'content_block_stop', index: open.index })
  }
}
