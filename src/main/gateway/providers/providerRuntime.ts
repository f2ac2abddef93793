// How the gateway reaches one provider, built once per config version: its adapter, API base,
// auth and configured headers, timeouts, the scrubber for its secrets, and the dialects it speaks
// natively with where each one's requests go.
import { isSecretHeader, urlPassword, type ProviderConfig } from '../../../shared/config'
import { credentialOf, SecretScrubber } from '../common/secretScrubber'
import type { SecretResolver } from '../common/types'
import type { Dialect } from '../dialects/codec'
import { trimTrailingSlashes, type NativeDialect, type ProviderAdapter, type Timeouts } from './adapter'
import { keyPoolFor, type KeyPool } from './keyPool'
import { adapterFor } from './registry'

export interface Upstream {
  /** `http://host:port` — the undici pool key part. */
  origin: string
  /** Path prefix of the OpenAI-compatible API, without trailing slash (e.g. `/v1`). */
  basePath: string
  /** Auth and configured extra headers sent with every request. */
  headers: Record<string, string>
  timeouts: Timeouts
  /** Takes this provider's secrets out of its error answers before a client or a log sees them. */
  scrub: SecretScrubber
}

/** A dialect the provider speaks natively, and the upstream (same origin, its own base path) its requests go to. */
export interface SpokenDialect {
  dialect: Dialect
  upstream: Upstream
  /** A key pool (`apiKeys`): each attempt sends `keys.pick(now, lease.key).headers` over `upstream.headers`. */
  keys?: KeyPool
}

export interface ProviderRuntime {
  config: ProviderConfig
  adapter: ProviderAdapter
  /** Where inference requests go: the base of the first dialect it speaks. */
  upstream: Upstream
  /** The dialects it speaks natively, in priority order (`upstream` is the first one's). */
  dialects: readonly SpokenDialect[]
  /** A key pool: several keys, one picked per attempt (undefined: the one `apiKey`, in `upstream.headers`). */
  keys?: KeyPool
}

/** How the gateway reaches one provider: adapter, API base, auth, timeouts and dialects. */
export function providerRuntime(p: ProviderConfig, secrets: SecretResolver): ProviderRuntime {
  const adapter = adapterFor(p.kind)
  const keys = keyPoolFor(p, secrets, adapter)
  // With a pool, the key goes with each attempt (keys.pick); the shared headers carry none.
  const apiKey = keys || p.apiKey === undefined ? undefined : secrets.resolve(p.apiKey, p.id)
  const headers = resolvedHeaders(p, secrets)
  const base = adapter.dialects[0]!.base(p.baseUrl)
  const upstream: Upstream = {
    origin: base.origin,
    basePath: basePathOf(base),
    headers: { ...headers, ...(keys ? {} : adapter.authHeaders(apiKey)) },
    timeouts: { ...adapter.defaultTimeouts, ...definedOnly(p.timeouts) },
    scrub: scrubberFor(p, [apiKey, ...(keys?.keys.map((k) => k.secret) ?? [])], headers),
  }
  const dialects: SpokenDialect[] = []
  for (const d of adapter.dialects) {
    if (!speaks(d, p)) continue
    const at = d.base(p.baseUrl)
    const basePath = basePathOf(at)
    // Same origin by construction (every base derives from the one baseUrl); the path may differ.
    dialects.push({ dialect: d.dialect, upstream: at.origin === upstream.origin && basePath === upstream.basePath ? upstream : { ...upstream, origin: at.origin, basePath } })
  }
  return { config: p, adapter, keys, upstream, dialects }
}

/** The dialects a provider speaks natively, in its kind's priority order. */
export function spokenDialects(p: Pick<ProviderConfig, 'kind' | 'baseUrl' | 'dialects'>): Dialect[] {
  return adapterFor(p.kind)
    .dialects.filter((d) => speaks(d, p))
    .map((d) => d.dialect)
}

/** Whether a provider speaks one of its kind's dialects: always, per host, or because its config says so. */
function speaks(d: NativeDialect, p: Pick<ProviderConfig, 'baseUrl' | 'dialects'>): boolean {
  if (p.dialects?.includes(d.dialect)) return true
  const byDefault = d.byDefault ?? true
  return typeof byDefault === 'function' ? byDefault(p) : byDefault
}

function basePathOf(url: URL): string {
  const path = trimTrailingSlashes(url.pathname)
  return path === '/' ? '' : path
}

/**
 * Configured headers with lower-case names. Values go through the secret resolver like the key,
 * so `env:NAME` works for a header (`x-goog-api-key`, Azure's `api-key`) too; one that does not
 * resolve is left out rather than sent as the reference.
 */
function resolvedHeaders(p: ProviderConfig, secrets: SecretResolver): Record<string, string> {
  const out: Record<string, string> = {}
  for (const [name, stored] of Object.entries(p.headers ?? {})) {
    const value = isSecretHeader(name) ? secrets.resolve(stored, p.id) : stored
    if (value !== undefined) out[name.toLowerCase()] = value
  }
  return out
}

function scrubberFor(p: ProviderConfig, apiKeys: Array<string | undefined>, headers: Record<string, string>): SecretScrubber {
  const found: Array<string | undefined> = [...apiKeys]
  for (const [name, value] of Object.entries(headers)) if (isSecretHeader(name)) found.push(value, credentialOf(value))
  const password = urlPassword(p.baseUrl)
  if (password) found.push(password, safeDecode(password))
  return found.some((v) => v !== undefined) ? new SecretScrubber(found) : SecretScrubber.none
}

function safeDecode(value: string): string | undefined {
  try {
    return decodeURIComponent(value)
  } catch {
    return undefined
  }
}

/** Names a provider answers to: its model list, its aliases and its default model. */
export function servedModels(p: ProviderConfig): string[] {
  const names = new Set(p.models)
  for (const alias of Object.keys(p.modelMap ?? {})) names.add(alias)
  if (p.defaultModel) names.add(p.defaultModel)
  return [...names]
}

function definedOnly<T extends object>(obj: T): Partial<T> {
  return Object.fromEntries(Object.entries(obj).filter(([, v]) => v !== undefined)) as Partial<T>
}
