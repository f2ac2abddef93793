// Connection tests, model discovery and "where does this model go": read-only probes of the
// backends, never a generation (a test must not cost tokens).
import type { ApiHandlers, ProviderTestResult } from '../../../shared/api'
import { parseProvider, restoreMaskedSecrets, type ProviderConfig } from '../../../shared/config'
import type { BackendClient } from '../providers/backendClient'
import { backendTargetOf } from '../providers/backendTarget'
import { discoverModels } from '../providers/discovery'
import type { Router } from '../routing/router'
import { providerRuntime } from '../providers/providerRuntime'
import type { Runtime } from '../runtime/runtime'
import type { ConfigStore, SecretResolver } from '../common/types'
import { ApiFailure } from './apiFailure'
import { GatewayError } from '../common/errors'

export interface ProviderHandlerDeps {
  configStore: ConfigStore
  secrets: SecretResolver
  router: Router
  runtime(): Runtime
  backendClient(): BackendClient
}

const TEST_TIMEOUT_MS = 10_000

type ProviderHandlers = Pick<ApiHandlers, 'testProvider' | 'testProviderDraft' | 'discoverModels' | 'resolveModel'>

export function createProviderHandlers(deps: ProviderHandlerDeps): ProviderHandlers {
  const find = (id: string): ProviderConfig => {
    const p = deps.configStore.get().providers.find((x) => x.id === id)
    if (!p) throw new ApiFailure('not_found', `no provider with id "${id}"`)
    return p
  }

  async function test(provider: ProviderConfig): Promise<ProviderTestResult> {
    const target = backendTargetOf(providerRuntime(provider, deps.secrets))
    const started = performance.now()
    try {
      const models = await discoverModels(deps.backendClient(), target, TEST_TIMEOUT_MS)
      return { ok: true, latencyMs: Math.round(performance.now() - started), models }
    } catch (err) {
      return { ok: false, latencyMs: Math.round(performance.now() - started), models: [], error: safeMessage(err) }
    }
  }

  return {
    async testProvider({ id }) {
      return test(find(id))
    },
    async testProviderDraft(draft) {
      const withId = { ...draft, id: draft.id ?? 'draft' }
      const parsed = parseProvider(withId)
      if (!parsed.ok) throw new ApiFailure('invalid_argument', `invalid provider: ${parsed.errors.join('; ')}`)
      // An edited provider sends its key back masked: test with the stored one.
      const config = deps.configStore.get()
      const [provider] = restoreMaskedSecrets({ ...config, providers: [parsed.provider] }, config).providers
      return test(provider!)
    },
    async discoverModels({ id }) {
      find(id)
      await deps.router.catalog?.refresh(id)
      const models = deps.router.catalog?.models(id) ?? []
      return { models }
    },
    async resolveModel({ model }) {
      const rt = deps.runtime()
      try {
        // preview, not plan: a read must not advance the balancer (round-robin cursors, weights).
        const { set, usable: ordered, degraded } = deps.router.preview(rt, model)
        // A degraded answer keeps the least-bad candidate although it is down: it is not available.
        const usable = new Set(degraded ? [] : ordered.map((c) => c.key))
        return {
          model,
          via: set.via,
          route: set.route,
          strategy: set.strategy,
          candidates: set.candidates.map((c) => ({ provider: c.providerId, upstreamModel: c.upstreamModel, available: usable.has(c.key) })),
          ...(set.toolModel ? { toolModel: { model: set.toolModel.model, rule: set.toolModel.rule, tier: set.toolModel.tier, custom: set.toolModel.custom } } : {}),
        }
      } catch (err) {
        return { model, candidates: [], error: err instanceof GatewayError ? err.message : 'cannot resolve' }
      }
    },
  }
}

/**
 * A failed connection test in words a person can act on, never a raw `http_401: answered 401: {json}`:
 * what the status means for a provider, plus the provider's own message when it gave one.
 * Transport errors say what failed without echoing URLs with credentials or whole bodies.
 */
export function safeMessage(err: unknown): string {
  const e = err as { message?: string; code?: string; status?: number }
  const status = typeof e?.status === 'number' ? e.status : /^http_(\d{3})$/.exec(e?.code ?? '')?.[1] ? Number(/^http_(\d{3})$/.exec(e!.code!)![1]) : undefined
  if (status !== undefined) {
    const detail = providerMessage(String(e?.message ?? ''))
    const meaning =
      status === 401 || status === 403
        ? `The provider refused the key (HTTP ${status}): check the API key`
        : status === 404
          ? 'Nothing answers at this address (HTTP 404): check the base URL (OpenAI-style servers usually end in /v1)'
          : status === 429
            ? 'The provider is rate limiting (HTTP 429): try again in a moment'
            : status >= 500
              ? `The provider has a problem (HTTP ${status})`
              : `The provider answered HTTP ${status}`
    return detail ? `${meaning}. It said: ${detail}` : meaning
  }
  if (e?.code === 'bad_json') return 'The address answers, but not with a model list: is it the API base URL (not a web page)?'
  const hint = e?.code ? TRANSPORT_HINTS[e.code] : undefined
  if (hint) return hint
  const first = String(e?.message ?? 'connection failed').split('\n')[0]!.slice(0, 200)
  return e?.code ? `${first} (${e.code})` : first
}

const TRANSPORT_HINTS: Record<string, string> = {
  ECONNREFUSED: 'Nothing is listening at this address (connection refused): is the server running, on this port?',
  ENOTFOUND: 'The host name could not be resolved: check the base URL',
  EAI_AGAIN: 'The host name could not be resolved: check the base URL and the network',
  EHOSTUNREACH: 'The host is unreachable: check the address and the network',
  UND_ERR_CONNECT_TIMEOUT: 'The connection timed out: is the address right, and reachable from this machine?',
  timeout: 'No answer in time: the server is up but slow to list its models',
}

/** The `message` of a JSON error body quoted in "answered 401: {...}", if there is one. */
function providerMessage(text: string): string | undefined {
  const json = text.replace(/^answered \d{3}:?\s*/, '')
  if (!json) return undefined
  try {
    const body = JSON.parse(json) as { error?: { message?: unknown } | string; message?: unknown; detail?: unknown }
    const m = typeof body.error === 'object' ? body.error?.message : (body.error ?? body.message ?? body.detail)
    return typeof m === 'string' ? m.slice(0, 200) : undefined
  } catch {
    return json.length <= 120 && !json.includes('<') ? json : undefined
  }
}
