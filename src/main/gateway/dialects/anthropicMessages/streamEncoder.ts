// Canonical events -> Anthropic's stream: message_start, then per content block
// content_block_start / content_block_delta* / content_block_stop (thinking, text, tool_use with
// input_json_delta fragments), then message_delta (stop reason, usage) and message_stop. A failure
// ends with `event: error` and nothing after it.
import type { BlockDelta, BlockStart, ErrorInfo, StreamEvent, Usage } from '../canonical'
import type { ResponseContext, StreamEncoder } from '../codec'
import { ANTHROPIC_PING, namedSse } from '../sse'
import { wrapCustomInput } from '../tools'
import { anthropicErrorOf } from './errors'
import { anthropicStopReason, anthropicToolId, uncachedInput } from './mapping'

interface BlockState {
  index: number
  start: BlockStart
  /** A custom call's raw input, sent as `{"input": …}` JSON when the block ends. */
  customInput?: string
}

export class AnthropicStreamEncoder implements StreamEncoder {
  private started = false
  private finished = false
  private messageId: string
  private inputAtStart: number | undefined
  private readonly blocks = new Map<number, BlockState>()
  private nextBlock = 0
  private toolCount = 0

  constructor(private readonly ctx: ResponseContext) {
    this.messageId = ctx.messageId ?? ''
    this.inputAtStart = ctx.inputTokens
  }

  get done(): boolean {
    return this.finished
  }

  /** message_start; sent by the first upstream event, or earlier by the caller (keep-alive pings). */
  start(): string {
    if (this.started) return ''
    this.started = true
    const message = {
      id: this.messageId || 'msg_switchyard',
      type: 'message',
      role: 'assistant',
      model: this.ctx.model,
      content: [],
      stop_reason: null,
      stop_sequence: null,
      usage: { input_tokens: this.inputAtStart ?? 0, output_tokens: 0, cache_creation_input_tokens: 0, cache_read_input_tokens: 0 },
    }
    return namedSse({ type: 'message_start', message })
  }

  encode(e: StreamEvent): string {
    if (this.finished) return ''
    switch (e.type) {
      case 'start':
        if (!this.started && !this.messageId && e.id !== undefined) this.messageId = `msg_${e.id}`
        if (!this.started && this.inputAtStart === undefined && e.usage) this.inputAtStart = uncachedInput(e.usage)
        return this.start()
      case 'block_start':
        return this.start() + this.onBlockStart(e.index, e.block)
      case 'block_delta':
        return this.onBlockDelta(e.index, e.delta)
      case 'block_end':
        return this.onBlockEnd(e.index)
      case 'finish':
        return this.close(e)
      case 'error':
        return this.failWith(e.error, e.status)
      case 'keepalive':
        return ANTHROPIC_PING
    }
  }

  fail(message: string, status?: number): string {
    return this.failWith({ message }, status)
  }

  private failWith(error: ErrorInfo, status: number | undefined): string {
    if (this.finished) return ''
    this.finished = true
    return namedSse(anthropicErrorOf(error, status))
  }

  private onBlockStart(key: number, block: BlockStart): string {
    const state: BlockState = { index: this.nextBlock++, start: block }
    this.blocks.set(key, state)
    let content: Record<string, unknown>
    if (block.type === 'text' || block.type === 'refusal') content = { type: 'text', text: '' }
    else if (block.type === 'reasoning') content = block.redactedData !== undefined ? { type: 'redacted_thinking', data: block.redactedData } : { type: 'thinking', thinking: '', signature: '' }
    else {
      content = { type: 'tool_use', id: anthropicToolId(block.id, `toolu_${this.messageId || 'msg_switchyard'}_${this.toolCount++}`), name: block.name, input: {} }
      if (block.kind === 'custom') state.customInput = block.arguments ?? ''
    }
    let out = namedSse({ type: 'content_block_start', index: state.index, content_block: content })
    if (block.type === 'tool_call' && block.kind === 'function' && block.arguments) out += this.delta(state.index, { type: 'input_json_delta', partial_json: block.arguments })
    return out
  }

  private onBlockDelta(key: number, delta: BlockDelta): string {
    const state = this.blocks.get(key)
    if (!state) return ''
    switch (delta.type) {
      case 'text':
        return this.delta(state.index, { type: 'text_delta', text: delta.text })
      case 'reasoning':
      case 'reasoning_summary':
        return this.delta(state.index, { type: 'thinking_delta', thinking: delta.text })
      case 'signature':
        return this.delta(state.index, { type: 'signature_delta', signature: delta.signature })
      case 'arguments':
        if (state.customInput !== undefined) {
          state.customInput += delta.text
          return ''
        }
        return this.delta(state.index, { type: 'input_json_delta', partial_json: delta.text })
    }
  }

  private onBlockEnd(key: number): string {
    const state = this.blocks.get(key)
    if (!state) return ''
    let out = ''
    if (state.customInput !== undefined) {
      out += this.delta(state.index, { type: 'input_json_delta', partial_json: wrapCustomInput(state.customInput) })
      state.customInput = undefined
    }
    return out + namedSse({ type: 'content_block_stop', index: state.index })
  }

  private delta(index: number, delta: Record<string, unknown>): string {
    return namedSse({ type: 'content_block_delta', index, delta })
  }

  private close(finish: Extract<StreamEvent, { type: 'finish' }>): string {
    const stopReason = anthropicStopReason(finish.stopReason)
    let out = this.start()
    out += namedSse({
      type: 'message_delta',
      delta: { stop_reason: stopReason, stop_sequence: stopReason === 'stop_sequence' ? (finish.stopSequence ?? null) : null },
      usage: this.finalUsage(finish.usage),
    })
    out += namedSse({ type: 'message_stop' })
    this.finished = true
    return out
  }

  /**
   * message_delta usage is cumulative and clients overwrite their totals with it. Input tokens
   * unknown (or only estimated) at message_start are reported here with the upstream's count.
   */
  private finalUsage(u: Usage | undefined): Record<string, number> {
    const usage: Record<string, number> = { output_tokens: u?.outputTokens ?? 0 }
    if (u && this.inputAtStart !== uncachedInput(u)) {
      usage.input_tokens = uncachedInput(u)
      usage.cache_read_input_tokens = u.cachedInputTokens
      if (u.cacheCreationInputTokens > 0) usage.cache_creation_input_tokens = u.cacheCreationInputTokens
    }
    return usage
  }
}
