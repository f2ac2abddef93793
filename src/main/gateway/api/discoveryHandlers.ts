// Local servers found on this machine: the last scan, a new scan, and adding one as a provider.
import type { ApiHandlers } from '../../../shared/api'
import type { ConfigStore } from '../common/types'
import { providerFor, type DiscoveryScanner } from '../discovery/scanner'
import { ApiFailure } from './apiFailure'

type DiscoveryHandlers = Pick<ApiHandlers, 'getDiscovery' | 'scanDiscovery' | 'addDiscovered'>

export function createDiscoveryHandlers(deps: { configStore: ConfigStore; discovery: DiscoveryScanner; upsertProvider: ApiHandlers['upsertProvider'] }): DiscoveryHandlers {
  const { configStore, discovery } = deps
  return {
    async getDiscovery() {
      return discovery.view(configStore.get())
    },
    async scanDiscovery() {
      return discovery.scan(configStore.get())
    },
    async addDiscovered({ baseUrl }) {
      const config = configStore.get()
      const server = discovery.view(config).items.find((s) => s.baseUrl === baseUrl)
      if (!server) throw new ApiFailure('not_found', `no server was found at ${baseUrl}; scan again`)
      if (server.configuredAs) throw new ApiFailure('conflict', `${server.server} at ${baseUrl} is already the provider "${server.configuredAs}"`)
      const draft = providerFor(server, new Set(config.providers.map((p) => p.id)))
      const provider = await deps.upsertProvider({ id: draft.id, provider: { ...draft, models: [] } })
      return { provider, active: configStore.get().activeProvider === draft.id }
    },
  }
}
