// Which app is calling: its app key, else `X-Switchyard-App`, else the User-Agent's product name,
// else "unknown". A presented `sy-` key that is unknown or revoked is refused (the caller answers
// 401): an app that meant to identify itself must not be silently counted as someone else.
// Any other credential (SDKs insist on sending some key) is not ours and is ignored.
import type { IncomingHttpHeaders } from 'node:http'
import { isAppKey, type AppKeyLookup } from './appKeys'

export type AppIdentity =
  | { ok: true; app: string; via: 'app-key' | 'header' | 'user-agent' | 'unknown' }
  | { ok: false; reason: 'unknown_app_key' }

export interface AppKeyResolver {
  lookup(key: string): AppKeyLookup
}

const MAX_NAME = 64

export function identifyApp(headers: IncomingHttpHeaders, appKeys: AppKeyResolver | undefined): AppIdentity {
  const key = presentedAppKey(headers)
  if (key !== undefined) {
    const found = appKeys?.lookup(key)
    return found?.ok ? { ok: true, app: found.app, via: 'app-key' } : { ok: false, reason: 'unknown_app_key' }
  }
  const named = cleanName(first(headers['x-switchyard-app']))
  if (named) return { ok: true, app: named, via: 'header' }
  const product = userAgentProduct(first(headers['user-agent']))
  if (product) return { ok: true, app: product, via: 'user-agent' }
  return { ok: true, app: 'unknown', via: 'unknown' }
}

/**
 * An `sy-` key from `Authorization: Bearer`, `x-api-key` (Anthropic SDKs) or `x-goog-api-key`
 * (Gemini clients; their `?key=` is read into it at ingress).
 */
export function presentedAppKey(headers: IncomingHttpHeaders): string | undefined {
  const auth = first(headers.authorization)?.trim()
  if (auth && /^bearer\s+/i.test(auth)) {
    const token = auth.replace(/^bearer\s+/i, '').trim()
    if (isAppKey(token)) return token
  }
  for (const name of ['x-api-key', 'x-goog-api-key']) {
    const apiKey = first(headers[name])?.trim()
    if (apiKey && isAppKey(apiKey)) return apiKey
  }
  return undefined
}

/**
 * The first product token of a User-Agent: `curl/8.5.0` -> `curl`, `claude-cli/1.0.3 (external)`
 * -> `claude-cli`. A "version" that is a word names a flavour worth keeping (`OpenAI/JS 4.52.0`
 * -> `OpenAI/JS`, `OpenAI/Python 1.40.0` -> `OpenAI/Python`). Browsers all say `Mozilla/5.0`.
 */
export function userAgentProduct(userAgent: string | undefined): string | undefined {
  const token = userAgent?.trim().split(/\s+/)[0]
  if (!token) return undefined
  const [name, version] = token.split('/', 2)
  if (!name) return undefined
  if (name === 'Mozilla') return 'browser'
  const product = version !== undefined && /^[A-Za-z][A-Za-z_-]*$/.test(version) ? `${name}/${version}` : name
  return cleanName(product)
}

/** Printable, bounded, no separators a CSV or a label could trip on. */
function cleanName(value: string | undefined): string | undefined {
  const cleaned = value?.replace(/[^\w.@:/+ -]/gu, '').trim().slice(0, MAX_NAME)
  return cleaned ? cleaned : undefined
}

function first(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value
}
