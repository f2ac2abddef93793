// Canonical events -> the Responses event stream Codex CLI and the openai SDK parse:
// response.created, response.in_progress, then per output item response.output_item.added,
// its parts and deltas (content_part.added / output_text.delta / output_text.done /
// content_part.done for messages, function_call_arguments.* or custom_tool_call_input.* for tool
// calls, reasoning_summary_part.* / reasoning_summary_text.* and reasoning_text.* for reasoning),
// response.output_item.done, and finally response.completed or response.incomplete with the
// whole response and its usage. A failure ends with response.failed and an `error` event. Every
// event carries its `type` and an increasing `sequence_number`; ids and indexes stay consistent.
import type { BlockDelta, BlockStart, ErrorInfo, Json, StreamEvent } from '../canonical'
import type { ResponseContext, StreamEncoder } from '../codec'
import { emptyUsage } from '../json'
import { SSE_COMMENT_KEEPALIVE, namedSse } from '../sse'
import { unwrapCustomInput, wrapCustomInput } from '../tools'
import { failureCode } from './errors'
import { encryptedContentOf, itemId, responsesUsage, statusOf } from './mapping'
import { outputText, reasoningItem, responseObject, toolCallItem } from './response'
import { ReasoningItemState } from './streamReasoning'

interface ItemState {
  outputIndex: number
  itemId: string
  start: BlockStart
  text: string
  reasoning?: ReasoningItemState
  /** Tool calls: whether the client sees a custom call, and whether fragments pass through as they come. */
  custom?: boolean
  streamed?: boolean
  closed: boolean
}

export class ResponsesStreamEncoder implements StreamEncoder {
  private readonly ctx: ResponseContext
  private seq = 0
  private started = false
  private finished = false
  private responseId: string
  private readonly output: Json[] = []
  private readonly items = new Map<number, ItemState>()

  constructor(ctx: ResponseContext) {
    this.ctx = { ...ctx, created: ctx.created ?? Math.floor(Date.now() / 1000) }
    this.responseId = ctx.messageId ?? ''
  }

  get done(): boolean {
    return this.finished
  }

  start(): string {
    if (this.started) return ''
    this.started = true
    if (!this.responseId) this.responseId = 'resp_switchyard'
    const response = this.response('in_progress', null, null, null)
    return this.emit('response.created', { response }) + this.emit('response.in_progress', { response })
  }

  encode(e: StreamEvent): string {
    if (this.finished) return ''
    switch (e.type) {
      case 'start':
        if (!this.started && !this.responseId && e.id !== undefined) this.responseId = `resp_${e.id}`
        return this.start()
      case 'block_start':
        return this.start() + this.openItem(e.index, e.block)
      case 'block_delta': {
        const item = this.items.get(e.index)
        return item && !item.closed ? this.delta(item, e.delta) : '' // a late chat fragment cannot reopen a finished item
      }
      case 'block_end': {
        const item = this.items.get(e.index)
        return item && !item.closed ? this.closeItem(item, e.encryptedContent) : ''
      }
      case 'finish':
        return this.finish(e)
      case 'error':
        return this.failWith(e.error, e.status)
      case 'keepalive':
        return SSE_COMMENT_KEEPALIVE
    }
  }

  fail(message: string, status?: number): string {
    return this.failWith({ message }, status)
  }

  private emit(type: string, fields: Json): string {
    return namedSse({ type, sequence_number: this.seq++, ...fields })
  }

  private response(status: 'in_progress' | 'completed' | 'incomplete' | 'failed', incomplete: { reason: string } | null, error: { code: string; message: string } | null, usage: Json | null): Json {
    return responseObject({ id: this.responseId, ctx: this.ctx, status, incomplete_details: incomplete, error, output: this.output.slice(), usage })
  }

  private openItem(index: number, block: BlockStart): string {
    if (block.type === 'reasoning' && block.redactedData !== undefined) return '' // opaque to every client but Anthropic's
    const outputIndex = this.output.length
    const state: ItemState = { outputIndex, itemId: '', start: block, text: '', closed: false }
    let item: Json
    if (block.type === 'text' || block.type === 'refusal') {
      state.itemId = itemId('msg', this.responseId, outputIndex)
      item = { id: state.itemId, type: 'message', status: 'in_progress', content: [], role: 'assistant' }
    } else if (block.type === 'reasoning') {
      state.itemId = itemId('rs', this.responseId, outputIndex)
      state.reasoning = new ReasoningItemState()
      item = { id: state.itemId, type: 'reasoning', summary: [] }
    } else {
      state.custom = this.ctx.customTools?.includes(block.name) === true
      // Fragments pass through when the client sees the kind the upstream produced; else the whole input is converted at the end.
      state.streamed = state.custom === (block.kind === 'custom')
      const call = state.custom ? { type: 'tool_call' as const, kind: 'custom' as const, id: block.id, name: block.name, input: '' } : { type: 'tool_call' as const, kind: 'function' as const, id: block.id, name: block.name, arguments: '' }
      item = toolCallItem(this.responseId, outputIndex, call, 'in_progress')
      state.itemId = String(item.id)
    }
    this.output.push(item)
    this.items.set(index, state)
    let out = this.emit('response.output_item.added', { output_index: outputIndex, item })
    if (block.type === 'text') out += this.emit('response.content_part.added', this.at(state, { content_index: 0, part: outputText('') }))
    if (block.type === 'refusal') out += this.emit('response.content_part.added', this.at(state, { content_index: 0, part: { type: 'refusal', refusal: '' } }))
    if (block.type === 'tool_call' && block.arguments) out += this.delta(state, { type: 'arguments', text: block.arguments })
    return out
  }

