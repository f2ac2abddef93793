// Server-sent events, both ways, for every dialect. Reading is src/shared/sse.ts (one parser, one
// line-ending rule for the whole app); this decodes raw upstream reads, which may split a UTF-8
// character anywhere, into the text it parses.
import { SseEventParser, type SseEvent } from '../../../shared/sse'

export type { SseEvent }

export class SseParser {
  private readonly decoder = new TextDecoder('utf-8')
  private readonly events = new SseEventParser()

  /** Feeds one read; returns the events it completed (possibly none). */
  push(chunk: Uint8Array): SseEvent[] {
    return this.events.push(this.decoder.decode(chunk, { stream: true }))
  }

  /** The stream ended: flushes a dangling UTF-8 sequence and dispatches a last event left without its blank line. */
  end(): SseEvent[] {
    const out = this.events.push(this.decoder.decode())
    return out.length === 0 ? this.events.end() : [...out, ...this.events.end()]
  }
}

/** One event in wire form; multi-line data becomes several `data:` lines. */
export function serializeSse(event: SseEvent): string {
  let out = ''
  if (event.event !== undefined) out += `event: ${event.event}\n`
  if (event.id !== undefined) out += `id: ${event.id}\n`
  for (const line of event.data.split(/\r\n|\r|\n/)) out += `data: ${line}\n`
  return out + '\n'
}

/** Anthropic's and OpenAI Responses' framing: the event name repeats the payload's `type`. */
export function namedSse(payload: { type: string; [key: string]: unknown }): string {
  return `event: ${payload.type}\ndata: ${JSON.stringify(payload)}\n\n`
}

/** OpenAI Chat's framing: unnamed events. */
export function dataSse(payload: unknown): string {
  return `data: ${JSON.stringify(payload)}\n\n`
}

/** A data line's JSON object, or undefined when it is not JSON (the caller decides what that means). */
export function parseEventData(data: string): { ok: true; value: unknown } | { ok: false } {
  try {
    return { ok: true, value: JSON.parse(data) as unknown }
  } catch {
    return { ok: false }
  }
}

export const OPENAI_DONE = 'data: [DONE]\n\n'

/** Anthropic's keep-alive event, byte for byte as the API sends it. */
export const ANTHROPIC_PING = 'event: ping\ndata: {"type": "ping"}\n\n'

/** A comment line: every SSE client ignores it, proxies see traffic. */
export const SSE_COMMENT_KEEPALIVE = ': keep-alive\n\n'
