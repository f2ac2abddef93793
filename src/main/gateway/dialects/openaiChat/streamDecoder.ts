// chat.completion.chunk events -> canonical blocks. Chat streams have no blocks: deltas name a
// field (reasoning_content or reasoning, content, refusal, tool_calls[index]), so a block opens
// when the kind of delta changes and closes when the next opens or the choice finishes. A tool
// call opens its block once its name has arrived (arguments before that wait), and the stream
// finishes at [DONE] (or the upstream's end after a finish_reason), after the usage chunk.
import type { StreamEvent } from '../canonical'
import type { ResponseContext } from '../codec'
import { STREAM_CUT_SHORT, STREAM_NOT_JSON, extractUpstreamError, fallbackErrorMessage } from '../errors'
import { asString, isRecord, stripIdPrefix } from '../json'
import { parseEventData, type SseEvent } from '../sse'
import { SseStreamDecoder } from '../streamBase'
import { matchedStopSequence, stopFromFinish, usageFromChat } from './mapping'

type TextKind = 'text' | 'reasoning' | 'refusal'

interface ToolState {
  block: number
  started: boolean
  id: string
  name: string
  pendingArgs: string
}

export class ChatStreamDecoder extends SseStreamDecoder {
  private started = false
  private nextBlock = 0
  private open: { kind: TextKind | 'tool'; index: number } | undefined
  private readonly tools = new Map<number, ToolState>()
  private lastToolKey = -1
  private finishReason: string | null = null
  private matchedStop: string | null = null

  constructor(private readonly ctx: ResponseContext) {
    super()
  }

  protected onEvent(event: SseEvent): StreamEvent[] {
    if (event.data === '[DONE]') return this.close()
    const parsed = parseEventData(event.data)
    if (!parsed.ok) return [{ type: 'error', error: STREAM_NOT_JSON }]
    const chunk = parsed.value
    if (!isRecord(chunk)) return []
    if (chunk.error !== undefined) return [{ type: 'error', error: extractUpstreamError(chunk) ?? { message: fallbackErrorMessage(undefined) } }]
    const out: StreamEvent[] = []
    if (!this.started) {
      this.started = true
      out.push({ type: 'start', id: stripIdPrefix(chunk.id, 'chatcmpl-'), model: asString(chunk.model) })
    }
    const usage = usageFromChat(chunk.usage)
    if (usage) this.reported = usage
    const choice = Array.isArray(chunk.choices) ? chunk.choices.find((c) => isRecord(c) && (c.index ?? 0) === 0) : undefined
    if (!isRecord(choice)) return out
    const delta = isRecord(choice.delta) ? choice.delta : {}
    const reasoning = typeof delta.reasoning_content === 'string' ? delta.reasoning_content : delta.reasoning
    if (typeof reasoning === 'string' && reasoning !== '') this.appendText(out, 'reasoning', reasoning)
    if (typeof delta.content === 'string' && delta.content !== '') this.appendText(out, 'text', delta.content)
    if (typeof delta.refusal === 'string' && delta.refusal !== '') this.appendText(out, 'refusal', delta.refusal)
    if (Array.isArray(delta.tool_calls)) for (const call of delta.tool_calls) if (isRecord(call)) this.appendToolCall(out, call)
    const matched = matchedStopSequence(choice.stop_reason, this.ctx.stopSequences)
    if (matched !== null) this.matchedStop = matched
    if (typeof choice.finish_reason === 'string') {
      this.finishReason = choice.finish_reason
      this.closeBlock(out)
    }
    return out
  }

  /** A stream cut short (no finish_reason, no [DONE]) must not pass for a complete answer. */
  protected onEnd(): StreamEvent[] {
    return this.finishReason === null ? [{ type: 'error', error: STREAM_CUT_SHORT }] : this.close()
  }

  private close(): StreamEvent[] {
    const out: StreamEvent[] = []
    if (!this.started) {
      this.started = true
      out.push({ type: 'start' })
    }
    this.closeBlock(out)
    // A call whose name never arrived still reaches the client (as a call the client will reject).
    for (const tool of this.tools.values()) {
      if (!tool.started) {
        this.startTool(out, tool)
        out.push({ type: 'block_end', index: tool.block })
      }
    }
    const stopReason = stopFromFinish(this.finishReason, { sawToolCalls: this.tools.size > 0, matchedStop: this.matchedStop })
    const finish: StreamEvent = { type: 'finish', stopReason, usage: this.reported }
    if (stopReason === 'stop_sequence') finish.stopSequence = this.matchedStop
    out.push(finish)
    return out
  }

  private appendText(out: StreamEvent[], kind: TextKind, text: string): void {
    if (this.open?.kind !== kind) {
      this.closeBlock(out)
      const index = this.nextBlock++
      this.open = { kind, index }
      out.push({ type: 'block_start', index, block: { type: kind } })
    }
    out.push({ type: 'block_delta', index: this.open!.index, delta: kind === 'reasoning' ? { type: 'reasoning', text } : { type: 'text', text } })
  }

  private appendToolCall(out: StreamEvent[], call: Record<string, unknown>): void {
    // Streams without `index` (a few servers) identify a new call by a new id.
    const callId = asString(call.id)
    let key = typeof call.index === 'number' ? call.index : this.lastToolKey
    if (typeof call.index !== 'number' && (key < 0 || (callId && this.tools.get(key)?.id !== callId))) key = this.lastToolKey + 1
    this.lastToolKey = Math.max(this.lastToolKey, key)
    let tool = this.tools.get(key)
    if (!tool) {
      tool = { block: -1, started: false, id: callId ?? '', name: '', pendingArgs: '' }
      this.tools.set(key, tool)
    }
    const fn = isRecord(call.function) ? call.function : {}
    if (typeof fn.name === 'string' && fn.name !== '') tool.name = fn.name
    // A block opens with the call's name, so arguments that arrive before the name wait.
    if (!tool.started && tool.name !== '') {
      this.closeBlock(out)
      this.startTool(out, tool)
      this.open = { kind: 'tool', index: tool.block }
    }
    const args = fn.arguments
    if (typeof args === 'string' && args !== '') {
      if (tool.started) out.push({ type: 'block_delta', index: tool.block, delta: { type: 'arguments', text: args } })
      else tool.pendingArgs += args
    }
  }

  private startTool(out: StreamEvent[], tool: ToolState): void {
    tool.started = true
    tool.block = this.nextBlock++
    out.push({ type: 'block_start', index: tool.block, block: { type: 'tool_call', kind: 'function', id: tool.id, name: tool.name } })
    if (tool.pendingArgs !== '') {
      out.push({ type: 'block_delta', index: tool.block, delta: { type: 'arguments', text: tool.pendingArgs } })
      tool.pendingArgs = ''
    }
  }

  private closeBlock(out: StreamEvent[]): void {
    if (!this.open) return
    out.push({ type: 'block_end', index: this.open.index })
    this.open = undefined
  }
}
