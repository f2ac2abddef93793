// Config, providers and the active provider: every change goes through the shared schema and
// the config store, and secrets cross the API only as "key set".
import type { ApiHandlers, ProviderView } from '../../../shared/api'
import { maskedBaseUrl, maskSecrets, parseConfig, restoreMaskedSecrets, SECRET_MASK, type Config, type ProviderConfig } from '../../../shared/config'
import type { Router } from '../routing/router'
import type { ConfigStore } from '../common/types'
import { ApiFailure } from './apiFailure'

export interface ConfigHandlerDeps {
  configStore: ConfigStore
  router: Router
}

type ConfigHandlers = Pick<ApiHandlers, 'getConfig' | 'replaceConfig' | 'listProviders' | 'upsertProvider' | 'removeProvider'>

export function createConfigHandlers(deps: ConfigHandlerDeps): ConfigHandlers {
  const { configStore } = deps
  const save = async (raw: unknown): Promise<Config> => {
    const parsed = parseConfig(raw)
    if (!parsed.ok) throw new ApiFailure('invalid_argument', `invalid config: ${parsed.errors.join('; ')}`)
    const next = restoreMaskedSecrets(parsed.config, configStore.get())
    await configStore.replace(next)
    return next
  }
  const views = () => providerViews(configStore.get(), deps.router)
  return {
    async getConfig() {
      return maskSecrets(configStore.get())
    },
    async replaceConfig(raw) {
      return maskSecrets(await save(raw))
    },
    async listProviders() {
      return { items: views() }
    },
    async upsertProvider({ id, provider }) {
      const config = configStore.get()
      const draft = { ...provider, id } as ProviderConfig
      const exists = config.providers.some((p) => p.id === id)
      const providers = exists ? config.providers.map((p) => (p.id === id ? draft : p)) : [...config.providers, draft]
      // The first provider added becomes the active one: requests for any model have somewhere to go.
      const first = !exists && config.providers.length === 0 && config.activeProvider === undefined && draft.enabled !== false
      await save({ ...config, providers, ...(first ? { activeProvider: id } : {}) })
      return views().find((p) => p.id === id)!
    },
    async removeProvider({ id }) {
      const config = configStore.get()
      if (!config.providers.some((p) => p.id === id)) throw new ApiFailure('not_found', `no provider with id "${id}"`)
      const routes = config.routes.map((r) => ({ ...r, targets: r.targets.filter((t) => t.provider !== id) })).filter((r) => r.targets.length > 0)
      await save({
        ...config,
        providers: config.providers.filter((p) => p.id !== id),
        routes,
        activeProvider: config.activeProvider === id ? undefined : config.activeProvider,
      })
      return { items: views() }
    },
  }
}

export function providerViews(config: Config, router?: Router): ProviderView[] {
  const health = new Map((router?.status() ?? []).map((s) => [s.providerId, s]))
  return config.providers.map((p) => {
    const status = health.get(p.id)
    const h = status?.health
    return {
      id: p.id,
      name: p.name ?? p.id,
      kind: p.kind,
      baseUrl: maskedBaseUrl(p.baseUrl),
      enabled: p.enabled,
      active: config.activeProvider === p.id,
      keySet: p.apiKey !== undefined && p.apiKey !== '' && p.apiKey !== SECRET_MASK,
      models: p.models,
      discoveredModels: router?.catalog?.models(p.id) ?? [],
      defaultModel: p.defaultModel,
      weight: p.weight,
      health: h && {
        state: h.state,
        available: h.available,
        consecutiveFailures: h.consecutiveFailures,
        ejectedUntil: h.ejectedUntil,
        cooldownUntil: h.cooldownUntil,
        lastError: h.lastError && { message: h.lastError.message, at: h.lastError.at },
        lastProbe: h.lastProbe && { ok: h.lastProbe.ok, at: h.lastProbe.at, latencyMs: h.lastProbe.latencyMs },
      },
    }
  })
}
