// Canonical events -> Ollama's NDJSON stream, one JSON object per line as `ollama serve` writes
// them: `{model, created_at, message: {role, content, thinking?}, done: false}` per piece of text
// or thinking (generate: top-level `response` / `thinking`), each tool call whole in a line of
// its own once its arguments are complete, and a last `done: true` line with done_reason and the
// counts (prompt_eval_count, eval_count). A failure ends with `{"error": "…"}`, which the ollama
// clients throw. Ollama has no keep-alive: nothing is written while waiting.
import type { BlockStart, StreamEvent } from '../canonical'
import type { ResponseContext, StreamEncoder } from '../codec'
import { emptyUsage } from '../json'
import { ndjsonLine } from '../ndjson'
import { wrapCustomInput } from '../tools'
import { ollamaCounts, ollamaDoneReason, ollamaToolCall } from './mapping'
import { createdAt } from './response'
import type { OllamaMessage } from './wire'

export class OllamaStreamEncoder implements StreamEncoder {
  private finished = false
  private readonly createdAt: string
  private readonly blocks = new Map<number, { start: BlockStart; input: string }>()
  private toolCount = 0

  constructor(private readonly ctx: ResponseContext) {
    this.createdAt = createdAt(ctx)
  }

  get done(): boolean {
    return this.finished
  }

  /** NDJSON has no preamble. */
  start(): string {
    return ''
  }

  encode(e: StreamEvent): string {
    if (this.finished) return ''
    switch (e.type) {
      case 'block_start':
        this.blocks.set(e.index, { start: e.block, input: e.block.type === 'tool_call' ? (e.block.arguments ?? '') : '' })
        return ''
      case 'block_delta':
        return this.onDelta(e.index, e.delta)
      case 'block_end':
        return this.onBlockEnd(e.index)
      case 'finish': {
        this.finished = true
        return this.line({ content: '' }, { done: true, done_reason: ollamaDoneReason(e.stopReason), ...ollamaCounts(e.usage ?? emptyUsage()) })
      }
      case 'error':
        return this.fail(e.error.message)
      case 'start':
      case 'keepalive':
        return ''
    }
  }

  fail(message: string): string {
    if (this.finished) return ''
    this.finished = true
    return ndjsonLine({ error: message })
  }

  private onDelta(index: number, delta: Extract<StreamEvent, { type: 'block_delta' }>['delta']): string {
    const state = this.blocks.get(index)
    if (!state) return ''
    switch (delta.type) {
      case 'text':
        return delta.text === '' ? '' : this.line({ content: delta.text })
      case 'reasoning':
      case 'reasoning_summary':
        return delta.text === '' ? '' : this.line({ content: '', thinking: delta.text })
      case 'arguments':
        state.input += delta.text
        return ''
      case 'signature':
        return ''
    }
  }

  /** /api/generate answers carry no tool calls (its requests carry no tools). */
  private onBlockEnd(index: number): string {
    const state = this.blocks.get(index)
    this.blocks.delete(index)
    if (state?.start.type !== 'tool_call' || this.ctx.ollamaGenerate) return ''
    const { id, name, kind } = state.start
    const call = ollamaToolCall({ type: 'tool_call', kind: 'function', id, name, arguments: kind === 'custom' ? wrapCustomInput(state.input) : state.input }, this.toolCount++)
    return this.line({ content: '', tool_calls: [call] })
  }

  private line(message: Omit<OllamaMessage, 'role'>, end: Record<string, unknown> = { done: false }): string {
    const head = { model: this.ctx.model, created_at: this.createdAt }
    if (!this.ctx.ollamaGenerate) return ndjsonLine({ ...head, message: { role: 'assistant', ...message }, ...end })
    const out: Record<string, unknown> = { ...head, response: message.content }
    if (message.thinking !== undefined) out.thinking = message.thinking
    return ndjsonLine({ ...out, ...end })
  }
}
