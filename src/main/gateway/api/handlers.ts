// The app API implemented once against the gateway; IPC (Electron) and the web bridge
// (headless) both call these. Failures are ApiFailures with a stable code and a safe message.
import type { ApiHandlers, GatewayStatus, StatsSnapshot } from '../../../shared/api'
import type { HistoryPoint } from '../../../shared/statsHistory'
import type { Admission } from '../admission/admission'
import type { BackendClient } from '../providers/backendClient'
import type { Router } from '../routing/router'
import type { Runtime } from '../runtime/runtime'
import type { ConfigStore, SecretResolver } from '../common/types'
import type { UsageService } from '../usage/usageService'
import type { ToolConnector } from '../toolConnect/connector'
import type { StateStore } from '../state/stateStore'
import { ApiFailure } from './apiFailure'
import { createTeamHandlers } from './teamHandlers'
import { createConfigHandlers } from './configHandlers'
import { createProviderHandlers } from './providerHandlers'
import { createRouteHandlers } from './routeHandlers'
import { createToolHandlers } from './toolHandlers'
import { createToolModelHandlers } from './toolModelHandlers'
import { createDiscoveryHandlers } from './discoveryHandlers'
import type { DiscoveryScanner } from '../discovery/scanner'
import { createUsageHandlers } from './usageHandlers'

export { ApiFailure } from './apiFailure'
export { providerViews } from './configHandlers'

export interface HandlerDeps {
  configStore: ConfigStore
  secrets: SecretResolver
  status(): GatewayStatus
  setPaused(paused: boolean): void
  stats(): StatsSnapshot
  /** The last minutes of stats points, oldest first. */
  statsHistory?(): HistoryPoint[]
  router: Router
  admission: Admission
  usage: UsageService
  state: StateStore
  runtime(): Runtime
  backendClient(): BackendClient
  tools: ToolConnector
  discovery: DiscoveryScanner
}

export function createApiHandlers(deps: HandlerDeps): ApiHandlers {
  const { configStore } = deps
  const config = createConfigHandlers(deps)
  return {
    ...config,
    ...createDiscoveryHandlers({ configStore, discovery: deps.discovery, upsertProvider: config.upsertProvider }),
    ...createProviderHandlers(deps),
    ...createUsageHandlers(deps),
    ...createRouteHandlers(deps),
    ...createToolHandlers(deps),
    ...createToolModelHandlers(deps),
    ...createTeamHandlers(deps),
    async getStatus() {
      return deps.status()
    },
    async setPaused({ paused }) {
      deps.setPaused(paused)
      return deps.status()
    },
    async setActiveProvider({ id }) {
      const config = configStore.get()
      if (!config.providers.some((p) => p.id === id)) throw new ApiFailure('not_found', `no provider with id "${id}"`)
      if (config.activeProvider !== id) await configStore.replace({ ...config, activeProvider: id })
      return deps.status()
    },
    async getStats() {
      return deps.stats()
    },
    async getStatsHistory() {
      return { points: deps.statsHistory?.() ?? [] }
    },
    // The desktop app replaces these two (src/main/app/desktopSettings.ts); a headless host has no such settings.
    async getDesktopSettings() {
      return { available: false, notices: [] }
    },
    async updateDesktopSettings() {
      throw new ApiFailure('invalid_argument', 'launch at login and notifications are settings of the Switchyard desktop app')
    },
    // Self-update is the desktop app's (src/main/app/updater.ts); a server is updated by its package manager.
    async getUpdateStatus() {
      return { state: 'unsupported', reason: 'the headless gateway is updated with npm, not by itself', currentVersion: deps.status().version, channel: 'stable' }
    },
    async checkForUpdates() {
      throw new ApiFailure('invalid_argument', 'self-update is part of the Switchyard desktop app')
    },
    async installUpdate() {
      throw new ApiFailure('invalid_argument', 'self-update is part of the Switchyard desktop app')
    },
  }
}
