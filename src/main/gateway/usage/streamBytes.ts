// Helpers for reading SSE / NDJSON streams without parsing every chunk. Each raw chunk is viewed
// once as a latin1 string: one char per byte, so offsets are byte offsets and the original bytes
// come back exactly (`Buffer.from(s, 'latin1')`), while every search runs as a JIT-compiled string
// search instead of a native Buffer call. SseFramer (src/shared/sse.ts) cuts those strings into
// whole events; these helpers look inside them, and only text values that are actually used are
// decoded from UTF-8.
import { sseField } from '../../../shared/sse'

const LF = 10
const CR = 13
const QUOTE = 34
const BACKSLASH = 92

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

/** The JSON text carried by an SSE event's `data` lines (joined by newlines), decoded, or undefined. */
export function sseData(s: string, start: number, end: number): string | undefined {
  const data = sseField(s, start, end, 'data')
  return data === undefined ? undefined : utf8(data)
}

export function parseJson(text: string | undefined): unknown {
  if (text === undefined) return undefined
  try {
    return JSON.parse(text)
  } catch {
    return undefined
  }
}
