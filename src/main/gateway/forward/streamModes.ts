// How upstream stream bytes become client bytes: untouched (minus a usage chunk the gateway asked
// for on its own account), or translated event by event into the client's dialect.
import type { GatewayError } from '../common/errors'
import { createStreamTranslator, type ClientRequestInfo, type StreamTranslator, type Translation } from '../dialects/translation'
import { SecretScrubber } from '../common/secretScrubber'
import { endsWithBlankLine } from '../../../shared/sse'
import type { RequestMeter } from '../usage/requestMeter'
import { streamErrorEvent, type ClientResponse } from './clientResponse'

export interface StreamMode {
  /** Client bytes for one upstream chunk (may be empty while a partial event is held back). */
  push(chunk: Buffer): Buffer | string
  /** Client bytes that close the stream when the upstream ended. */
  end(): Buffer | string | undefined
  /** Client bytes held back so far plus the error event, for a stream cut short. */
  failure(err: GatewayError): string
  /** Whether the client has seen only whole events (where an error event may start). */
  readonly atEventBoundary: boolean
  /** A translated stream that ended with an error event: its type (a relayed one is read by the meter). */
  readonly endedWithError?: string
  readonly contentType?: string
}

class PassthroughStream implements StreamMode {
  private boundary = true
  constructor(
    private readonly client: Pick<ClientResponse, 'dialect' | 'framing'>,
    private readonly meter: RequestMeter | undefined,
  ) {}

  push(chunk: Buffer): Buffer {
    const out = this.meter ? this.meter.clientChunk(chunk) : chunk
    if (out.length > 0) this.boundary = endsWithBlankLine(out)
    return out
  }

  end(): Buffer | undefined {
    return this.meter?.clientFlush()
  }

  failure(err: GatewayError): string {
    const held = this.meter?.clientFlush()
    const prefix = held ? held.toString('utf8') : ''
    const boundary = held ? endsWithBlankLine(held) : this.boundary
    return `${prefix}${boundary ? '' : '\n\n'}${streamErrorEvent(this.client.dialect, err, this.client.framing)}`
  }

  get atEventBoundary(): boolean {
    return this.boundary && (this.meter?.clientAtEventBoundary ?? true)
  }
}

const CONTENT_TYPES = { sse: 'text/event-stream; charset=utf-8', ndjson: 'application/x-ndjson', 'json-array': 'application/json' } as const

class TranslatedStream implements StreamMode {
  readonly contentType: string
  constructor(
    private readonly translator: StreamTranslator,
    private readonly scrub: SecretScrubber,
    framing: ClientResponse['framing'],
  ) {
    this.contentType = CONTENT_TYPES[framing]
  }

  push(chunk: Buffer): string {
    const out = this.translator.push(chunk)
    // The output that ends the stream may carry the upstream's error message: only that one is scanned.
    return this.translator.done ? this.scrub.text(out) : out
  }

  end(): string {
    return this.scrub.text(this.translator.end())
  }

  failure(err: GatewayError): string {
    return this.translator.fail(err.message, err.status)
  }

  get atEventBoundary(): boolean {
    return true // the translator only ever emits whole events
  }

  get endedWithError(): string | undefined {
    const type = this.translator.failure
    return type === undefined ? undefined : /^[a-z][a-z0-9_]{0,39}$/.test(type) ? type : 'stream_error'
  }
}

export function streamMode(
  translation: Translation,
  client: Pick<ClientResponse, 'dialect' | 'framing'>,
  clientInfo: ClientRequestInfo | undefined,
  meter: RequestMeter | undefined,
  inputTokens?: number,
  scrub: SecretScrubber = SecretScrubber.none,
): StreamMode {
  if (translation === 'passthrough' || !clientInfo) return new PassthroughStream(client, meter)
  return new TranslatedStream(createStreamTranslator(translation, clientInfo, { inputTokens }), scrub, client.framing)
}
