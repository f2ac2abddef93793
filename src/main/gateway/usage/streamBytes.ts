// Helpers for reading SSE / NDJSON streams without parsing every chunk. Each raw chunk is viewed
// once as a latin1 string: one char per byte, so offsets are byte offsets and the original bytes
// come back exactly (`Buffer.from(s, 'latin1')`), while every search runs as a JIT-compiled string
// search instead of a native Buffer call. Events (and the UTF-8 characters in them) split across
// chunks at any byte are carried over and come out whole; only text values that are actually used
// are decoded from UTF-8.

const LF = 10
const CR = 13
const QUOTE = 34
const BACKSLASH = 92

/** Index just past the blank line ending the SSE event that `from` is inside, or -1. */
export function sseEventEnd(s: string, from: number): number {
  let i = s.indexOf('\n', from)
  while (i !== -1) {
    const next = s.charCodeAt(i + 1)
    if (next === LF) return i + 2
    if (next === CR && s.charCodeAt(i + 2) === LF) return i + 3
    i = s.indexOf('\n', i + 1)
  }
  return -1
}

/** Index just past the newline ending the NDJSON line that `from` is inside, or -1. */
export function lineEnd(s: string, from: number): number {
  const i = s.indexOf('\n', from)
  return i === -1 ? -1 : i + 1
}

export type EventVisitor = (s: string, start: number, end: number) => void

/** What a splitter does with an event larger than its limit. */
export interface OversizedPolicy {
  maxEventBytes: number
  /**
   * Receives the bytes of an oversized event in pieces, as they arrive (a relay passes them on);
   * without it they are dropped (a scanner gives up on that event). Either way nothing is kept.
   */
  onPiece?: (piece: string) => void
}

const DEFAULT_MAX_EVENT_BYTES = 8 * 1024 * 1024

/**
 * Cuts a byte stream into complete events. A partial trailing event is kept as a list of pieces,
 * joined once when its end arrives (never re-joined per chunk: linear time however large it
 * grows), and only the new chunk is searched for boundaries. An event beyond the size limit is
 * not kept at all (see OversizedPolicy), so memory stays bounded whatever the upstream sends.
 */
export class EventSplitter {
  private pieces: string[] = []
  private pending = 0
  /** The last two bytes of the pending event: a boundary can straddle two chunks. */
  private tail = ''
  private oversized = false
  private readonly maxEventBytes: number
  private readonly onPiece?: (piece: string) => void

  constructor(
    private readonly findEnd: (s: string, from: number) => number,
    policy: Partial<OversizedPolicy> = {},
  ) {
    this.maxEventBytes = policy.maxEventBytes ?? DEFAULT_MAX_EVENT_BYTES
    this.onPiece = policy.onPiece
  }

  /** Bytes of a partial event held back (0 while passing an oversized one through). */
  get pendingBytes(): number {
    return this.pending
  }

  /** Whether everything pushed so far ended on an event boundary. */
  get atBoundary(): boolean {
    return this.pending === 0 && !this.oversized
  }

  push(chunk: Buffer, visit: EventVisitor): void {
    const s = chunk.toString('latin1')
    let start = 0
    if (this.pending > 0 || this.oversized) {
      const end = this.endOfPending(s)
      if (end === -1) return this.hold(s)
      this.closePending(s.slice(0, end), visit)
      start = end
    }
    for (let end = this.findEnd(s, start); end !== -1; end = this.findEnd(s, end)) {
      visit(s, start, end)
      start = end
    }
    if (start < s.length) this.hold(start === 0 ? s : s.slice(start))
  }

  /** Hands over whatever partial event is left (a stream that ended without a final newline). */
  flush(visit: EventVisitor): void {
    if (this.oversized) {
      this.oversized = false
      this.tail = ''
      return
    }
    if (this.pending === 0) return
    const event = this.pieces.length === 1 ? this.pieces[0]! : this.pieces.join('')
    this.reset()
    visit(event, 0, event.length)
  }

  /** Where in `s` the pending event ends (a boundary possibly begun in the previous chunk), or -1. */
  private endOfPending(s: string): number {
    const probe = this.tail + s.slice(0, 2)
    const straddle = this.findEnd(probe, 0)
    if (straddle > this.tail.length) return straddle - this.tail.length
    return this.findEnd(s, 0)
  }

  private closePending(last: string, visit: EventVisitor): void {
    if (this.oversized) {
      this.oversized = false
      this.tail = ''
      if (last !== '') this.onPiece?.(last)
      return
    }
    this.pieces.push(last)
    const event = this.pieces.join('')
    this.reset()
    visit(event, 0, event.length)
  }

