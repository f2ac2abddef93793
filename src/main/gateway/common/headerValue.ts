// Values Switchyard itself puts in response headers (model names, provider ids) come from clients
// and config. Node refuses to write a header with characters outside Latin-1 or with control
// characters (ERR_INVALID_CHAR), so an unchecked value is a crash waiting for the right request.

/** Longest header value the gateway writes for a name; longer ones are cut (the body says the rest). */
export const MAX_HEADER_VALUE_CHARS = 256

const PRINTABLE_ASCII = /^[\x20-\x7e]*$/

/**
 * A value safe to write in a header: printable ASCII as is, anything else percent-encoded
 * (`llama🦙` -> `llama%F0%9F%A6%99`, the way URLs carry it), capped in length.
 */
export function safeHeaderValue(value: string, max = MAX_HEADER_VALUE_CHARS): string {
  const text = PRINTABLE_ASCII.test(value) ? value : encodeURIComponent(value)
  if (text.length <= max) return text
  // Do not cut a %XX escape in half.
  const cut = text.slice(0, max)
  const pct = cut.lastIndexOf('%')
  return pct > max - 3 ? cut.slice(0, pct) : cut
}

/** Longest model name accepted from a client: real names (paths, org/repo:tag) are far shorter. */
export const MAX_MODEL_NAME_CHARS = 512

// eslint-disable-next-line no-control-regex
const CONTROL_CHARS = /[\u0000-\u001f\u007f]/

/** Why a client's model name is refused, or undefined when it is fine. */
export function invalidModelName(model: string): string | undefined {
  if (model.length > MAX_MODEL_NAME_CHARS) return `"model" is ${model.length} characters long; at most ${MAX_MODEL_NAME_CHARS} are accepted`
  if (CONTROL_CHARS.test(model)) return '"model" must not contain control characters (CR, LF, NUL, ...)'
  return undefined
}
