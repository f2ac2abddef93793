// An in-memory UiClient for component tests: a tiny gateway with a config, providers, status,
// stats, usage rows, a request log and app keys. Every operation is a vi.fn, so tests can both
// drive the UI and check what it asked for.
import { vi } from 'vitest'
import type {
  ApiEvents,
  AppKeyView,
  DesktopSettings,
  DesktopSettingsPatch,
  DiscoveredServer,
  EventName,
  GatewayStatus,
  ProviderStats,
  ProviderView,
  RequestLogEntry,
  RouteInsight,
  StatsSnapshot,
  ToolId,
  ToolView,
  TeamStatusView,
  UpdateStatus,
  UsageRow,
} from '../../../src/shared/api'
import { parseConfig, parseProvider, SECRET_MASK, type Config, type ProviderInput } from '../../../src/shared/config'
import { ApiClientError, type UiClient } from '../../../src/renderer/src/api/types'
import type { HistoryPoint } from '../../../src/shared/statsHistory'

export function provider(id: string, over: Partial<ProviderView> = {}): ProviderView {
  return { id, name: id, kind: 'openai-compatible', baseUrl: `http://127.0.0.1:9/${id}/v1`, enabled: true, active: false, keySet: false, models: [], discoveredModels: [], weight: 1, ...over }
}

export function providerStats(over: Partial<ProviderStats> = {}): ProviderStats {
  return {
    requests: 0,
    inFlight: 0,
    errors: 0,
    queued: 0,
    rpm: { used: 0 },
    tpm: { used: 0 },
    latencyMs: { p50: 0, p95: 0 },
    queueWaitMs: { p50: 0, p95: 0 },
    admitted: 0,
    rejected: 0,
    ...over,
  }
}

export function snapshot(over: Partial<StatsSnapshot> = {}): StatsSnapshot {
  return { at: 1000, uptimeMs: 5000, requestsTotal: 0, errorsTotal: 0, inFlight: 0, requestsPerSec: 0, tokensPerMin: 0, errorRate: 0, latencyMs: { p50: 0, p95: 0 }, providers: {}, ...over }
}

export function logEntry(over: Partial<RequestLogEntry> = {}): RequestLogEntry {
  return {
    requestId: `req-${Math.random().toString(36).slice(2)}`,
    ts: Date.now(),
    app: 'aider',
    provider: 'a',
    routeModel: 'm',
    upstreamModel: 'm',
    endpoint: '/v1/chat/completions',
    stream: false,
    status: 200,
    state: 'ok',
    promptTokens: 5,
    completionTokens: 3,
    cachedTokens: 0,
    cacheCreationTokens: 0,
    reasoningTokens: 0,
    costUsd: 0,
    latencyMs: 12,
    ttftMs: null,
    attempts: 1,
    errorClass: null,
    estimated: false,
    ...over,
  }
}

export interface FakeOptions {
  providers?: ProviderView[]
  activeProvider?: string
  stats?: StatsSnapshot
  /** Stored provider configs (getConfig); derived from `providers` when absent. */
  config?: Config
  usage?: (query: { from?: string; to?: string; groupBy?: string }) => UsageRow[]
  requests?: RequestLogEntry[]
  tools?: ToolView[]
  history?: HistoryPoint[]
  desktop?: DesktopSettings
  update?: UpdateStatus
  routeInsights?: RouteInsight[]
  team?: TeamStatusView
}

function configFrom(providers: ProviderView[], activeProvider: string | undefined): Config {
  const parsed = parseConfig({
    version: 1,
    activeProvider: providers.some((p) => p.id === activeProvider) ? activeProvider : undefined,
    providers: providers.map((p) => ({ id: p.id, name: p.name === p.id ? undefined : p.name, kind: p.kind, baseUrl: p.baseUrl, enabled: p.enabled, weight: p.weight, models: p.models, ...(p.keySet ? { apiKey: SECRET_MASK } : {}) })),
  })
  if (!parsed.ok) throw new Error(parsed.errors.join('; '))
  return parsed.config
}

