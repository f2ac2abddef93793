// When a streaming client did not ask for `stream_options.include_usage`, the gateway asks the
// upstream for it (usage is then exact, not estimated) and takes back out of the client's stream
// everything that request changed, so the client's bytes are those it would have got otherwise:
//
// - the extra final usage event: `data: {...,"choices":[],"usage":{...}}` + blank line;
// - `"usage":null` on every other chunk. OpenAI documents it ("All other chunks will also include
//   a usage field, but with a null value") and vLLM did it from 0.5 to 0.6.x (`chunk.usage = None`
//   with `exclude_unset=True`, serving_chat.py); newer vLLM and Ollama omit the key. Removing the
//   top-level key with its comma restores the no-include_usage bytes in both serializers.
//
// The transform passes every other byte through untouched and, while chunks end on event
// boundaries with nothing to remove, returns the very same Buffer (no copy).
import { SseFramer } from '../../../shared/sse'
import { depthAt, valueStartAfterKey } from './streamBytes'

const USAGE_KEY = '"usage"'
const USAGE_KEY_BYTES = Buffer.from(USAGE_KEY)
const EMPTY_CHOICES = /"choices"\s*:\s*\[\s*\]/
const EMPTY = Buffer.alloc(0)

export interface IncludeUsageRequest {
  /** The body to send upstream (the original bytes when nothing was injected). */
  body: Buffer
  /** The gateway added `include_usage`: strip its effects with InjectedUsageStripper. */
  injected: boolean
}

type Json = Record<string, unknown>

/**
 * Adds `stream_options.include_usage: true` to a streaming OpenAI-style request that lacks it.
 * Leaves the request alone when it is not streamed, already asks for usage, or asks for vLLM's
 * `continuous_usage_stats` (injecting would then put usage on every chunk).
 */
export function withIncludeUsage(raw: Buffer, body: Json): IncludeUsageRequest {
  if (body.stream !== true) return { body: raw, injected: false }
  const options = body.stream_options
  if (options === undefined || options === null) {
    // Splice the field in before the closing brace rather than re-serializing a large body.
    let close = raw.length - 1
    while (close >= 0 && raw[close] !== 0x7d) close--
    if (close > 0) {
      return { body: Buffer.concat([raw.subarray(0, close), Buffer.from(',"stream_options":{"include_usage":true}'), raw.subarray(close)]), injected: true }
    }
  }
  if (typeof options === 'object' && options !== null && !Array.isArray(options)) {
    const o = options as Json
    if (o.include_usage === true || o.continuous_usage_stats === true) return { body: raw, injected: false }
  }
  const next = { ...body, stream_options: { ...(typeof options === 'object' && options !== null ? options : {}), include_usage: true } }
  return { body: Buffer.from(JSON.stringify(next)), injected: true }
}

export interface StripperOptions {
  /** Also remove `"usage":null` from chunks (see above). On unless a backend is known to always send it. */
  dropNullUsage?: boolean
}

/**
 * Streaming transform for one response: push each upstream chunk, write what it returns.
 * A trailing partial event is held back until it completes (clients act only on whole events).
 */
export class InjectedUsageStripper {
  // The usage event is small: an event past this size is passed through as it arrives, so the
  // client gets the upstream's bytes whatever an event's size (nothing is held or dropped).
  private readonly framer = new SseFramer({ maxRecordChars: 256 * 1024, onPiece: (piece) => this.out.push(piece) })
  private readonly dropNullUsage: boolean
  private out: string[] = []
  /** Bytes of the events removed so far (the usage event, and nulls). */
  removedBytes = 0

  constructor(opts: StripperOptions = {}) {
    this.dropNullUsage = opts.dropNullUsage ?? true
  }

  /** True when everything returned so far ends on an event boundary. */
  get atEventBoundary(): boolean {
    return this.framer.atBoundary
  }

  push(chunk: Buffer): Buffer {
    // Fast path: nothing held back, nothing to remove, chunk ends on a boundary.
    if (chunk.indexOf(USAGE_KEY_BYTES) === -1 && this.framer.skipWhole(chunk)) return chunk
    this.out = []
    this.framer.push(chunk.toString('latin1'), this.onEvent)
    return this.drain()
  }

  /** The held-back partial event, if any, when the upstream ended or failed. */
  flush(): Buffer {
    this.out = []
    this.framer.flush(this.onEvent)
    return this.drain()
  }

  private drain(): Buffer {
    const parts = this.out
    this.out = []
    if (parts.length === 0) return EMPTY
    // latin1 round-trips every byte exactly (see streamBytes).
    return Buffer.from(parts.length === 1 ? parts[0] : parts.join(''), 'latin1')
  }

  private readonly onEvent = (s: string, start: number, end: number): void => {
    const mark = this.out.length
    let keepFrom = start
    let at = s.indexOf(USAGE_KEY, start)
    while (at !== -1 && at < end) {
      const value = valueStartAfterKey(s, at + USAGE_KEY.length, end)
      const first = value === -1 ? -1 : s.charCodeAt(value)
      if (first === 0x7b /* { */ && isTopLevel(s, start, at) && EMPTY_CHOICES.test(s.slice(start, end))) {
        // The injected usage event: drop it whole.
        this.out.length = mark
        this.removedBytes += end - start
        return
      }
      if (first === 0x6e /* n */ && this.dropNullUsage && s.startsWith('null', value) && (closesTopObject(s, value + 4, end) || isTopLevel(s, start, at))) {
        const [from, to] = nullFieldSpan(s, start, at, value + 4, end)
        if (from !== -1) {
          this.out.push(s.slice(keepFrom, from))
          this.removedBytes += to - from
          keepFrom = to
        }
      }
      at = s.indexOf(USAGE_KEY, at + USAGE_KEY.length)
    }
    this.out.push(s.slice(keepFrom, end))
  }
}

function isTopLevel(s: string, eventStart: number, keyAt: number): boolean {
  const objectStart = s.indexOf('{', eventStart)
  return objectStart !== -1 && objectStart < keyAt && depthAt(s, objectStart, keyAt) === 1
}

function isSpace(c: number): boolean {
  return c === 32 || c === 9
}

/** Span of `,"usage":null` (or `"usage":null,` when it is the first key), or [-1, -1]. */
function nullFieldSpan(s: string, eventStart: number, keyAt: number, valueEnd: number, end: number): [number, number] {
  let before = keyAt - 1
  while (before > eventStart && isSpace(s.charCodeAt(before))) before--
  if (s.charCodeAt(before) === 44 /* , */) return [before, valueEnd]
  let after = valueEnd
  while (after < end && isSpace(s.charCodeAt(after))) after++
  if (s.charCodeAt(after) === 44) {
    after++
    while (after < end && isSpace(s.charCodeAt(after))) after++
    return [keyAt, after]
  }
  return [-1, -1]
}

/** `null}` ending the data line: the usual last-key position, known top-level without a scan. */
function closesTopObject(s: string, afterNull: number, end: number): boolean {
  if (s.charCodeAt(afterNull) !== 125 /* } */) return false
  const next = afterNull + 1 < end ? s.charCodeAt(afterNull + 1) : -1
  return next === 10 || next === 13
}
