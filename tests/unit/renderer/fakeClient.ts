// An in-memory UiClient for component tests: a tiny gateway with providers, status and stats.
import { vi } from 'vitest'
import type { ApiEvents, EventName, GatewayStatus, ProviderStats, ProviderView, StatsSnapshot } from '../../../src/shared/api'
import { ApiClientError, type UiClient } from '../../../src/renderer/src/api/types'

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

export function fakeClient(initial: { providers?: ProviderView[]; activeProvider?: string; stats?: StatsSnapshot } = {}) {
  let providers = initial.providers ?? []
  let activeProvider = initial.activeProvider
  const stats = initial.stats ?? snapshot()
  const listeners: { [E in EventName]: Set<(p: ApiEvents[E]) => void> } = { stats: new Set(), status: new Set() }
  const status = (): GatewayStatus => ({ state: 'listening', url: 'http://127.0.0.1:7171', host: '127.0.0.1', port: 7171, version: '1.2.3', activeProvider })

  const client = {
    transport: 'http' as const,
    getStatus: vi.fn(async () => status()),
    getConfig: vi.fn(async () => {
      throw new ApiClientError('internal', 'not in this fake')
    }),
    replaceConfig: vi.fn(async () => {
      throw new ApiClientError('internal', 'not in this fake')
    }),
    listProviders: vi.fn(async () => ({ items: providers.map((p) => ({ ...p, active: p.id === activeProvider })) })),
    setActiveProvider: vi.fn(async ({ id }: { id: string }) => {
      if (!providers.some((p) => p.id === id)) throw new ApiClientError('not_found', `no provider with id "${id}"`)
      activeProvider = id
      emit('status', status())
      return status()
    }),
    getStats: vi.fn(async () => stats),
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
    listenerCount: (event: EventName) => listeners[event].size,
    setProviders: (next: ProviderView[]) => (providers = next),
  }
}
