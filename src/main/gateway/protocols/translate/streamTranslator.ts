// Bytes in, bytes out: joins the carry-over SSE parser to one of the pure event mappers. This is
// what forwarding calls per upstream read when the client speaks the other protocol.
import { toAnthropicErrorBody, toOpenAIErrorBody } from './errors'
import { SseParser, type SseEvent } from './sse'
import { OpenAIToAnthropicStream, type ToAnthropicStreamOptions } from './streamToAnthropic'
import { AnthropicToOpenAIStream, type ToOpenAIStreamOptions } from './streamToOpenAI'

export interface StreamUsage {
  promptTokens: number
  completionTokens: number
  cachedTokens: number
}

export interface StreamTranslator {
  /** Feeds one upstream read; returns what to write to the client ('' when nothing is complete yet). */
  push(chunk: Uint8Array): string
  /** The upstream body ended: closing events, or an error event when the stream was cut short. */
  end(): string
  /**
   * A transport failure mid-stream (timeout, reset): the error event in the client's protocol.
   * `status` picks the error type (504 timeout -> timeout_error, 503 -> overloaded_error, …).
   */
  fail(message: string, status?: number): string
  /** Output that may precede the first upstream byte (Anthropic's message_start, for keep-alive pings). */
  start(): string
  /** True once the client stream is complete (normally or with an error event). */
  readonly done: boolean
  usage(): StreamUsage
}

/** What both event mappers offer: events in, client bytes out, one instance per stream. */
interface EventMapper {
  onEvent(event: SseEvent): string
  end(): string
  readonly done: boolean
}

/** Joins a fresh SSE parser to `mapper`; the rest of the translator is direction-specific. */
function translator(mapper: EventMapper, rest: Pick<StreamTranslator, 'fail' | 'start' | 'usage'>): StreamTranslator {
  const parser = new SseParser()
  const map = (events: SseEvent[]): string => {
    let out = ''
    for (const event of events) out += mapper.onEvent(event)
    return out
  }
  return {
    push: (chunk) => map(parser.push(chunk)),
    end: () => map(parser.end()) + mapper.end(),
    get done() {
      return mapper.done
    },
    ...rest,
  }
}

/** Client speaks Anthropic, upstream streams OpenAI chunks. */
export function openAIStreamToAnthropic(opts: ToAnthropicStreamOptions): StreamTranslator {
  const mapper = new OpenAIToAnthropicStream(opts)
  return translator(mapper, {
    fail: (message, status) => mapper.fail(toAnthropicErrorBody({ error: { message } }, status)),
    start: () => mapper.start(),
    usage: () => ({ promptTokens: mapper.usage.promptTokens, completionTokens: mapper.usage.completionTokens, cachedTokens: mapper.usage.cachedTokens }),
  })
}

/** Client speaks OpenAI, upstream streams Anthropic events. */
export function anthropicStreamToOpenAI(opts: ToOpenAIStreamOptions): StreamTranslator {
  const mapper = new AnthropicToOpenAIStream(opts)
  return translator(mapper, {
    fail: (message, status) => mapper.fail(toOpenAIErrorBody({ error: { message } }, status)),
    start: () => '',
    usage() {
      const u = mapper.usage
      const cached = u.cache_read_input_tokens ?? 0
      return { promptTokens: u.input_tokens + (u.cache_creation_input_tokens ?? 0) + cached, completionTokens: u.output_tokens, cachedTokens: cached }
    },
  })
}
