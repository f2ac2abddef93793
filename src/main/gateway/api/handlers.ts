// The app API implemented once against the gateway; IPC (Electron) and the web bridge
// (headless) both call these. Failures are ApiFailures with a stable code and a safe message.
import type { ApiHandlers, GatewayStatus, ProviderView } from '../../../shared/api'
import { maskSecrets, parseConfig, restoreMaskedSecrets, type Config } from '../../../shared/config'
import type { LiveStats } from '../stats/liveStats'
import type { ConfigStore } from '../types'

export class ApiFailure extends Error {
  constructor(
    readonly code: 'invalid_argument' | 'not_found' | 'conflict' | 'internal',
    message: string,
  ) {
    super(message)
  }
}

export interface HandlerDeps {
  configStore: ConfigStore
  stats: LiveStats
  status(): GatewayStatus
}

export function createApiHandlers(deps: HandlerDeps): ApiHandlers {
  const { configStore, stats } = deps
  return {
    async getStatus() {
      return deps.status()
    },
    async getConfig() {
      return maskSecrets(configStore.get())
    },
    async replaceConfig(raw) {
      const parsed = parseConfig(raw)
      if (!parsed.ok) throw new ApiFailure('invalid_argument', `invalid config: ${parsed.errors.join('; ')}`)
      const next = restoreMaskedSecrets(parsed.config, configStore.get())
      await configStore.replace(next)
      return maskSecrets(next)
    },
    async listProviders() {
      return { items: providerViews(configStore.get()) }
    },
    async setActiveProvider({ id }) {
      const config = configStore.get()
      if (!config.providers.some((p) => p.id === id)) throw new ApiFailure('not_found', `no provider with id "${id}"`)
      if (config.activeProvider !== id) await configStore.replace({ ...config, activeProvider: id })
      return deps.status()
    },
    async getStats() {
      return stats.snapshot()
    },
  }
}

export function providerViews(config: Config): ProviderView[] {
  return config.providers.map((p) => ({
    id: p.id,
    name: p.name ?? p.id,
    kind: p.kind,
    baseUrl: p.baseUrl,
    enabled: p.enabled,
    active: config.activeProvider === p.id,
    keySet: p.apiKey !== undefined && p.apiKey !== '',
    models: p.models,
    defaultModel: p.defaultModel,
  }))
}
