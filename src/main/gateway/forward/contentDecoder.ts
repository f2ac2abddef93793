// Upstreams are asked for `accept-encoding: identity`, but some (proxies in front of a model
// server, CDNs in front of a cloud API) compress anyway. Their bodies are decoded on the way:
// the client gets plain bytes (no compression on streams, DESIGN §2), and usage metering,
// first-event sniffing and translation read text, not gzip.
import zlib from 'node:zlib'

/** A streaming decoder for a Content-Encoding Node can undo, or undefined (identity, unknown). */
export function contentDecoder(encoding: string): zlib.Gunzip | zlib.Inflate | zlib.BrotliDecompress | undefined {
  switch (encoding.trim().toLowerCase()) {
    case 'gzip':
    case 'x-gzip':
      return zlib.createGunzip()
    case 'deflate':
      return zlib.createInflate()
    case 'br':
      return zlib.createBrotliDecompress()
    default:
      return undefined
  }
}
