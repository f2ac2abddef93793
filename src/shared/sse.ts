// Server-sent events: the one parser every reader of an event stream uses — the usage scanner,
// the injected-usage stripper and the Responses capture on the relay's raw bytes, the first-event
// sniff, translation's stream decoders and the dashboard's live stream. The rules are the WHATWG
// "event stream interpretation": a line ends in CRLF, LF or CR (a CR that ends one read and a LF
// that opens the next are one line end); a blank line ends an event; `data` lines are joined with
// "\n"; `event`, `id` and `retry` fields; a line starting with ':' is a comment; one space after
// the colon is dropped; a byte order mark opening the stream is skipped.
//
// It works on strings whose chars are either decoded text or a latin1 view of raw bytes (one char
// per byte: offsets are byte offsets and `Buffer.from(s, 'latin1')` gives the bytes back, which is
// how the relay reads chunks without decoding them). Line ends are ASCII, so framing is the same
// either way. No Node or DOM API here: the renderer imports it too.

const LF = 10
const CR = 13
const COLON = 58
const SPACE = 32
const BOM_TEXT = 0xfeff
/** A UTF-8 byte order mark seen as latin1. */
const BOM_BYTES = '\xef\xbb\xbf'

/** Receives one record: `s.slice(start, end)` is its raw text, line ends included. */
export type RecordVisitor = (s: string, start: number, end: number) => void

export interface FramerOptions {
  /** `events` (SSE, the default): a blank line ends a record. `lines` (NDJSON): every line end does. */
  records?: 'events' | 'lines'
  /**
   * A record is kept up to this many chars (default 8 MiB; Infinity keeps any size). Past it, it
   * is not kept at all: its chars go to onPiece as they arrive, or are dropped, until it ends.
   */
  maxRecordChars?: number
  /**
   * Receives, in stream order, every char that is not inside a visited record: an oversized
   * record, a byte order mark, the LF completing a CRLF whose CR ended a record handed over early.
   * A relay passes them on (so the client's bytes stay the upstream's); without it they are dropped.
   */
  onPiece?: (piece: string) => void
  /**
   * A record whose last line end is a CR at the very end of a read: hand it over at once (true,
   * for readers that want an event as soon as it is complete; a LF opening the next read is then
   * skipped), or hold it until the next read shows whether that LF belongs to it (false, the
   * default: records are then the same however the stream was cut).
   */
  eager?: boolean
}

const DEFAULT_MAX_RECORD_CHARS = 8 * 1024 * 1024
const enum Bom {
  Unknown,
  Done,
}

/**
 * Cuts a stream, fed in reads of any size, into whole records (SSE events or NDJSON lines). Line
 * ends are found by native string search, resuming where the last one stopped: linear time. A
 * partial record is kept as a list of pieces, joined once when its end arrives (never re-joined
 * per read), and one beyond the size limit is not kept at all, so memory stays bounded.
 */
export class SseFramer {
  private readonly lines: boolean
  private readonly maxRecordChars: number
  private readonly onPiece?: (piece: string) => void
  private readonly eager: boolean
  private pieces: string[] = []
  private pending = 0
  private oversized = false
  /** The line in progress (begun in an earlier read) has chars: its end is not a blank line. */
  private lineHasChars = false
  /** The last read ended in a CR line end: a LF opening the next read is part of it. */
  private crEnded = false
  /** That CR ended a record which waits (not eager) to know whether the LF belongs to it. */
  private heldAtCR = false
  private bom = Bom.Unknown
  /** The start of a latin1 byte order mark, split across reads. */
  private bomHeld = ''

  constructor(opts: FramerOptions = {}) {
    this.lines = opts.records === 'lines'
    this.maxRecordChars = opts.maxRecordChars ?? DEFAULT_MAX_RECORD_CHARS
    this.onPiece = opts.onPiece
    this.eager = opts.eager ?? false
  }

  /** Chars of a partial record held back (0 while passing an oversized one on). */
  get pendingChars(): number {
    return this.pending + this.bomHeld.length
  }

  /** Whether everything pushed so far ended on a record boundary. */
  get atBoundary(): boolean {
    return this.pending === 0 && !this.oversized && this.bomHeld === ''
  }

