// Connection tests, model discovery and "where does this model go": read-only probes of the
// backends, never a generation (a test must not cost tokens).
import type { ApiHandlers, ProviderTestResult } from '../../../shared/api'
import { parseProvider, restoreMaskedSecrets, type ProviderConfig } from '../../../shared/config'
import type { BackendClient } from '../providers/backendClient'
import { backendTargetOf } from '../providers/backendTarget'
import { discoverModels } from '../providers/discovery'
import type { Router } from '../routing/router'
import { providerRuntime, type Runtime } from '../runtime'
import type { ConfigStore, SecretResolver } from '../types'
import { ApiFailure } from './apiFailure'
import { GatewayError } from '../errors'

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
        const { set, usable: ordered } = deps.router.preview(rt, model)
        const usable = new Set(ordered.map((c) => c.key))
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

/** Transport errors say what failed without echoing URLs with credentials or response bodies. */
function safeMessage(err: unknown): string {
  const e = err as { message?: string; code?: string; status?: number }
  if (typeof e?.status === 'number') return `the backend answered HTTP ${e.status}`
  if (e?.code) return `${e.code}: ${String(e.message ?? '').split('\n')[0]!.slice(0, 200)}`
  return String(e?.message ?? 'connection failed').split('\n')[0]!.slice(0, 200)
}
