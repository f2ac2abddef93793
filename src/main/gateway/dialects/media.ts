// Images and documents as URLs: OpenAI's dialects carry them as data: or http(s) URLs, Anthropic's
// as typed sources. Both directions go through the canonical MediaSource.
import type { MediaSource } from './canonical'

const DATA_URL = /^data:([^;,]+)?((?:;[^;,]*)*?);base64,(.*)$/s

/** A data: URL (base64) or http(s) URL -> a media source; undefined for anything else (file ids, paths). */
export function sourceFromUrl(url: string, defaultMediaType = 'image/png'): MediaSource | undefined {
  const m = DATA_URL.exec(url)
  if (m) return { kind: 'base64', mediaType: (m[1] ?? defaultMediaType).toLowerCase(), data: m[3]! }
  if (/^https?:\/\//i.test(url)) return { kind: 'url', url }
  return undefined
}

/** A media source as a URL an OpenAI-compatible server accepts; undefined for provider file ids. */
export function urlOfSource(source: MediaSource, defaultMediaType = 'image/png'): string | undefined {
  if (source.kind === 'base64') return `data:${source.mediaType || defaultMediaType};base64,${source.data}`
  if (source.kind === 'url') return source.url
  return undefined // a file id only means something to the provider that issued it
}