  private at(state: ItemState, fields: Json): Json {
    return { item_id: state.itemId, output_index: state.outputIndex, ...fields }
  }

  private delta(state: ItemState, delta: BlockDelta): string {
    if (state.reasoning) return state.reasoning.delta(delta, (type, fields) => this.emit(type, this.at(state, fields)))
    if (delta.type === 'signature' || delta.text === '') return ''
    state.text += delta.text
    const start = state.start
    if (start.type === 'text') return this.emit('response.output_text.delta', this.at(state, { content_index: 0, delta: delta.text, logprobs: [] }))
    if (start.type === 'refusal') return this.emit('response.refusal.delta', this.at(state, { content_index: 0, delta: delta.text }))
    if (!state.streamed) return ''
    return this.emit(state.custom ? 'response.custom_tool_call_input.delta' : 'response.function_call_arguments.delta', this.at(state, { delta: delta.text }))
  }

  private closeItem(state: ItemState, encryptedContent: string | undefined): string {
    state.closed = true
    const start = state.start
    const emit = (type: string, fields: Json): string => this.emit(type, this.at(state, fields))
    let out = ''
    if (start.type === 'text') {
      out += emit('response.output_text.done', { content_index: 0, text: state.text, logprobs: [] })
      out += emit('response.content_part.done', { content_index: 0, part: outputText(state.text) })
    } else if (start.type === 'refusal') {
      out += emit('response.refusal.done', { content_index: 0, refusal: state.text })
      out += emit('response.content_part.done', { content_index: 0, part: { type: 'refusal', refusal: state.text } })
    } else if (state.reasoning) {
      out += state.reasoning.close(emit)
    } else if (start.type === 'tool_call') {
      const input = this.toolInput(state)
      if (!state.streamed && input !== '') out += emit(state.custom ? 'response.custom_tool_call_input.delta' : 'response.function_call_arguments.delta', { delta: input })
      out += state.custom ? emit('response.custom_tool_call_input.done', { input }) : emit('response.function_call_arguments.done', { name: start.name, arguments: input })
    }
    const item = this.snapshot(state, 'completed', encryptedContent)
    this.output[state.outputIndex] = item
    return out + this.emit('response.output_item.done', { output_index: state.outputIndex, item })
  }

  /** The tool input in the kind the client sees: converted as a whole when the upstream produced the other kind. */
  private toolInput(state: ItemState): string {
    if (state.streamed) return state.text
    return state.custom ? unwrapCustomInput(state.text) : wrapCustomInput(state.text)
  }

  /** An item as it stands: `completed` when its block ended, `incomplete` when the stream failed before. */
  private snapshot(state: ItemState, status: 'completed' | 'incomplete', encryptedContent?: string): Json {
    const start = state.start
    if (start.type === 'text' || start.type === 'refusal') {
      const part = start.type === 'text' ? outputText(state.text) : { type: 'refusal', refusal: state.text }
      return { id: state.itemId, type: 'message', status, content: [part], role: 'assistant' }
    }
    if (start.type === 'tool_call') {
      const input = this.toolInput(state)
      const call = state.custom ? { type: 'tool_call' as const, kind: 'custom' as const, id: start.id, name: start.name, input } : { type: 'tool_call' as const, kind: 'function' as const, id: start.id, name: start.name, arguments: input }
      return toolCallItem(this.responseId, state.outputIndex, call, status)
    }
    const r = state.reasoning!
    return reasoningItem(state.itemId, r.summaries, r.rawText, encryptedContentOf({ encryptedContent, signature: r.signature })) ?? { id: state.itemId, type: 'reasoning', summary: [] }
  }

  /** Items still open are closed in order (an upstream may finish without closing its last block). */
  private closeOpenItems(): string {
    let out = ''
    for (const state of this.items.values()) if (!state.closed) out += this.closeItem(state, undefined)
    return out
  }

  private finish(e: Extract<StreamEvent, { type: 'finish' }>): string {
    let out = this.start() + this.closeOpenItems()
    const { status, incomplete_details } = statusOf(e.stopReason)
    const response = this.response(status, incomplete_details, null, responsesUsage(e.usage ?? emptyUsage()))
    out += this.emit(status === 'completed' ? 'response.completed' : 'response.incomplete', { response })
    this.finished = true
    return out
  }

  /** Codex reads response.failed (with the error's code for retry decisions); the SDK's stream helper rejects on `error`. */
  private failWith(error: ErrorInfo, status: number | undefined): string {
    if (this.finished) return ''
    let out = this.start()
    for (const state of this.items.values()) if (!state.closed) this.output[state.outputIndex] = this.snapshot(state, 'incomplete')
    const code = failureCode(error, status)
    out += this.emit('response.failed', { response: this.response('failed', null, { code, message: error.message }, null) })
    out += this.emit('error', { code, message: error.message, param: error.param ?? null })
    this.finished = true
    return out
  }
}
