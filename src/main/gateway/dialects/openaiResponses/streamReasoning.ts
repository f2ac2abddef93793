// One reasoning item of a Responses stream: summary parts (reasoning_summary_part.added,
// reasoning_summary_text.delta/.done, reasoning_summary_part.done — one part open at a time, as
// OpenAI streams them) and raw reasoning text from backends that stream it (a reasoning_text
// content part with response.reasoning_text.delta/.done).
import type { BlockDelta, Json } from '../canonical'

export type Emit = (type: string, fields: Json) => string

export class ReasoningItemState {
  readonly summaries: string[] = []
  rawText: string | undefined
  /** Anthropic's signature of this thinking, sent on as marked encrypted_content. */
  signature = ''
  private openSummary = -1
  /** Upstream summary index -> this item's (dense, in order of arrival). */
  private readonly summaryIndex = new Map<number, number>()

  delta(delta: BlockDelta, emit: Emit): string {
    if (delta.type === 'reasoning_summary') return this.summaryDelta(delta.summaryIndex, delta.text, emit)
    if (delta.type === 'signature') {
      this.signature += delta.signature
      return ''
    }
    if (delta.type !== 'reasoning') return ''
    let out = ''
    if (this.rawText === undefined) {
      this.rawText = ''
      out += emit('response.content_part.added', { content_index: 0, part: { type: 'reasoning_text', text: '' } })
    }
    if (delta.text === '') return out
    this.rawText += delta.text
    return out + emit('response.reasoning_text.delta', { content_index: 0, delta: delta.text })
  }

  close(emit: Emit): string {
    let out = this.closeSummary(emit)
    if (this.rawText !== undefined) {
      out += emit('response.reasoning_text.done', { content_index: 0, text: this.rawText })
      out += emit('response.content_part.done', { content_index: 0, part: { type: 'reasoning_text', text: this.rawText } })
    }
    return out
  }

  private summaryDelta(upstreamIndex: number, text: string, emit: Emit): string {
    let out = ''
    let index = this.summaryIndex.get(upstreamIndex)
    if (index === undefined) {
      out += this.closeSummary(emit)
      index = this.summaries.length
      this.summaryIndex.set(upstreamIndex, index)
      this.summaries.push('')
      this.openSummary = index
      out += emit('response.reasoning_summary_part.added', { summary_index: index, part: { type: 'summary_text', text: '' } })
    }
    if (text === '') return out
    this.summaries[index] += text
    return out + emit('response.reasoning_summary_text.delta', { summary_index: index, delta: text })
  }

  private closeSummary(emit: Emit): string {
    if (this.openSummary < 0) return ''
    const index = this.openSummary
    this.openSummary = -1
    const text = this.summaries[index]!
    return emit('response.reasoning_summary_text.done', { summary_index: index, text }) + emit('response.reasoning_summary_part.done', { summary_index: index, part: { type: 'summary_text', text } })
  }
}
