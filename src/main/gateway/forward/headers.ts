// Response headers that describe one hop, or that a local client has no business receiving.
const DROPPED_RESPONSE_HEADERS = new Set([
  'connection',
  'keep-alive',
  'proxy-authenticate',
  'proxy-authorization',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
  'content-length',
  'set-cookie',
  'alt-svc',
  'date',
  'server',
])

/**
 * Upstream response headers worth passing on (rate-limit info, content type, provider request
 * ids) as a flat [name, value, ...] list, which writeHead takes without building an object.
 * Reads undici's raw header buffers directly (latin1, byte for byte) and picks out the content
 * type on the way. The list keeps content-length (a byte passthrough sends it on); other modes
 * drop what they set themselves with withoutHeaders().
 */
export function scanRawHeaders(raw: Buffer[] | string[]): { contentType: string; contentEncoding: string; list: string[] } {
  const list: string[] = []
  let contentType = ''
  let contentEncoding = ''
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const name = raw[i]!.toString('latin1').toLowerCase()
    // A dropped header's value is never read: no string for it (date, server, connection, ...).
    if (DROPPED_RESPONSE_HEADERS.has(name) && name !== 'content-length') continue
    const value = raw[i + 1]!.toString('latin1')
    if (name === 'content-type') contentType = value.toLowerCase()
    else if (name === 'content-encoding') contentEncoding = value
    list.push(name, value)
  }
  return { contentType, contentEncoding, list }
}

/** Headers that describe bytes the gateway decoded: they no longer apply to what the client gets. */
export const DECODED_BODY_HEADERS: ReadonlySet<string> = new Set(['content-encoding', 'content-length'])

/** Headers the gateway sets itself for a stream (no length, its own cache and buffering hints). */
export const STREAM_OWN_HEADERS: ReadonlySet<string> = new Set(['content-length', 'cache-control', 'x-accel-buffering'])
/** Headers the gateway sets itself for a body it re-encoded. */
export const REWRITE_OWN_HEADERS: ReadonlySet<string> = new Set(['content-length', 'content-type'])

export function withoutHeaders(list: string[], names: ReadonlySet<string>): string[] {
  const out: string[] = []
  for (let i = 0; i < list.length; i += 2) if (!names.has(list[i]!)) out.push(list[i]!, list[i + 1]!)
  return out
}
