// A Responses-speaking upstream's event stream -> canonical events, so Chat and Anthropic clients
// can use a Responses-only backend. Each message content part, tool call and reasoning item is a
// block. Servers differ in how much they stream (some send a whole item only in
// response.output_item.done), so whatever the deltas did not carry is taken from the done item.
import type { ReasoningPart, StreamEvent } from '../canonical'
import { STREAM_CUT_SHORT, STREAM_NOT_JSON } from '../errors'
import { asString, isRecord, records, stripIdPrefix } from '../json'
import { parseEventData, type SseEvent } from '../sse'
import { SseStreamDecoder } from '../streamBase'
import { readEncryptedContent, stopOf, usageFromResponses } from './mapping'

interface ItemState {
  type: string
  /** Canonical block of a tool call or reasoning item. */
  block?: number
  /** Message content parts: content_index -> block. */
  parts: Map<number, { block: number; streamed: boolean; open: boolean }>
  streamed: boolean
}

export class ResponsesStreamDecoder extends SseStreamDecoder {
  private started = false
  private nextBlock = 0
  private sawToolCall = false
  private readonly items = new Map<number, ItemState>()
  /** Blocks started and not yet ended: a terminal event closes them first. */
  private readonly openBlocks = new Set<number>()

  protected onEvent(event: SseEvent): StreamEvent[] {
    const parsed = parseEventData(event.data)
    if (!parsed.ok) return [{ type: 'error', error: STREAM_NOT_JSON }]
    const data = parsed.value
    if (!isRecord(data)) return []
    const out: StreamEvent[] = []
    const type = data.type ?? event.event
    if (type === 'error') return [{ type: 'error', error: { message: asString(data.message) ?? 'the upstream stream failed', code: asString(data.code) ?? null, param: asString(data.param) ?? null } }]
    if (!this.started && type !== 'keepalive') {
      this.started = true
      const response = isRecord(data.response) ? data.response : {}
      out.push({ type: 'start', id: stripIdPrefix(response.id, 'resp_'), model: asString(response.model) })
    }
    const outputIndex = typeof data.output_index === 'number' ? data.output_index : -1
    switch (type) {
      case 'response.output_item.added':
        if (isRecord(data.item)) this.itemAdded(out, outputIndex, data.item)
        break
      case 'response.content_part.added':
        this.partAdded(out, outputIndex, Number(data.content_index ?? 0), isRecord(data.part) ? data.part : {})
        break
      case 'response.output_text.delta':
      case 'response.refusal.delta':
        this.partDelta(out, outputIndex, Number(data.content_index ?? 0), asString(data.delta))
        break
      case 'response.content_part.done':
        this.partDone(out, outputIndex, Number(data.content_index ?? 0), isRecord(data.part) ? data.part : {})
        break
      case 'response.function_call_arguments.delta':
      case 'response.custom_tool_call_input.delta':
        this.itemDelta(out, outputIndex, { type: 'arguments', text: asString(data.delta) ?? '' })
        break
      case 'response.reasoning_summary_text.delta':
        this.itemDelta(out, outputIndex, { type: 'reasoning_summary', text: asString(data.delta) ?? '', summaryIndex: Number(data.summary_index ?? 0) })
        break
      case 'response.reasoning_text.delta':
        this.itemDelta(out, outputIndex, { type: 'reasoning', text: asString(data.delta) ?? '' })
        break
      case 'response.output_item.done':
        if (isRecord(data.item)) this.itemDone(out, outputIndex, data.item)
        break
      case 'response.completed':
      case 'response.incomplete':
        for (const block of this.openBlocks) out.push({ type: 'block_end', index: block })
        this.openBlocks.clear()
        out.push(this.finish(isRecord(data.response) ? data.response : {}))
        break
      case 'response.failed': {
        const response = isRecord(data.response) ? data.response : {}
        const error = isRecord(response.error) ? response.error : {}
        out.push({ type: 'error', error: { message: asString(error.message) ?? 'the upstream response failed', code: asString(error.code) ?? null } })
        break
      }
      case 'keepalive':
        out.push({ type: 'keepalive' })
        break
      default:
        break // created, in_progress, annotations, hosted-tool progress: nothing a client of another dialect can use
    }
    return out
  }

  protected onEnd(): StreamEvent[] {
    return [{ type: 'error', error: STREAM_CUT_SHORT }]
  }

  private finish(response: Record<string, unknown>): StreamEvent {
    const usage = usageFromResponses(response.usage)
    if (usage) this.reported = usage
    return { type: 'finish', stopReason: stopOf(response.status, response.incomplete_details, this.sawToolCall), usage: this.reported }
  }

