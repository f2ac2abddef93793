// Anthropic stream events -> OpenAI chat.completion.chunk events: a role chunk first, text as
// `content` deltas, each tool_use block as a tool call (index, id, type and name first, then the
// input_json_delta fragments as `arguments`), thinking as `reasoning_content` deltas (plus the
// signature as an OpenRouter-style `reasoning_details` entry when the block closes, so the client
// can pass it back), a finish chunk, a usage chunk only when the client asked for
// stream_options.include_usage, then `data: [DONE]`. Pure; one instance per stream.
import { openAIErrorEvent, toOpenAIErrorBody } from './errors'
import { THINKING_FORMAT, finishFromStopReason, isRecord, openAIUsageFromAnthropic, rePrefixId } from './mapping'
import { signedThinkingDetail } from './responses'
import { OPENAI_DONE, SSE_COMMENT_KEEPALIVE, openAISse, type SseEvent } from './sse'
import type { AnthropicUsage, Json, OpenAIErrorBody, ReasoningDetail } from './types'

export interface ToOpenAIStreamOptions {
  /** The model name the client asked for. */
  model: string
  /** The client sent stream_options.include_usage: true. */
  includeUsage: boolean
  /** Unix seconds for `created`; injected so the mapping stays pure. */
  created?: number
}

interface BlockState {
  type: string
  toolIndex?: number
  thinking?: string
  signature?: string
}

export class AnthropicToOpenAIStream {
  private id = 'chatcmpl-switchyard'
  private readonly created: number
  private roleSent = false
  private finished = false
  private readonly blocks = new Map<number, BlockState>()
  private toolCount = 0
  private detailCount = 0
  private stopReason: string | null = null
  private sawMessageDelta = false
  /** Cumulative usage as the upstream reported it, for the client and for metering. */
  readonly usage: AnthropicUsage = { input_tokens: 0, output_tokens: 0, cache_creation_input_tokens: 0, cache_read_input_tokens: 0 }

  constructor(private readonly opts: ToOpenAIStreamOptions) {
    this.created = opts.created ?? Math.floor(Date.now() / 1000)
  }

  get done(): boolean {
    return this.finished
  }

  onEvent(event: SseEvent): string {
    if (this.finished) return ''
    let data: Json
    try {
      const parsed: unknown = JSON.parse(event.data)
      if (!isRecord(parsed)) return ''
      data = parsed
    } catch {
      return this.fail(toOpenAIErrorBody({ error: { message: 'the upstream sent a stream event that is not JSON' } }))
    }
    switch (data.type ?? event.event) {
      case 'message_start':
        return this.onMessageStart(isRecord(data.message) ? data.message : {})
      case 'content_block_start':
        return this.roleChunk() + this.onBlockStart(Number(data.index), isRecord(data.content_block) ? data.content_block : {})
      case 'content_block_delta':
        return this.roleChunk() + this.onBlockDelta(Number(data.index), isRecord(data.delta) ? data.delta : {})
      case 'content_block_stop':
        return this.onBlockStop(Number(data.index))
      case 'message_delta':
        this.sawMessageDelta = true
        if (isRecord(data.delta) && typeof data.delta.stop_reason === 'string') this.stopReason = data.delta.stop_reason
        if (isRecord(data.usage)) this.recordUsage(data.usage)
        return ''
      case 'message_stop':
        return this.close()
      case 'ping':
        return SSE_COMMENT_KEEPALIVE
      case 'error':
        return this.fail(toOpenAIErrorBody(data))
      default:
        return '' // event types added later are ignored, as Anthropic's versioning policy asks
    }
  }

  /** The upstream body ended; without message_delta the answer is incomplete and ends with an error. */
  end(): string {
    if (this.finished) return ''
    if (!this.sawMessageDelta) return this.fail(toOpenAIErrorBody({ error: { message: 'the upstream ended the stream before the answer was complete' } }))
    return this.close()
  }

  /** Ends the stream with an error payload and no `[DONE]`, so clients know the answer is cut short. */
  fail(body: OpenAIErrorBody): string {
    if (this.finished) return ''
    this.finished = true
    return openAIErrorEvent(body)
  }

