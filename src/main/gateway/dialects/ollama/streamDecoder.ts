// An Ollama upstream's NDJSON stream -> canonical events. Each line is a whole answer fragment
// (`message.thinking`, `message.content`, `message.tool_calls`; or generate's top-level
// `thinking`/`response`): thinking and text become blocks that stay open while the same kind
// continues, and each tool call, which Ollama sends whole, a complete block. The `done: true`
// line carries the done reason and the counts and ends the stream; an `{"error":…}` line, which
// Ollama sends when generation fails after the stream began, fails it.
import type { StreamEvent } from '../canonical'
import type { ResponseContext } from '../codec'
import { STREAM_CUT_SHORT, STREAM_NOT_JSON, extractUpstreamError, fallbackErrorMessage } from '../errors'
import { asString, isRecord, records } from '../json'
import { NdjsonStreamDecoder } from '../streamBase'
import { answerCallId } from '../toolCallIds'
import { stopFromOllama, toolCallOf, usageFromOllama } from './mapping'

export class OllamaStreamDecoder extends NdjsonStreamDecoder {
  private started = false
  private seed: string | undefined
  private nextBlock = 0
  private open: { kind: 'text' | 'reasoning'; index: number } | undefined
  private calls = 0

  constructor(private readonly ctx: ResponseContext) {
    super()
  }

  protected onEvent(line: string): StreamEvent[] {
    let chunk: unknown
    try {
      chunk = JSON.parse(line)
    } catch {
      return [{ type: 'error', error: STREAM_NOT_JSON }]
    }
    if (!isRecord(chunk)) return []
    if (chunk.error !== undefined) return [{ type: 'error', error: extractUpstreamError(chunk) ?? { message: fallbackErrorMessage(undefined) } }]
    const out: StreamEvent[] = []
    if (!this.started) {
      this.started = true
      this.seed = asString(chunk.created_at) ?? this.ctx.messageId
      out.push({ type: 'start', model: asString(chunk.model) })
    }
    const source = isRecord(chunk.message) ? chunk.message : chunk
    const text = isRecord(chunk.message) ? chunk.message.content : chunk.response
    if (typeof source.thinking === 'string' && source.thinking !== '') this.append(out, 'reasoning', source.thinking)
    if (typeof text === 'string' && text !== '') this.append(out, 'text', text)
    for (const call of records(source.tool_calls)) {
      const part = toolCallOf(call, answerCallId(this.seed, this.calls))
      if (!part) continue
      this.calls++
      this.closeBlock(out)
      const index = this.nextBlock++
      out.push({ type: 'block_start', index, block: { type: 'tool_call', kind: 'function', id: part.id, name: part.name } })
      out.push({ type: 'block_delta', index, delta: { type: 'arguments', text: part.kind === 'function' ? part.arguments : '' } })
      out.push({ type: 'block_end', index })
    }
    if (chunk.done === true) {
      this.closeBlock(out)
      this.reported = usageFromOllama(chunk)
      out.push({ type: 'finish', stopReason: stopFromOllama(chunk.done_reason, this.calls > 0), usage: this.reported })
    }
    return out
  }

  protected onEnd(): StreamEvent[] {
    return [{ type: 'error', error: STREAM_CUT_SHORT }]
  }

  private append(out: StreamEvent[], kind: 'text' | 'reasoning', text: string): void {
    if (this.open?.kind !== kind) {
      this.closeBlock(out)
      this.open = { kind, index: this.nextBlock++ }
      out.push({ type: 'block_start', index: this.open.index, block: { type: kind } })
    }
    out.push({ type: 'block_delta', index: this.open.index, delta: kind === 'text' ? { type: 'text', text } : { type: 'reasoning', text } })
  }

  private closeBlock(out: StreamEvent[]): void {
    if (!this.open) return
    out.push({ type: 'block_end', index: this.open.index })
    this.open = undefined
  }
}
