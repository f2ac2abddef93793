// How the gateway reaches one provider, built once per config version: its adapter, API base,
// auth and configured headers, timeouts, and the scrubber for its secrets.
import { isSecretHeader, urlPassword, type ProviderConfig } from '../../../shared/config'
import { credentialOf, SecretScrubber } from '../common/secretScrubber'
import type { SecretResolver } from '../common/types'
import type { ProviderAdapter, Timeouts } from './adapter'
import { adapterFor } from './index'
import { keyPoolFor, type KeyPool } from './keyPool'

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

export interface ProviderRuntime {
  config: ProviderConfig
  adapter: ProviderAdapter
  upstream: Upstream
  /** A key pool (`apiKeys`): each attempt sends `keys.pick(now, lease.key).headers` over `upstream.headers`. */
  keys?: KeyPool
}

/** How the gateway reaches one provider: adapter, API base, auth and timeouts. */
export function providerRuntime(p: ProviderConfig, secrets: SecretResolver): ProviderRuntime {
  const adapter = adapterFor(p.kind)
  const base = adapter.apiBase(p.baseUrl)
  const keys = keyPoolFor(p, secrets, adapter)
  // With a pool, the key goes with each attempt (keys.pick); the shared headers carry none.
  const apiKey = keys || p.apiKey === undefined ? undefined : secrets.resolve(p.apiKey, p.id)
  const headers = resolvedHeaders(p, secrets)
  return {
    config: p,
    adapter,
    keys,
    upstream: {
      origin: base.origin,
      basePath: base.pathname === '/' ? '' : base.pathname,
      headers: { ...headers, ...(keys ? {} : adapter.authHeaders(apiKey)) },
      timeouts: { ...adapter.defaultTimeouts, ...definedOnly(p.timeouts) },
      scrub: scrubberFor(p, [apiKey, ...(keys?.keys.map((k) => k.secret) ?? [])], headers),
    },
  }
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
