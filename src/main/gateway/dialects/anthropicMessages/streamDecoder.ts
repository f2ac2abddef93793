// Anthropic stream events -> canonical events. Anthropic already streams content blocks; the
// decoder keeps the ones other dialects can carry (text, thinking — a summary, as Claude returns
// it — redacted thinking, tool_use),
// leaves server-tool blocks behind, and tracks the cumulative usage of message_start and
// message_delta. The stream finishes at message_stop (or the upstream's end after message_delta).
import type { BlockStart, StreamEvent, StopReason } from '../canonical'
import { STREAM_CUT_SHORT, STREAM_NOT_JSON, extractUpstreamError, fallbackErrorMessage } from '../errors'
import { asString, isRecord, stripIdPrefix } from '../json'
import { parseEventData, type SseEvent } from '../sse'
import { SseStreamDecoder } from '../streamBase'
import { stopFromAnthropic, usageFromAnthropic } from './mapping'
import type { AnthropicUsage } from './wire'

const USAGE_FIELDS = ['input_tokens', 'output_tokens', 'cache_creation_input_tokens', 'cache_read_input_tokens'] as const

export class AnthropicStreamDecoder extends SseStreamDecoder {
  /** Indexes of the blocks passed on; deltas and stops of the others are dropped. */
  private readonly kept = new Set<number>()
  private stopReason: StopReason = 'end_turn'
  private stopSequence: string | null = null
  private sawMessageDelta = false
  /** message_delta counts are cumulative totals; a field it omits keeps its earlier value. */
  private readonly raw: Partial<AnthropicUsage> = {}

  protected onEvent(event: SseEvent): StreamEvent[] {
    const parsed = parseEventData(event.data)
    if (!parsed.ok) return [{ type: 'error', error: STREAM_NOT_JSON }]
    const data = parsed.value
    if (!isRecord(data)) return []
    switch (data.type ?? event.event) {
      case 'message_start': {
        const message = isRecord(data.message) ? data.message : {}
        if (isRecord(message.usage)) this.recordUsage(message.usage)
        return [{ type: 'start', id: stripIdPrefix(message.id, 'msg_'), model: asString(message.model), usage: this.reported }]
      }
      case 'content_block_start':
        return this.onBlockStart(Number(data.index), isRecord(data.content_block) ? data.content_block : {})
      case 'content_block_delta':
        return this.onBlockDelta(Number(data.index), isRecord(data.delta) ? data.delta : {})
      case 'content_block_stop':
        return this.kept.has(Number(data.index)) ? [{ type: 'block_end', index: Number(data.index) }] : []
      case 'message_delta':
        this.sawMessageDelta = true
        if (isRecord(data.delta) && typeof data.delta.stop_reason === 'string') {
          this.stopReason = stopFromAnthropic(data.delta.stop_reason)
          this.stopSequence = asString(data.delta.stop_sequence) ?? null
        }
        if (isRecord(data.usage)) this.recordUsage(data.usage)
        return []
      case 'message_stop':
        return [this.finish()]
      case 'ping':
        return [{ type: 'keepalive' }]
      case 'error':
        return [{ type: 'error', error: extractUpstreamError(data) ?? { message: fallbackErrorMessage(undefined) } }]
      default:
        return [] // event types added later are ignored, as Anthropic's versioning policy asks
    }
  }

  /** Without message_delta the answer is incomplete. */
  protected onEnd(): StreamEvent[] {
    return this.sawMessageDelta ? [this.finish()] : [{ type: 'error', error: STREAM_CUT_SHORT }]
  }

  private finish(): StreamEvent {
    const finish: StreamEvent = { type: 'finish', stopReason: this.stopReason, usage: this.reported }
    if (this.stopReason === 'stop_sequence') finish.stopSequence = this.stopSequence
    return finish
  }

  private recordUsage(u: Record<string, unknown>): void {
    for (const key of USAGE_FIELDS) if (typeof u[key] === 'number') this.raw[key] = u[key] as number
    if (isRecord(u.output_tokens_details)) this.raw.output_tokens_details = u.output_tokens_details as AnthropicUsage['output_tokens_details']
    this.reported = usageFromAnthropic(this.raw)
  }

  private onBlockStart(index: number, block: Record<string, unknown>): StreamEvent[] {
    const out: StreamEvent[] = []
    switch (block.type) {
      case 'text':
        out.push({ type: 'block_start', index, block: { type: 'text' } })
        if (typeof block.text === 'string' && block.text !== '') out.push({ type: 'block_delta', index, delta: { type: 'text', text: block.text } })
        break
      case 'thinking':
        out.push({ type: 'block_start', index, block: { type: 'reasoning' } })
        if (typeof block.thinking === 'string' && block.thinking !== '') out.push({ type: 'block_delta', index, delta: { type: 'reasoning_summary', text: block.thinking, summaryIndex: 0 } })
        if (typeof block.signature === 'string' && block.signature !== '') out.push({ type: 'block_delta', index, delta: { type: 'signature', signature: block.signature } })
        break
      case 'redacted_thinking':
        if (typeof block.data === 'string') out.push({ type: 'block_start', index, block: { type: 'reasoning', redactedData: block.data } })
        break
      case 'tool_use': {
        const start: BlockStart = { type: 'tool_call', kind: 'function', id: String(block.id ?? ''), name: String(block.name ?? '') }
        // The input usually streams as input_json_delta; a start that already carries some keeps it.
        if (isRecord(block.input) && Object.keys(block.input).length > 0) start.arguments = JSON.stringify(block.input)
        out.push({ type: 'block_start', index, block: start })
        break
      }
      default:
        break // server tool blocks run on Anthropic's side
    }
    if (out.length > 0) this.kept.add(index)
    return out
  }

  private onBlockDelta(index: number, delta: Record<string, unknown>): StreamEvent[] {
    if (!this.kept.has(index)) return []
    switch (delta.type) {
      case 'text_delta':
        return typeof delta.text === 'string' && delta.text !== '' ? [{ type: 'block_delta', index, delta: { type: 'text', text: delta.text } }] : []
      case 'thinking_delta':
        return typeof delta.thinking === 'string' && delta.thinking !== '' ? [{ type: 'block_delta', index, delta: { type: 'reasoning_summary', text: delta.thinking, summaryIndex: 0 } }] : []
      case 'signature_delta':
        return typeof delta.signature === 'string' ? [{ type: 'block_delta', index, delta: { type: 'signature', signature: delta.signature } }] : []
      case 'input_json_delta':
        return typeof delta.partial_json === 'string' && delta.partial_json !== '' ? [{ type: 'block_delta', index, delta: { type: 'arguments', text: delta.partial_json } }] : []
      default:
        return [] // citations and deltas added later
    }
  }
}
