// A Gemini upstream's `alt=sse` stream -> canonical events. Every event is a whole
// GenerateContentResponse whose first candidate carries the next parts: thought text and answer
// text arrive in pieces and become blocks that stay open while the same kind continues; a function
// call arrives whole and becomes a complete block. A signature on a non-thought part closes the
// thinking before it (or stands as a reasoning block of its own). usageMetadata may come with any
// chunk (the last one wins); the chunk with a finishReason ends the stream, and an `{"error":…}`
// chunk, which Google sends mid-stream on a 200, fails it.
import type { StreamEvent } from '../canonical'
import type { ResponseContext } from '../codec'
import { STREAM_CUT_SHORT, STREAM_NOT_JSON, extractUpstreamError, fallbackErrorMessage } from '../errors'
import { asString, isRecord, records } from '../json'
import { parseEventData, type SseEvent } from '../sse'
import { SseStreamDecoder } from '../streamBase'
import { answerCallId } from '../toolCallIds'
import { argumentsFromToolInput } from '../tools'
import { realSignature, stopFromGemini, usageFromGemini } from './mapping'

interface OpenBlock {
  kind: 'text' | 'reasoning'
  index: number
  signed: boolean
}

export class GeminiStreamDecoder extends SseStreamDecoder {
  private started = false
  private responseId: string | undefined
  private nextBlock = 0
  private open: OpenBlock | undefined
  private calls = 0

  constructor(private readonly ctx: ResponseContext) {
    super()
  }

  protected onEvent(event: SseEvent): StreamEvent[] {
    const parsed = parseEventData(event.data)
    if (!parsed.ok) return [{ type: 'error', error: STREAM_NOT_JSON }]
    const chunk = parsed.value
    if (!isRecord(chunk)) return []
    if (chunk.error !== undefined) return [this.errorOf(chunk)]
    const out: StreamEvent[] = []
    const usage = usageFromGemini(chunk.usageMetadata)
    if (usage) this.reported = usage
    if (!this.started) {
      this.started = true
      this.responseId = asString(chunk.responseId)
      // The first chunk already counts the prompt: Anthropic clients see it in message_start.
      const start: StreamEvent = { type: 'start', id: this.responseId, model: asString(chunk.modelVersion) }
      if (usage) start.usage = usage
      out.push(start)
    }
    const candidate = records(chunk.candidates)[0]
    const content = candidate && isRecord(candidate.content) ? candidate.content : {}
    for (const part of records(content.parts)) this.onPart(out, part)
    const blocked = candidate === undefined && isRecord(chunk.promptFeedback) && typeof chunk.promptFeedback.blockReason === 'string'
    if (blocked || typeof candidate?.finishReason === 'string') {
      this.closeBlock(out)
      out.push({ type: 'finish', stopReason: blocked ? 'content_filter' : stopFromGemini(candidate!.finishReason, this.calls > 0), usage: this.reported })
    }
    return out
  }

  protected onEnd(): StreamEvent[] {
    return [{ type: 'error', error: STREAM_CUT_SHORT }]
  }

  private errorOf(chunk: Record<string, unknown>): StreamEvent {
    const error = extractUpstreamError(chunk) ?? { message: fallbackErrorMessage(undefined) }
    const code = isRecord(chunk.error) ? chunk.error.code : undefined
    return typeof code === 'number' && code >= 400 && code < 600 ? { type: 'error', error, status: code } : { type: 'error', error }
  }

  private onPart(out: StreamEvent[], part: Record<string, unknown>): void {
    const signature = realSignature(part.thoughtSignature)
    if (part.thought === true) {
      const text = asString(part.text) ?? ''
      if (text !== '' || signature !== undefined) this.openKind(out, 'reasoning')
      if (text !== '') out.push({ type: 'block_delta', index: this.open!.index, delta: { type: 'reasoning_summary', text, summaryIndex: 0 } })
      if (signature !== undefined) this.sign(out, signature)
      return
    }
    if (signature !== undefined) {
      if (this.open?.kind !== 'reasoning' || this.open.signed) this.openKind(out, 'reasoning', true)
      this.sign(out, signature)
      this.closeBlock(out)
    }
    if (isRecord(part.functionCall)) {
      const call = part.functionCall
      this.closeBlock(out)
      const index = this.nextBlock++
      const id = asString(call.id) || answerCallId(this.responseId ?? this.ctx.messageId, this.calls)
      this.calls++
      out.push({ type: 'block_start', index, block: { type: 'tool_call', kind: 'function', id, name: asString(call.name) ?? '' } })
      out.push({ type: 'block_delta', index, delta: { type: 'arguments', text: argumentsFromToolInput(call.args ?? {}) } })
      out.push({ type: 'block_end', index })
    } else if (typeof part.text === 'string' && part.text !== '') {
      this.openKind(out, 'text')
      out.push({ type: 'block_delta', index: this.open!.index, delta: { type: 'text', text: part.text } })
    }
  }

  /** Opens a block of this kind unless one is open already (a signed reasoning block takes no more text). */
  private openKind(out: StreamEvent[], kind: OpenBlock['kind'], fresh = false): void {
    if (!fresh && this.open?.kind === kind && !(kind === 'reasoning' && this.open.signed)) return
    this.closeBlock(out)
    this.open = { kind, index: this.nextBlock++, signed: false }
    out.push({ type: 'block_start', index: this.open.index, block: { type: kind } })
  }

  private sign(out: StreamEvent[], signature: string): void {
    this.open!.signed = true
    out.push({ type: 'block_delta', index: this.open!.index, delta: { type: 'signature', signature } })
  }

  private closeBlock(out: StreamEvent[]): void {
    if (!this.open) return
    out.push({ type: 'block_end', index: this.open.index })
    this.open = undefined
  }
}
