// What every stream decoder and encoder shares: a framing parser (SSE events, NDJSON lines)
// feeding a per-dialect event mapper, usage bookkeeping, and the guard that nothing follows a
// finished stream.
import type { StreamEvent, Usage } from './canonical'
import type { StreamDecoder, StreamEncoder } from './codec'
import { NdjsonParser } from './ndjson'
import { SseParser, type SseEvent } from './sse'

/** Splits raw reads into frames, carrying unfinished ones over to the next read. */
interface FrameParser<Frame> {
  push(chunk: Uint8Array): Frame[]
  end(): Frame[]
}

/** A decoder is a framing parser plus a mapper from one parsed frame to canonical events. */
abstract class FramedStreamDecoder<Frame> implements StreamDecoder {
  protected finished = false
  protected reported: Usage | undefined

  constructor(private readonly parser: FrameParser<Frame>) {}

  push(chunk: Uint8Array): StreamEvent[] {
    return this.map(this.parser.push(chunk))
  }

  end(): StreamEvent[] {
    const out = this.map(this.parser.end())
    if (!this.finished) {
      this.finished = true
      out.push(...this.onEnd())
    }
    return out
  }

  usage(): Usage | undefined {
    return this.reported
  }

  private map(frames: Frame[]): StreamEvent[] {
    const out: StreamEvent[] = []
    for (const frame of frames) {
      if (this.finished) break
      for (const e of this.onEvent(frame)) {
        out.push(e)
        if (e.type === 'finish' || e.type === 'error') this.finished = true
      }
    }
    return out
  }

  /** One upstream frame -> canonical events; a `finish` or `error` ends the stream. */
  protected abstract onEvent(frame: Frame): StreamEvent[]
  /** The upstream ended without a terminal event: close it, or report it cut short. */
  protected abstract onEnd(): StreamEvent[]
}

/** Server-sent events: OpenAI, Anthropic and Gemini (`alt=sse`) streams. */
export abstract class SseStreamDecoder extends FramedStreamDecoder<SseEvent> {
  constructor() {
    super(new SseParser())
  }
}

/** One JSON object per line: Ollama's streams. */
export abstract class NdjsonStreamDecoder extends FramedStreamDecoder<string> {
  constructor() {
    super(new NdjsonParser())
  }
}

/** Joins a decoder and an encoder: upstream bytes in, client bytes out. */
export interface StreamTranslator {
  /** Feeds one upstream read; returns what to write to the client ('' when nothing is complete yet). */
  push(chunk: Uint8Array): string
  /** The upstream body ended: closing events, or an error event when the stream was cut short. */
  end(): string
  /** A transport failure mid-stream (timeout, reset): the error event in the client's dialect. */
  fail(message: string, status?: number): string
  /** Output that may precede the first upstream byte (so keep-alive pings can follow). */
  start(): string
  /** True once the client stream is complete (normally or with an error event). */
  readonly done: boolean
  /** Set when the client stream ended with an error event (the upstream's, or one of ours): why. */
  readonly failure: string | undefined
  usage(): StreamUsage
}

export interface StreamUsage {
  promptTokens: number
  completionTokens: number
  cachedTokens: number
}

export function joinStream(decoder: StreamDecoder, encoder: StreamEncoder): StreamTranslator {
  let failure: string | undefined
  const encode = (events: StreamEvent[]): string => {
    let out = ''
    for (const event of events) {
      if (encoder.done) break
      if (event.type === 'error') failure ??= event.error.type ?? 'stream_error'
      out += encoder.encode(event)
    }
    return out
  }
  return {
    push: (chunk) => (encoder.done ? '' : encode(decoder.push(chunk))),
    end: () => (encoder.done ? '' : encode(decoder.end())),
    fail: (message, status) => {
      failure ??= 'stream_error'
      return encoder.fail(message, status)
    },
    start: () => encoder.start(),
    get done() {
      return encoder.done
    },
    get failure() {
      return failure
    },
    usage() {
      const u = decoder.usage()
      return { promptTokens: u?.inputTokens ?? 0, completionTokens: u?.outputTokens ?? 0, cachedTokens: u?.cachedInputTokens ?? 0 }
    },
  }
}
