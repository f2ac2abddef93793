// Gives a JSON answer back the model name the client asked for without parsing it: the top-level
// "model" string is found by a byte scan (strings and nested values skipped, so a "model" key
// inside `choices` or a tool call's arguments is left alone) and spliced. JSON.parse +
// JSON.stringify of every non-streamed answer cost a route alias a quarter of its throughput.

const QUOTE = 0x22
const BACKSLASH = 0x5c
const OPEN_OBJECT = 0x7b
const CLOSE_OBJECT = 0x7d
const OPEN_ARRAY = 0x5b
const CLOSE_ARRAY = 0x5d
const COLON = 0x3a
const COMMA = 0x2c
const MODEL_KEY = Buffer.from('"model"')

/**
 * `body` with its top-level "model" string replaced by `model`, or undefined when the body is
 * not a JSON object with such a field (the caller then takes the parsing path, which reports
 * malformed bodies properly).
 */
export function replaceModelField(body: Buffer, model: string): Buffer | undefined {
  let i = skipSpace(body, 0)
  if (body[i] !== OPEN_OBJECT) return undefined
  i = skipSpace(body, i + 1)
  while (i < body.length && body[i] === QUOTE) {
    const keyEnd = stringEnd(body, i)
    if (keyEnd < 0) return undefined
    const isModel = keyEnd - i === MODEL_KEY.length && body.compare(MODEL_KEY, 0, MODEL_KEY.length, i, keyEnd) === 0
    i = skipSpace(body, keyEnd)
    if (body[i] !== COLON) return undefined
    i = skipSpace(body, i + 1)
    const valueEnd = isModel && body[i] === QUOTE ? stringEnd(body, i) : skipValue(body, i)
    if (valueEnd < 0) return undefined
    if (isModel && body[i] === QUOTE) {
      return Buffer.concat([body.subarray(0, i), Buffer.from(JSON.stringify(model)), body.subarray(valueEnd)])
    }
    i = skipSpace(body, valueEnd)
    if (body[i] !== COMMA) return undefined // the closing brace: no model field
    i = skipSpace(body, i + 1)
  }
  return undefined
}

function skipSpace(b: Buffer, i: number): number {
  while (i < b.length && (b[i] === 0x20 || b[i] === 0x0a || b[i] === 0x0d || b[i] === 0x09)) i++
  return i
}

/** Index just past the string starting at `i` (a quote), or -1 if it never ends. */
function stringEnd(b: Buffer, i: number): number {
  for (let j = i + 1; j < b.length; j++) {
    const c = b[j]
    if (c === BACKSLASH) j++
    else if (c === QUOTE) return j + 1
  }
  return -1
}

/** Index just past the value starting at `i`, or -1 if the body ends inside it. */
function skipValue(b: Buffer, i: number): number {
  const c = b[i]
  if (c === QUOTE) return stringEnd(b, i)
  if (c === OPEN_OBJECT || c === OPEN_ARRAY) {
    let depth = 0
    for (let j = i; j < b.length; j++) {
      const d = b[j]
      if (d === QUOTE) {
        j = stringEnd(b, j) - 1
        if (j < 0) return -1
      } else if (d === OPEN_OBJECT || d === OPEN_ARRAY) depth++
      else if ((d === CLOSE_OBJECT || d === CLOSE_ARRAY) && --depth === 0) return j + 1
    }
    return -1
  }
  // A number, true, false or null: runs to the next separator.
  let j = i
  while (j < b.length && b[j] !== COMMA && b[j] !== CLOSE_OBJECT && b[j] !== CLOSE_ARRAY && b[j] !== 0x20 && b[j] !== 0x0a && b[j] !== 0x0d && b[j] !== 0x09) j++
  return j > i ? j : -1
}