  private chunk(delta: Json, finishReason: string | null = null): string {
    return openAISse({
      id: this.id,
      object: 'chat.completion.chunk',
      created: this.created,
      model: this.opts.model,
      choices: [{ index: 0, delta, logprobs: null, finish_reason: finishReason }],
    })
  }

  private roleChunk(): string {
    if (this.roleSent) return ''
    this.roleSent = true
    return this.chunk({ role: 'assistant', content: '' })
  }

  private onMessageStart(message: Json): string {
    this.id = rePrefixId(message.id, 'msg_', 'chatcmpl-', this.id)
    if (isRecord(message.usage)) this.recordUsage(message.usage)
    return this.roleChunk()
  }

  private recordUsage(u: Json): void {
    // message_delta counts are cumulative totals; a field it omits keeps its earlier value.
    for (const key of ['input_tokens', 'output_tokens', 'cache_creation_input_tokens', 'cache_read_input_tokens'] as const) {
      if (typeof u[key] === 'number') this.usage[key] = u[key] as number
    }
    if (isRecord(u.output_tokens_details)) this.usage.output_tokens_details = u.output_tokens_details as AnthropicUsage['output_tokens_details']
  }

  private onBlockStart(index: number, block: Json): string {
    const state: BlockState = { type: String(block.type) }
    this.blocks.set(index, state)
    switch (block.type) {
      case 'text':
        return typeof block.text === 'string' && block.text !== '' ? this.chunk({ content: block.text }) : ''
      case 'thinking':
        state.thinking = typeof block.thinking === 'string' ? block.thinking : ''
        state.signature = typeof block.signature === 'string' ? block.signature : ''
        return state.thinking !== '' ? this.chunk({ reasoning_content: state.thinking }) : ''
      case 'redacted_thinking':
        if (typeof block.data !== 'string') return ''
        return this.detailChunk({ type: 'reasoning.encrypted', data: block.data, format: THINKING_FORMAT, index: this.detailCount++ })
      case 'tool_use': {
        state.toolIndex = this.toolCount++
        const input = isRecord(block.input) && Object.keys(block.input).length > 0 ? JSON.stringify(block.input) : ''
        const call = { index: state.toolIndex, id: String(block.id ?? ''), type: 'function', function: { name: String(block.name ?? ''), arguments: input } }
        return this.chunk({ tool_calls: [call] })
      }
      default:
        return '' // server tool blocks run on Anthropic's side
    }
  }

  private onBlockDelta(index: number, delta: Json): string {
    const state = this.blocks.get(index)
    switch (delta.type) {
      case 'text_delta':
        return typeof delta.text === 'string' && delta.text !== '' ? this.chunk({ content: delta.text }) : ''
      case 'thinking_delta':
        if (typeof delta.thinking !== 'string' || delta.thinking === '') return ''
        if (state) state.thinking = (state.thinking ?? '') + delta.thinking
        return this.chunk({ reasoning_content: delta.thinking })
      case 'signature_delta':
        if (state && typeof delta.signature === 'string') state.signature = (state.signature ?? '') + delta.signature
        return ''
      case 'input_json_delta':
        if (state?.toolIndex === undefined || typeof delta.partial_json !== 'string' || delta.partial_json === '') return ''
        return this.chunk({ tool_calls: [{ index: state.toolIndex, function: { arguments: delta.partial_json } }] })
      default:
        return ''
    }
  }

  private onBlockStop(index: number): string {
    const state = this.blocks.get(index)
    if (state?.type !== 'thinking' || !state.signature) return ''
    return this.detailChunk(signedThinkingDetail(state.thinking, state.signature, this.detailCount++))
  }

  private detailChunk(detail: ReasoningDetail): string {
    return this.roleChunk() + this.chunk({ reasoning_details: [detail] })
  }

  private close(): string {
    let out = this.roleChunk() + this.chunk({}, finishFromStopReason(this.stopReason))
    if (this.opts.includeUsage) {
      out += openAISse({ id: this.id, object: 'chat.completion.chunk', created: this.created, model: this.opts.model, choices: [], usage: openAIUsageFromAnthropic(this.usage) })
    }
    this.finished = true
    return out + OPENAI_DONE
  }
}