  push(input: string, visit: RecordVisitor): void {
    const s = this.bom === Bom.Done ? input : this.skipBom(input)
    if (s === undefined) return
    const n = s.length
    let start = 0
    let i = 0
    if (this.crEnded && n > 0) {
      this.crEnded = false
      const lf = s.charCodeAt(0) === LF ? 1 : 0
      if (this.heldAtCR) {
        this.heldAtCR = false
        this.deliver(s, 0, lf, visit)
        start = i = lf
      } else if (lf === 1) {
        i = 1
        if (this.atBoundary) {
          this.onPiece?.('\n')
          start = 1
        }
      }
    }
    let carried = this.lineHasChars
    let lineStart = i
    let lf = -2
    let cr = -2
    for (;;) {
      if (lf !== -1 && lf < i) lf = s.indexOf('\n', i)
      if (cr !== -1 && cr < i) cr = s.indexOf('\r', i)
      let t: number
      if (cr === -1 || (lf !== -1 && lf < cr)) {
        if (lf === -1) break
        t = lf
        i = t + 1
      } else {
        t = cr
        i = t + 1
        if (i === n) this.crEnded = true
        else if (s.charCodeAt(i) === LF) i++
      }
      const blank = t === lineStart && !carried
      carried = false
      lineStart = i
      if (!blank && !this.lines) continue
      if (this.crEnded && !this.eager) {
        // The end of this record depends on the next read's first char.
        this.heldAtCR = true
        break
      }
      this.deliver(s, start, i, visit)
      start = i
    }
    this.lineHasChars = carried || lineStart < n
    if (start < n) this.hold(start === 0 ? s : s.slice(start))
  }

  /** Hands over whatever partial record is left (a stream that ended without a final line end). */
  flush(visit: RecordVisitor): void {
    this.crEnded = false
    this.heldAtCR = false
    this.lineHasChars = false
    if (this.bomHeld !== '') {
      this.bom = Bom.Done
      this.hold(this.bomHeld)
      this.bomHeld = ''
    }
    if (this.oversized) {
      this.oversized = false
      return
    }
    if (this.pending === 0) return
    const record = this.pieces.length === 1 ? this.pieces[0]! : this.pieces.join('')
    this.pieces = []
    this.pending = 0
    visit(record, 0, record.length)
  }

  /**
   * Takes a read of whole events without looking inside it, when it can tell cheaply that it is
   * one: nothing held, and the read ends with a blank line ending in LF. Then true, and the read
   * counts as seen; otherwise false and nothing changed (push it).
   */
  skipWhole(bytes: ArrayLike<number>): boolean {
    if (!this.atBoundary || this.crEnded || bytes.length === 0 || bytes[bytes.length - 1] !== LF || !endsWithBlankLine(bytes)) return false
    if (this.bom === Bom.Unknown) {
      if (bytes[0] === 0xef || bytes[0] === BOM_TEXT) return false
      this.bom = Bom.Done
    }
    return true
  }

  /** The stream's first chars without a byte order mark (handed to onPiece), or undefined while undecided. */
  private skipBom(input: string): string | undefined {
    if (input === '') return input
    if (this.bomHeld === '' && input.charCodeAt(0) === BOM_TEXT) {
      this.bom = Bom.Done
      this.onPiece?.(input[0]!)
      return input.slice(1)
    }
    const s = this.bomHeld + input
    let k = 0
    while (k < 3 && k < s.length && s.charCodeAt(k) === BOM_BYTES.charCodeAt(k)) k++
    if (k < 3 && k === s.length) {
      this.bomHeld = s
      return undefined
    }
    this.bom = Bom.Done
    this.bomHeld = ''
    if (k < 3) return s
    this.onPiece?.(BOM_BYTES)
    return s.slice(3)
  }

  /** Hands over the record ending at `end` (its start possibly held from earlier reads). */
  private deliver(s: string, start: number, end: number, visit: RecordVisitor): void {
    if (this.oversized) {
      this.oversized = false
      if (end > start) this.onPiece?.(s.slice(start, end))
      return
    }
    if (this.pending === 0) {
      if (end > start) visit(s, start, end)
      return
    }
    if (end > start) this.pieces.push(s.slice(start, end))
    const record = this.pieces.join('')
    this.pieces = []
    this.pending = 0
    visit(record, 0, record.length)
  }

  private hold(piece: string): void {
    if (this.oversized) {
      this.onPiece?.(piece)
      return
    }
    this.pieces.push(piece)
    this.pending += piece.length
    if (this.pending <= this.maxRecordChars) return
    // No real event is this big: stop keeping it (pass or drop its chars) until it ends.
    this.oversized = true
    const held = this.pieces
    this.pieces = []
    this.pending = 0
    if (this.onPiece) for (const p of held) this.onPiece(p)
  }
}

/**
 * Whether a read ends exactly after a blank line's line end, i.e. on an event boundary as far as
 * its own bytes tell (a boundary begun in an earlier read is not seen: false, never a wrong true).
 */
