// Canonical events -> chat.completion.chunk SSE: a role chunk first, text as `content` deltas,
// reasoning as `reasoning_content` deltas (signed or encrypted reasoning as an OpenRouter-style
// `reasoning_details` entry when its block closes, so the client can pass it back), each tool call
// as a tool_calls entry (index, id, type and name first, then argument fragments), a finish
// chunk, a usage chunk only when the client asked for stream_options.include_usage, then
// `data: [DONE]`. A failure ends with an error payload and no [DONE].
import type { BlockStart, ErrorInfo, Json, StreamEvent } from '../canonical'
import type { ResponseContext, StreamEncoder } from '../codec'
import { emptyUsage } from '../json'
import { OPENAI_DONE, SSE_COMMENT_KEEPALIVE, dataSse } from '../sse'
import { unwrapCustomInput, wrapCustomInput } from '../tools'
import { chatErrorBody } from './errors'
import { OPENAI_REASONING_FORMAT, THINKING_FORMAT, chatUsage, finishFromStop, signedThinkingDetail } from './mapping'
import type { ReasoningDetail } from './wire'

interface BlockState {
  start: BlockStart
  toolIndex?: number
  thinking: string
  signature: string
  /** Tool input held back until the block ends, when the call changes kind on the way. */
  buffered?: string
}

export class ChatStreamEncoder implements StreamEncoder {
  private id = 'chatcmpl-switchyard'
  private readonly created: number
  private roleSent = false
  private finished = false
  private readonly blocks = new Map<number, BlockState>()
  private toolCount = 0
  private detailCount = 0

  constructor(private readonly ctx: ResponseContext) {
    this.created = ctx.created ?? Math.floor(Date.now() / 1000)
  }

  get done(): boolean {
    return this.finished
  }

  /** Chat has no preamble: comment keep-alives need none. */
  start(): string {
    return ''
  }

  encode(e: StreamEvent): string {
    if (this.finished) return ''
    switch (e.type) {
      case 'start':
        if (e.id !== undefined) this.id = `chatcmpl-${e.id}`
        return this.roleChunk()
      case 'block_start':
        return this.roleChunk() + this.onBlockStart(e.index, e.block)
      case 'block_delta':
        return this.roleChunk() + this.onBlockDelta(e.index, e.delta)
      case 'block_end':
        return this.onBlockEnd(e.index, e.encryptedContent)
      case 'finish':
        return this.close(e)
      case 'error':
        return this.failWith(e.error, e.status)
      case 'keepalive':
        return SSE_COMMENT_KEEPALIVE
    }
  }

  fail(message: string, status?: number): string {
    return this.failWith({ message }, status)
  }

  /** OpenAI streams signal failure with an error payload and no `[DONE]`. */
  private failWith(error: ErrorInfo, status: number | undefined): string {
    if (this.finished) return ''
    this.finished = true
    return dataSse(chatErrorBody(error, status))
  }

  private chunk(delta: Json, finishReason: string | null = null): string {
    return dataSse({ id: this.id, object: 'chat.completion.chunk', created: this.created, model: this.ctx.model, choices: [{ index: 0, delta, logprobs: null, finish_reason: finishReason }] })
  }

  private roleChunk(): string {
    if (this.roleSent) return ''
    this.roleSent = true
    return this.chunk({ role: 'assistant', content: '' })
  }

  private onBlockStart(index: number, block: BlockStart): string {
    const state: BlockState = { start: block, thinking: '', signature: '' }
    this.blocks.set(index, state)
    if (block.type === 'reasoning' && block.redactedData !== undefined) {
      return this.detailChunk({ type: 'reasoning.encrypted', data: block.redactedData, format: THINKING_FORMAT, index: this.detailCount++ })
    }
    if (block.type !== 'tool_call') return ''
    state.toolIndex = this.toolCount++
    const wantCustom = this.ctx.customTools?.includes(block.name) === true
    if (wantCustom || block.kind === 'custom') {
      state.buffered = block.arguments ?? '' // converted when complete: a fragment of either form cannot be converted alone
      return wantCustom ? '' : this.chunk({ tool_calls: [{ index: state.toolIndex, id: block.id, type: 'function', function: { name: block.name, arguments: '' } }] })
    }
    return this.chunk({ tool_calls: [{ index: state.toolIndex, id: block.id, type: 'function', function: { name: block.name, arguments: block.arguments ?? '' } }] })
  }

  private onBlockDelta(index: number, delta: Extract<StreamEvent, { type: 'block_delta' }>['delta']): string {
    const state = this.blocks.get(index)
    switch (delta.type) {
      case 'text':
        if (delta.text === '') return ''
        return this.chunk(state?.start.type === 'refusal' ? { refusal: delta.text } : { content: delta.text })
      case 'reasoning':
      case 'reasoning_summary':
        if (delta.text === '') return ''
        if (state) state.thinking += delta.text
        return this.chunk({ reasoning_content: delta.text })
      case 'signature':
        if (state) state.signature += delta.signature
        return ''
      case 'arguments':
        if (state?.toolIndex === undefined || delta.text === '') return ''
        if (state.buffered !== undefined) {
          state.buffered += delta.text
          return ''
        }
        return this.chunk({ tool_calls: [{ index: state.toolIndex, function: { arguments: delta.text } }] })
    }
  }

  private onBlockEnd(index: number, encryptedContent: string | undefined): string {
    const state = this.blocks.get(index)
    if (!state) return ''
    const start = state.start
    if (start.type === 'tool_call' && state.buffered !== undefined && state.toolIndex !== undefined) {
      const raw = state.buffered
      state.buffered = undefined
      if (this.ctx.customTools?.includes(start.name) === true) {
        const input = start.kind === 'custom' ? raw : unwrapCustomInput(raw)
        return this.chunk({ tool_calls: [{ index: state.toolIndex, id: start.id, type: 'custom', custom: { name: start.name, input } }] })
      }
      return this.chunk({ tool_calls: [{ index: state.toolIndex, function: { arguments: wrapCustomInput(raw) } }] })
    }
    if (start.type !== 'reasoning') return ''
    if (encryptedContent !== undefined) {
      const detail: ReasoningDetail = { type: 'reasoning.encrypted', data: encryptedContent, format: OPENAI_REASONING_FORMAT, index: this.detailCount++ }
      if (start.id !== undefined) detail.id = start.id
      return this.detailChunk(detail)
    }
    if (!state.signature) return ''
    return this.detailChunk(signedThinkingDetail(state.thinking, state.signature, this.detailCount++))
  }

  private detailChunk(detail: ReasoningDetail): string {
    return this.roleChunk() + this.chunk({ reasoning_details: [detail] })
  }

  private close(finish: Extract<StreamEvent, { type: 'finish' }>): string {
    let out = this.roleChunk() + this.chunk({}, finishFromStop(finish.stopReason))
    if (this.ctx.includeUsage) {
      out += dataSse({ id: this.id, object: 'chat.completion.chunk', created: this.created, model: this.ctx.model, choices: [], usage: chatUsage(finish.usage ?? emptyUsage()) })
    }
    this.finished = true
    return out + OPENAI_DONE
  }
}
