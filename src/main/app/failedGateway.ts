// What stands in for the gateway when it could not be built (SQLite addon missing, usage.db
// unreadable, config store unopenable): the tray and the dashboard keep working against it.
// Status says `error` with the failure and its fix; the config operations work on the config
// store when there is one (so the dashboard can repair the config), reads of live data answer
// empty, and everything that needs a running gateway fails with the same explanation.
import type { ApiHandlers, GatewayStatus, StatsSnapshot, TodayUsage } from '../../shared/api'
import { defaultConfig } from '../../shared/config'
import { ApiFailure } from '../gateway'
import { createConfigHandlers } from '../gateway'
import { EventHub } from '../gateway'
import type { Gateway } from '../gateway'
import type { Router } from '../gateway'
import type { ConfigStore } from '../gateway'
import { failureLine, type StartupFailure } from './startupFailure'

export type HostGateway = Pick<Gateway, 'api' | 'events' | 'status' | 'setPaused'>

export interface FailedGatewayOptions {
  failure: StartupFailure
  /** Absent when the config store itself could not be opened. */
  configStore?: ConfigStore
  version: string
  dataDir: string
  now?: () => number
}

/** Provider views without health: there is no router. */
const NO_ROUTER = { status: () => [], catalog: undefined } as unknown as Router

export function createFailedGateway(opts: FailedGatewayOptions): HostGateway {
  const events = new EventHub()
  const now = opts.now ?? Date.now
  const started = now()
  const explanation = `the gateway is not running: ${opts.failure.summary}. ${opts.failure.fix}`
  const unavailable = async (): Promise<never> => {
    throw new ApiFailure('conflict', explanation)
  }
  const status = (): GatewayStatus => {
    const config = opts.configStore?.get() ?? defaultConfig()
    return {
      state: 'error',
      host: config.server.host,
      port: config.server.port,
      error: failureLine(opts.failure),
      activeProvider: config.activeProvider,
      version: opts.version,
      dataDir: opts.dataDir,
    }
  }
  const store = opts.configStore
  const configOps: Pick<ApiHandlers, 'getConfig' | 'replaceConfig' | 'listProviders' | 'upsertProvider' | 'removeProvider'> = store
    ? createConfigHandlers({ configStore: store, router: NO_ROUTER })
    : { getConfig: unavailable, replaceConfig: unavailable, listProviders: async () => ({ items: [] }), upsertProvider: unavailable, removeProvider: unavailable }
  if (store) store.subscribe(() => events.emit('status', status()))

  const emptyStats = (): StatsSnapshot => ({
    at: now(),
    uptimeMs: now() - started,
    requestsTotal: 0,
    errorsTotal: 0,
    inFlight: 0,
    requestsPerSec: 0,
    tokensPerMin: 0,
    errorRate: 0,
    latencyMs: { p50: 0, p95: 0 },
    providers: {},
  })
  const zero = { requests: 0, promptTokens: 0, completionTokens: 0, totalTokens: 0, costUsd: 0 }
  const api: ApiHandlers = {
    ...configOps,
    getStatus: async () => status(),
    setPaused: unavailable,
    async setActiveProvider({ id }) {
      if (!store) return unavailable()
      const config = store.get()
      if (!config.providers.some((p) => p.id === id)) throw new ApiFailure('not_found', `no provider with id "${id}"`)
      if (config.activeProvider !== id) await store.replace({ ...config, activeProvider: id })
      return status()
    },
    testProvider: unavailable,
    testProviderDraft: unavailable,
    discoverModels: unavailable,
    resolveModel: unavailable,
    getToolModels: unavailable,
    getStats: async () => emptyStats(),
    getStatsHistory: async () => ({ points: [] }),
    // Nothing was proxied, so nothing was used; the dashboard and the tray show empty totals.
    getUsage: async () => ({ rows: [] }),
    getTodayUsage: async (): Promise<TodayUsage> => ({ day: new Date(now()).toISOString().slice(0, 10), ...zero, providers: {} }),
    exportUsage: unavailable,
    listRequests: async () => ({ items: [] }),
    getRouteInsights: async () => ({ items: [] }),
    getRequestFacets: async () => ({ apps: [], providers: [], models: [], endpoints: [] }),
    getTeamStatus: async () => ({ backend: 'embedded', up: true, instances: [], providers: [] }),
    listApps: async () => ({ items: [] }),
    createApp: unavailable,
    revokeApp: unavailable,
    getDiscovery: async () => ({ scanning: false, items: [] }),
    scanDiscovery: unavailable,
    addDiscovered: unavailable,
    // Connecting a tool needs app keys, which live in the usage database that did not open.
    listTools: async () => ({ items: [] }),
    connectTool: unavailable,
    restoreTool: unavailable,
    // The desktop app supplies these (settings, updater); here only so the table is complete.
    getDesktopSettings: async () => ({ available: false, notices: [] }),
    updateDesktopSettings: unavailable,
    getUpdateStatus: async () => ({ state: 'unsupported', currentVersion: opts.version, channel: 'stable' }),
    checkForUpdates: unavailable,
    installUpdate: unavailable,
  }
  return { api, events, status, setPaused: () => undefined }
}