export function endsWithBlankLine(bytes: ArrayLike<number>): boolean {
  let i = bytes.length - 1
  if (i < 1) return false
  const last = bytes[i]
  if (last === LF) {
    i--
    if (bytes[i] === CR) i--
  } else if (last === CR) i--
  else return false
  return i >= 0 && (bytes[i] === LF || bytes[i] === CR)
}

/** What one event's lines say. `data` is undefined when it has no data line. */
export interface SseFields {
  event?: string
  data?: string
  id?: string
  retry?: number
}

/** An event as a reader sees it. `id` is the last event id the stream set, as in EventSource. */
export interface SseEvent {
  /** The `event` field, when the server named the event (Anthropic always does; OpenAI never). */
  event?: string
  data: string
  id?: string
}

/** Index of the CR or LF ending the line that starts at `i`, or `end`. */
function lineEndAt(s: string, i: number, end: number): number {
  for (; i < end; i++) {
    const c = s.charCodeAt(i)
    if (c === LF || c === CR) return i
  }
  return end
}

/** Start of the line after the one ending at `t`. */
function nextLineAt(s: string, t: number, end: number): number {
  return s.charCodeAt(t) === CR && t + 1 < end && s.charCodeAt(t + 1) === LF ? t + 2 : t + 1
}

/** Where the value of field `name` starts on the line [a, b), or -1 when the line is another field. */
function valueAt(s: string, a: number, b: number, name: string): number {
  const v = a + name.length
  if (v > b || !s.startsWith(name, a)) return -1
  if (v === b) return b // a field name alone: an empty value
  if (s.charCodeAt(v) !== COLON) return -1
  return v + 1 < b && s.charCodeAt(v + 1) === SPACE ? v + 2 : v + 1
}

const FIELDS = ['data', 'event', 'id', 'retry'] as const

/** Every field of the event in s[start, end) (a record from SseFramer, or a whole event's text). */
export function sseFields(s: string, start = 0, end = s.length): SseFields {
  const out: SseFields = {}
  for (let a = start; a < end; ) {
    const b = lineEndAt(s, a, end)
    if (b > a && s.charCodeAt(a) !== COLON) {
      for (const name of FIELDS) {
        const v = valueAt(s, a, b, name)
        if (v === -1) continue
        const value = s.slice(v, b)
        if (name === 'data') out.data = out.data === undefined ? value : `${out.data}\n${value}`
        else if (name === 'retry') {
          if (/^\d+$/.test(value)) out.retry = Number(value)
        } else if (name === 'id') {
          if (!value.includes('\0')) out.id = value
        } else out.event = value
        break
      }
    }
    if (b >= end) break
    a = nextLineAt(s, b, end)
  }
  return out
}

/**
 * One field of the event in s[start, end), without building the others: `data` lines joined with
 * "\n", else the last value; undefined when the field is absent.
 */
export function sseField(s: string, start: number, end: number, name: 'data' | 'event' | 'id'): string | undefined {
  let out: string | undefined
  for (let a = start; a < end; ) {
    const b = lineEndAt(s, a, end)
    const v = b > a ? valueAt(s, a, b, name) : -1
    if (v !== -1) {
      const value = s.slice(v, b)
      out = name === 'data' && out !== undefined ? `${out}\n${value}` : value
    }
    if (b >= end) break
    a = nextLineAt(s, b, end)
  }
  return out
}

/**
 * Decoded text in, events out, as EventSource dispatches them: an event without data lines is not
 * dispatched; the last id persists across events; the last `retry` is kept in reconnectMs. Any
 * event size is kept (a translator cannot skip one). Events are handed over as soon as complete.
 */
export class SseEventParser {
  private readonly framer = new SseFramer({ eager: true, maxRecordChars: Infinity })
  private lastId: string | undefined
  private out: SseEvent[] = []
  /** The reconnection time the server asked for (`retry`), if any. */
  reconnectMs: number | undefined

  /** Feeds one piece of text; returns the events it completed (possibly none). */
  push(text: string): SseEvent[] {
    this.out = []
    this.framer.push(text, this.onRecord)
    return this.out
  }

  /** The stream ended: dispatches a last event left without its blank line. */
  end(): SseEvent[] {
    this.out = []
    this.framer.flush(this.onRecord)
    return this.out
  }

  private readonly onRecord = (s: string, start: number, end: number): void => {
    const f = sseFields(s, start, end)
    if (f.id !== undefined) this.lastId = f.id
    if (f.retry !== undefined) this.reconnectMs = f.retry
    if (f.data === undefined) return
    const event: SseEvent = { data: f.data }
    if (f.event !== undefined && f.event !== '') event.event = f.event
    if (this.lastId !== undefined) event.id = this.lastId
    this.out.push(event)
  }
}
