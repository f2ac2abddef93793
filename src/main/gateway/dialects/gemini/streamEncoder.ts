// Canonical events -> a Gemini stream: one GenerateContentResponse per piece — answer text as text
// parts, reasoning as thought parts, each function call whole (Gemini never streams arguments, so
// they are gathered until the call's block ends) — and a last chunk with the finishReason and
// usageMetadata. A thinking block's signature rides on the next non-thought part, where Gemini
// puts its own and where Gemini CLI keeps it (it drops thought parts from its history).
//
// Framing: `data: {…}` server-sent events for `alt=sse` (what the SDK and Gemini CLI ask for),
// else one JSON array written element by element (`[{…}`, `,\r\n{…}`, `]`). A failure ends with
// Google's `{"error":{…}}` as the last event or element. SSE gets no keep-alives (Gemini CLI's SDK
// fails on a comment line); the array's are whitespace between elements, which clients skip.
import type { BlockStart, ErrorInfo, StreamEvent } from '../canonical'
import type { ResponseContext, StreamEncoder } from '../codec'
import { emptyUsage } from '../json'
import { dataSse } from '../sse'
import { toolInputFromArguments, wrapCustomInput } from '../tools'
import { geminiErrorBody } from './errors'
import { geminiFinishReason, geminiUsage } from './mapping'
import type { GeminiPart, GeminiResponse } from './wire'

interface BlockState {
  start: BlockStart
  /** Tool calls: the input so far. Reasoning: the signature so far. */
  buffer: string
}

export class GeminiStreamEncoder implements StreamEncoder {
  private started = false
  private finished = false
  private elements = 0
  private responseId: string
  private pendingSignature: string | undefined
  private readonly blocks = new Map<number, BlockState>()

  constructor(private readonly ctx: ResponseContext) {
    this.responseId = ctx.messageId ?? ''
  }

  get done(): boolean {
    return this.finished
  }

  /** The JSON array opens before the first element, so whitespace keep-alives can follow; SSE needs no preamble. */
  start(): string {
    if (this.started) return ''
    this.started = true
    return this.ctx.geminiJsonArray ? '[' : ''
  }

  encode(e: StreamEvent): string {
    if (this.finished) return ''
    switch (e.type) {
      case 'start':
        // The id shows in every chunk, so the upstream's counts until the first chunk is written.
        if (this.elements === 0 && !this.ctx.messageId && e.id !== undefined) this.responseId = e.id
        return this.start()
      case 'block_start':
        if (!(e.block.type === 'reasoning' && e.block.redactedData !== undefined)) this.blocks.set(e.index, { start: e.block, buffer: e.block.type === 'tool_call' ? (e.block.arguments ?? '') : '' })
        return this.start()
      case 'block_delta':
        return this.onDelta(e.index, e.delta)
      case 'block_end':
        return this.onBlockEnd(e.index)
      case 'finish':
        return this.close(e)
      case 'error':
        return this.failWith(e.error, e.status)
      case 'keepalive':
        // Gemini CLI's SDK (google-genai 1.30) reads SSE with an anchored `data:` pattern: a comment
        // line never matches, stays in its buffer and fails the turn ("Incomplete JSON segment").
        return this.ctx.geminiJsonArray ? this.start() + '\n' : ''
    }
  }

  fail(message: string, status?: number): string {
    return this.failWith({ message }, status)
  }

  private onDelta(index: number, delta: Extract<StreamEvent, { type: 'block_delta' }>['delta']): string {
    const state = this.blocks.get(index)
    if (!state) return ''
    switch (delta.type) {
      case 'text':
        return delta.text === '' ? '' : this.parts([this.signed({ text: delta.text })])
      case 'reasoning':
      case 'reasoning_summary':
        return delta.text === '' ? '' : this.parts([{ text: delta.text, thought: true }])
      case 'signature':
        state.buffer += delta.signature
        return ''
      case 'arguments':
        state.buffer += delta.text
        return ''
    }
  }

  private onBlockEnd(index: number): string {
    const state = this.blocks.get(index)
    this.blocks.delete(index)
    if (!state) return ''
    const start = state.start
    if (start.type === 'reasoning' && state.buffer !== '') {
      // A second signature before any part could carry the first: the first goes on an empty part.
      const earlier = this.pendingSignature !== undefined ? this.parts([this.signed({ text: '' })]) : ''
      this.pendingSignature = state.buffer
      return earlier
    }
    if (start.type !== 'tool_call') return ''
    const args = toolInputFromArguments(start.kind === 'custom' ? wrapCustomInput(state.buffer) : state.buffer)
    return this.parts([this.signed({ functionCall: { id: start.id, name: start.name, args } })])
  }

  private signed(part: GeminiPart): GeminiPart {
    if (this.pendingSignature !== undefined) part.thoughtSignature = this.pendingSignature
    this.pendingSignature = undefined
    return part
  }

  private chunk(parts: GeminiPart[], extra: { finishReason?: string; usageMetadata?: GeminiResponse['usageMetadata'] } = {}): GeminiResponse {
    const candidate: NonNullable<GeminiResponse['candidates']>[number] = { content: { role: 'model', parts }, index: 0 }
    if (extra.finishReason) candidate.finishReason = extra.finishReason
    const out: GeminiResponse = { candidates: [candidate] }
    if (extra.usageMetadata) out.usageMetadata = extra.usageMetadata
    out.modelVersion = this.ctx.model
    out.responseId = this.responseId || 'switchyard'
    return out
  }

  private parts(parts: GeminiPart[]): string {
    return this.element(this.chunk(parts))
  }

  private element(payload: object): string {
    const first = this.elements++ === 0
    if (!this.ctx.geminiJsonArray) return dataSse(payload)
    return this.start() + (first ? '' : ',\r\n') + JSON.stringify(payload)
  }

  private close(finish: Extract<StreamEvent, { type: 'finish' }>): string {
    let out = this.start()
    // Google's last chunk has an empty text part; the SDK's chat drops a turn with a chunk without parts.
    const parts = [this.signed({ text: '' })]
    out += this.element(this.chunk(parts, { finishReason: geminiFinishReason(finish.stopReason), usageMetadata: geminiUsage(finish.usage ?? emptyUsage()) }))
    this.finished = true
    return out + (this.ctx.geminiJsonArray ? ']' : '')
  }

  /** Google ends a failed stream with its error object: a last SSE event, or a last array element. */
  private failWith(error: ErrorInfo, status: number | undefined): string {
    if (this.finished) return ''
    this.finished = true
    const out = this.start() + this.element(geminiErrorBody(error, status))
    return out + (this.ctx.geminiJsonArray ? ']' : '')
  }
}