  private hold(piece: string): void {
    this.tail = (this.tail + piece).slice(-2)
    if (this.oversized) {
      this.onPiece?.(piece)
      return
    }
    this.pieces.push(piece)
    this.pending += piece.length
    if (this.pending <= this.maxEventBytes) return
    // No real event is this big: stop keeping it (pass or drop its bytes) until it ends.
    this.oversized = true
    const held = this.pieces
    this.pieces = []
    this.pending = 0
    if (this.onPiece) for (const p of held) this.onPiece(p)
  }

  private reset(): void {
    this.pieces = []
    this.pending = 0
    this.tail = ''
  }
}

function isSpace(c: number): boolean {
  return c === 32 || c === 9 || c === LF || c === CR
}

/** Position of the first value char after `"key"` + optional spaces + `:` + spaces, or -1. */
export function valueStartAfterKey(s: string, keyEnd: number, end: number): number {
  let j = keyEnd
  while (j < end && isSpace(s.charCodeAt(j))) j++
  if (s.charCodeAt(j) !== 58 /* : */ || j >= end) return -1
  j++
  while (j < end && isSpace(s.charCodeAt(j))) j++
  return j < end ? j : -1
}

/** Index of the quote closing the JSON string whose body starts at `from`, or -1. */
export function closingQuote(s: string, from: number, end: number): number {
  let q = s.indexOf('"', from)
  while (q !== -1 && q < end) {
    let backslashes = 0
    for (let k = q - 1; k >= from && s.charCodeAt(k) === BACKSLASH; k--) backslashes++
    if (backslashes % 2 === 0) return q
    q = s.indexOf('"', q + 1)
  }
  return -1
}

/** UTF-8 text from a latin1 view of its bytes. */
export function utf8(latin1: string): string {
  // Pure ASCII (most text) is already right; only strings with high bytes need re-decoding.
  return /[\x80-\xff]/.test(latin1) ? Buffer.from(latin1, 'latin1').toString('utf8') : latin1
}

/**
 * A matcher for `"key": "` of any of `keys`, for forEachStringValue. One regex pass finds them
 * all: several times cheaper than one indexOf per key (V8 sets up a Boyer-Moore table per call).
 */
export function stringValueMatcher(keys: readonly string[]): RegExp {
  return new RegExp(`"(?:${keys.join('|')})"[ \\t\\r\\n]*:[ \\t\\r\\n]*"`, 'g')
}

/** Calls `visit` with the decoded text of every string value the matcher finds in s[start, end). */
export function forEachStringValue(s: string, start: number, end: number, matcher: RegExp, visit: (text: string) => void): void {
  matcher.lastIndex = start
  for (let m = matcher.exec(s); m !== null && m.index < end; m = matcher.exec(s)) {
    const open = m.index + m[0].length
    const close = closingQuote(s, open, end)
    if (close === -1) return
    if (close > open) visit(decodeJsonString(s.slice(open, close)))
    matcher.lastIndex = close + 1
  }
}

function decodeJsonString(raw: string): string {
  const text = utf8(raw)
  if (!text.includes('\\')) return text
  try {
    return JSON.parse(`"${text}"`) as string
  } catch {
    return text
  }
}

/**
 * Nesting depth (objects and arrays) at `at`, counted from `from`, skipping string contents.
 * Used only on events that mention `"usage"`, to tell the top-level key from a nested one.
 */
export function depthAt(s: string, from: number, at: number): number {
  let depth = 0
  let i = from
  while (i < at) {
    const c = s.charCodeAt(i)
    if (c === QUOTE) {
      const close = closingQuote(s, i + 1, at)
      if (close === -1) return -1 // `at` is inside a string
      i = close + 1
      continue
    }
    if (c === 123 || c === 91) depth++
    else if (c === 125 || c === 93) depth--
    i++
  }
  return depth
}

/** The JSON text carried by an SSE event's `data:` lines (joined by newlines), decoded, or undefined. */
export function sseData(s: string, start: number, end: number): string | undefined {
  let data: string | undefined
  for (const line of s.slice(start, end).split('\n')) {
    if (!line.startsWith('data:')) continue
    let value = line.slice(line.charCodeAt(5) === 32 ? 6 : 5)
    if (value.endsWith('\r')) value = value.slice(0, -1)
    data = data === undefined ? value : `${data}\n${value}`
  }
  return data === undefined ? undefined : utf8(data)
}

/** The `event:` name of an SSE event, when it has one. */
export function sseEventName(s: string, start: number, end: number): string | undefined {
  let i = start
  while (i < end) {
    const nl = s.indexOf('\n', i)
    const lineEndAt = nl === -1 || nl > end ? end : nl
    if (lineEndAt === i || (lineEndAt === i + 1 && s.charCodeAt(i) === CR)) return undefined
    if (s.startsWith('event:', i)) return s.slice(i + 6, lineEndAt).trim()
    i = lineEndAt + 1
  }
  return undefined
}

export function parseJson(text: string | undefined): unknown {
  if (text === undefined) return undefined
  try {
    return JSON.parse(text)
  } catch {
    return undefined
  }
}