  private itemAdded(out: StreamEvent[], outputIndex: number, item: Record<string, unknown>): void {
    const state: ItemState = { type: String(item.type), parts: new Map(), streamed: false }
    this.items.set(outputIndex, state)
    if (item.type === 'function_call' || item.type === 'custom_tool_call') {
      this.sawToolCall = true
      state.block = this.nextBlock++
      const kind = item.type === 'custom_tool_call' ? 'custom' : 'function'
      this.openBlocks.add(state.block)
      out.push({ type: 'block_start', index: state.block, block: { type: 'tool_call', kind, id: String(item.call_id ?? ''), name: String(item.name ?? '') } })
    } else if (item.type === 'reasoning') {
      state.block = this.nextBlock++
      this.openBlocks.add(state.block)
      out.push({ type: 'block_start', index: state.block, block: typeof item.id === 'string' ? { type: 'reasoning', id: item.id } : { type: 'reasoning' } })
    }
  }

  private partAdded(out: StreamEvent[], outputIndex: number, contentIndex: number, part: Record<string, unknown>): void {
    const item = this.items.get(outputIndex)
    if (item?.type !== 'message' || item.parts.has(contentIndex)) return
    if (part.type !== 'output_text' && part.type !== 'refusal') return
    const block = this.nextBlock++
    item.parts.set(contentIndex, { block, streamed: false, open: true })
    this.openBlocks.add(block)
    out.push({ type: 'block_start', index: block, block: { type: part.type === 'refusal' ? 'refusal' : 'text' } })
  }

  private partDelta(out: StreamEvent[], outputIndex: number, contentIndex: number, text: string | undefined): void {
    const part = this.items.get(outputIndex)?.parts.get(contentIndex)
    if (!part?.open || !text) return
    part.streamed = true
    out.push({ type: 'block_delta', index: part.block, delta: { type: 'text', text } })
  }

  private partDone(out: StreamEvent[], outputIndex: number, contentIndex: number, done: Record<string, unknown>): void {
    const item = this.items.get(outputIndex)
    if (item?.type !== 'message') return
    if (!item.parts.has(contentIndex)) this.partAdded(out, outputIndex, contentIndex, done)
    const part = item.parts.get(contentIndex)
    if (!part?.open) return
    const text = asString(done.text) ?? asString(done.refusal)
    if (!part.streamed && text) out.push({ type: 'block_delta', index: part.block, delta: { type: 'text', text } })
    part.open = false
    this.openBlocks.delete(part.block)
    out.push({ type: 'block_end', index: part.block })
  }

  private itemDelta(out: StreamEvent[], outputIndex: number, delta: Extract<StreamEvent, { type: 'block_delta' }>['delta']): void {
    const item = this.items.get(outputIndex)
    if (item?.block === undefined || !('text' in delta) || delta.text === '') return
    item.streamed = true
    out.push({ type: 'block_delta', index: item.block, delta })
  }

  private itemDone(out: StreamEvent[], outputIndex: number, item: Record<string, unknown>): void {
    if (!this.items.has(outputIndex)) this.itemAdded(out, outputIndex, item)
    const state = this.items.get(outputIndex)!
    if (item.type === 'message') {
      records(item.content).forEach((part, i) => this.partDone(out, outputIndex, i, part))
      return
    }
    if (state.block === undefined || !this.openBlocks.delete(state.block)) return
    if (!state.streamed) this.replayItem(out, state.block, item)
    const end: StreamEvent = { type: 'block_end', index: state.block }
    if (typeof item.encrypted_content === 'string') {
      const part: ReasoningPart = { type: 'reasoning' }
      readEncryptedContent(part, item.encrypted_content)
      if (part.signature) out.push({ type: 'block_delta', index: state.block, delta: { type: 'signature', signature: part.signature } })
      if (part.encryptedContent !== undefined) end.encryptedContent = part.encryptedContent
    }
    out.push(end)
  }

  /** An item that arrived whole: its content as deltas. */
  private replayItem(out: StreamEvent[], block: number, item: Record<string, unknown>): void {
    const args = item.type === 'custom_tool_call' ? asString(item.input) : asString(item.arguments)
    if (args) out.push({ type: 'block_delta', index: block, delta: { type: 'arguments', text: args } })
    records(item.summary).forEach((s, summaryIndex) => {
      if (typeof s.text === 'string' && s.text !== '') out.push({ type: 'block_delta', index: block, delta: { type: 'reasoning_summary', text: s.text, summaryIndex } })
    })
    for (const c of records(item.content)) if (typeof c.text === 'string' && c.text !== '') out.push({ type: 'block_delta', index: block, delta: { type: 'reasoning', text: c.text } })
  }
}