export function fakeClient(initial: FakeOptions = {}) {
  let providers = initial.providers ?? []
  let activeProvider = initial.activeProvider
  let config = initial.config ?? configFrom(providers, activeProvider)
  let paused = false
  const stats = initial.stats ?? snapshot()
  let apps: AppKeyView[] = []
  let tools: ToolView[] = initial.tools ?? []
  let desktop: DesktopSettings = initial.desktop ?? { available: false, notices: [] }
  const update: UpdateStatus = initial.update ?? { state: 'unsupported', currentVersion: '1.2.3', channel: 'stable' }
  const listeners: { [E in EventName]: Set<(p: ApiEvents[E]) => void> } = { stats: new Set(), status: new Set(), update: new Set() }
  const status = (): GatewayStatus => ({
    state: paused ? 'paused' : 'listening',
    url: 'http://127.0.0.1:7171',
    host: '127.0.0.1',
    port: 7171,
    version: '1.2.3',
    activeProvider,
    dataDir: '/home/me/.config/Switchyard',
  })
  const view = (p: ProviderView): ProviderView => ({ ...p, active: p.id === activeProvider })

  const client = {
    transport: 'http' as const,
    getStatus: vi.fn(async () => status()),
    setPaused: vi.fn(async ({ paused: next }: { paused: boolean }) => {
      paused = next
      emit('status', status())
      return status()
    }),
    getConfig: vi.fn(async () => structuredClone(config)),
    replaceConfig: vi.fn(async (next: unknown) => {
      const parsed = parseConfig(next)
      if (!parsed.ok) throw new ApiClientError('invalid_argument', `invalid config: ${parsed.errors.join('; ')}`)
      config = parsed.config
      return structuredClone(config)
    }),
    listProviders: vi.fn(async () => ({ items: providers.map(view) })),
    upsertProvider: vi.fn(async ({ id, provider: input }: { id: string; provider: ProviderInput }) => {
      const parsed = parseProvider({ ...input, id })
      if (!parsed.ok) throw new ApiClientError('invalid_argument', `invalid provider: ${parsed.errors.join('; ')}`)
      const p = parsed.provider
      const next: ProviderView = provider(id, { name: p.name ?? id, kind: p.kind, baseUrl: p.baseUrl, enabled: p.enabled, weight: p.weight, models: p.models, keySet: p.apiKey !== undefined })
      providers = providers.some((x) => x.id === id) ? providers.map((x) => (x.id === id ? next : x)) : [...providers, next]
      const stored = { ...p, apiKey: p.apiKey === undefined ? undefined : SECRET_MASK }
      config = { ...config, providers: config.providers.some((x) => x.id === id) ? config.providers.map((x) => (x.id === id ? stored : x)) : [...config.providers, stored] }
      return view(next)
    }),
    removeProvider: vi.fn(async ({ id }: { id: string }) => {
      providers = providers.filter((p) => p.id !== id)
      config = { ...config, providers: config.providers.filter((p) => p.id !== id) }
      return { items: providers.map(view) }
    }),
    testProvider: vi.fn(async ({ id }: { id: string }) => ({ ok: true, latencyMs: 12, models: [`${id}-model`] })),
    testProviderDraft: vi.fn(async (draft: ProviderInput) => ({ ok: true, latencyMs: 7, models: [`${draft.id}-model`, `${draft.id}-big`] })),
    discoverModels: vi.fn(async () => ({ models: [] })),
    setActiveProvider: vi.fn(async ({ id }: { id: string }) => {
      if (!providers.some((p) => p.id === id)) throw new ApiClientError('not_found', `no provider with id "${id}"`)
      activeProvider = id
      emit('status', status())
      return status()
    }),
    resolveModel: vi.fn(async ({ model }: { model: string }) => ({
      model,
      via: 'active' as const,
      strategy: 'failover' as const,
      candidates: activeProvider ? [{ provider: activeProvider, upstreamModel: model, available: true }] : [],
    })),
    getRouteInsights: vi.fn(async () => ({ items: initial.routeInsights ?? [] })),
    getToolModels: vi.fn(async () => ({
      enabled: true,
      tiers: { large: 'qwen2.5-coder:32b', default: 'qwen2.5-coder:7b', small: 'llama3.2:3b' },
      configuredTiers: {},
      rules: [{ match: 'claude-*haiku*', tier: 'small' as const, custom: false }],
      samples: [{ name: 'claude-3-5-haiku-latest', model: 'llama3.2:3b', provider: 'ollama', tier: 'small' as const, rule: 'claude-*haiku*' }],
      available: ['llama3.2:3b', 'qwen2.5-coder:32b', 'qwen2.5-coder:7b'],
      activeProvider,
    })),
    getTeamStatus: vi.fn(async (): Promise<TeamStatusView> => initial.team ?? { backend: 'embedded', up: true, instances: [], providers: [] }),
    getStats: vi.fn(async () => stats),
    getStatsHistory: vi.fn(async () => ({ points: initial.history ?? [] })),
    getUsage: vi.fn(async (query: { from?: string; to?: string; groupBy?: string }) => ({ rows: initial.usage?.(query) ?? [] })),
    getTodayUsage: vi.fn(async () => ({ day: '2026-05-01', requests: 0, promptTokens: 0, completionTokens: 0, totalTokens: 0, costUsd: 0, providers: {} })),
    exportUsage: vi.fn(async ({ format }: { format: 'csv' | 'json' }) => ({ filename: `switchyard-usage-2026-05-01.${format}`, contentType: format === 'csv' ? 'text/csv' : 'application/json', body: 'requestId,provider\nr1,a\n' })),
    listRequests: vi.fn(async (_query?: unknown) => ({ items: initial.requests ?? [] })),
    getRequestFacets: vi.fn(async () => ({ apps: ['aider'], providers: ['a'], models: ['m'], endpoints: ['/v1/chat/completions'] })),
    listApps: vi.fn(async () => ({ items: apps })),
    createApp: vi.fn(async ({ name }: { name: string }) => {
      if (apps.some((a) => a.name === name)) throw new ApiClientError('conflict', `an app named "${name}" exists`)
      apps = [...apps, { name, prefix: 'sy-abcd', createdAt: Date.now(), priority: 'normal' }]
      return { name, key: `sy-abcd${'x'.repeat(28)}` }
    }),
    revokeApp: vi.fn(async ({ name }: { name: string }) => {
      apps = apps.filter((a) => a.name !== name)
      return { items: apps }
    }),
    getDiscovery: vi.fn(async () => ({ scanning: false, items: [] as DiscoveredServer[] })),
    scanDiscovery: vi.fn(async () => ({ scanning: false, scannedAt: 1, ports: [11434], items: [] as DiscoveredServer[] })),
    addDiscovered: vi.fn(async ({ baseUrl }: { baseUrl: string }) => ({ provider: provider('ollama', { baseUrl }), active: true })),
    listTools: vi.fn(async () => ({ items: tools })),
    connectTool: vi.fn(async ({ id, model }: { id: ToolId; model?: string }) => {
      const t = tools.find((x) => x.id === id)!
      const next: ToolView = { ...t, connection: 'connected', appName: id, canRestore: t.mode === 'file', model: t.usesModel ? model : undefined }
      tools = tools.map((x) => (x.id === id ? next : x))
      return t.mode === 'manual' ? { tool: next, key: `sy-${'t'.repeat(32)}` } : { tool: next, backupPath: `/data/tools/backups/${id}` }
    }),
    restoreTool: vi.fn(async ({ id }: { id: ToolId }) => {
      const t = tools.find((x) => x.id === id)!
      const next: ToolView = { ...t, connection: 'none', appName: undefined, canRestore: false }
      tools = tools.map((x) => (x.id === id ? next : x))
      return next
    }),
    getDesktopSettings: vi.fn(async () => desktop),
    updateDesktopSettings: vi.fn(async (patch: DesktopSettingsPatch) => {
      desktop = { ...desktop, ...patch }
      return desktop
    }),
    getUpdateStatus: vi.fn(async () => update),
    checkForUpdates: vi.fn(async () => update),
    installUpdate: vi.fn(async () => update),
    on: vi.fn(<E extends EventName>(event: E, listener: (p: ApiEvents[E]) => void) => {
      listeners[event].add(listener as never)
      return () => listeners[event].delete(listener as never)
    }),
  }

  function emit<E extends EventName>(event: E, payload: ApiEvents[E]): void {
    for (const l of listeners[event]) (l as (p: ApiEvents[E]) => void)(payload)
  }

  return {
    client: client as unknown as UiClient & typeof client,
    emit,
    status,
    config: () => config,
    listenerCount: (event: EventName) => listeners[event].size,
    setProviders: (next: ProviderView[]) => (providers = next),
  }
}
