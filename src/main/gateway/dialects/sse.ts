// Server-sent events, both ways, for every dialect: one parser with one line-ending rule. The parser is fed raw upstream reads, which may split an event,
// a line, a CRLF pair or a UTF-8 character anywhere: it keeps the unfinished tail as carry-over
// and only yields complete events. Line handling follows the WHATWG "event stream interpretation"
// (CRLF, LF or CR line ends; `:` comments; one optional space after the colon; multi-line data
// joined with "\n"; an event without data lines is not dispatched).

export interface SseEvent {
  /** The `event:` field, when the server named the event (Anthropic always does; OpenAI never). */
  event?: string
  data: string
  id?: string
}

export class SseParser {
  private readonly decoder = new TextDecoder('utf-8')
  private carry = ''
  /** The previous read ended in CR: a LF opening the next read belongs to the same line end. */
  private skipLeadingLF = false
  private eventName: string | undefined
  private dataLines: string[] = []
  private lastId: string | undefined

  /** Feeds one read; returns the events it completed (possibly none). */
  push(chunk: Uint8Array): SseEvent[] {
    return this.consume(this.decoder.decode(chunk, { stream: true }), false)
  }

  /** The stream ended: flushes a dangling UTF-8 sequence and dispatches a last event left without its blank line. */
  end(): SseEvent[] {
    const out = this.consume(this.decoder.decode(), true)
    if (this.dataLines.length > 0) out.push(this.takeEvent())
    this.eventName = undefined
    this.dataLines = []
    return out
  }

  private consume(text: string, final: boolean): SseEvent[] {
    const out: SseEvent[] = []
    const input = this.carry + text
    // The carry holds no line end, so scanning resumes where the last read stopped: a long event
    // arriving in many small reads costs linear time, not quadratic.
    let from = this.carry.length
    this.carry = ''
    let start = 0
    if (this.skipLeadingLF && input.length > 0) {
      if (input.charCodeAt(0) === 0x0a) start = from = 1
      this.skipLeadingLF = false
    }
    const n = input.length
    for (let i = from; i < n; i++) {
      const c = input.charCodeAt(i)
      if (c !== 0x0a && c !== 0x0d) continue
      this.line(input.slice(start, i), out)
      if (c === 0x0d) {
        if (i + 1 < n) {
          if (input.charCodeAt(i + 1) === 0x0a) i++
        } else {
          this.skipLeadingLF = true
        }
      }
      start = i + 1
    }
    const rest = input.slice(start)
    if (final) {
      if (rest.length > 0) this.line(rest, out)
    } else {
      this.carry = rest
    }
    return out
  }

  private line(line: string, out: SseEvent[]): void {
    if (line.length === 0) {
      if (this.dataLines.length > 0) out.push(this.takeEvent())
      this.eventName = undefined
      this.dataLines = []
      return
    }
    if (line.charCodeAt(0) === 0x3a) return // ":" comment (keep-alives)
    const colon = line.indexOf(':')
    const field = colon === -1 ? line : line.slice(0, colon)
    let value = colon === -1 ? '' : line.slice(colon + 1)
    if (value.charCodeAt(0) === 0x20) value = value.slice(1)
    switch (field) {
      case 'data':
        this.dataLines.push(value)
        return
      case 'event':
        this.eventName = value
        return
      case 'id':
        if (!value.includes('\0')) this.lastId = value
        return
      default:
        return // `retry` and unknown fields mean nothing to a proxy
    }
  }

  private takeEvent(): SseEvent {
    const event: SseEvent = { data: this.dataLines.join('\n') }
    if (this.eventName !== undefined && this.eventName !== '') event.event = this.eventName
    if (this.lastId !== undefined) event.id = this.lastId
    this.eventName = undefined
    this.dataLines = []
    return event
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
