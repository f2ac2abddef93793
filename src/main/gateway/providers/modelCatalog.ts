// The models each provider serves: what the backend reports (refreshed at start, every 60 s and
// on config change) plus the configured `models`. A failed refresh keeps the last good list, so
// a backend restarting for a few seconds does not make its models unroutable.
import type { ProviderRuntime } from './providerRuntime'
import { servedModels } from './providerRuntime'
import { BackendClient } from './backendClient'
import { backendTargetOf, sameTarget, type BackendTarget } from './backendTarget'
import { discoverModelDetails } from './discovery'
import { PeriodicTasks } from './periodicTasks'

export interface CatalogTarget extends BackendTarget {
  /** Configured `models`: always served, discovered or not. */
  configuredModels: readonly string[]
  enabled?: boolean
}

/** The catalog's view of a configured provider. */
export function catalogTargetOf(provider: ProviderRuntime): CatalogTarget {
  return { ...backendTargetOf(provider), configuredModels: servedModels(provider.config), enabled: provider.config.enabled }
}

export interface DiscoveryStatus {
  providerId: string
  discovered: string[]
  /** Context window per model, where the backend reports it (vLLM). */
  contextLength?: Record<string, number>
  /** Epoch ms of the last successful refresh. */
  fetchedAt?: number
  lastError?: { message: string; at: number }
}

export interface ModelCatalogOptions {
  client?: BackendClient
  /** Default 60 s. */
  intervalMs?: number
  /** Default 10 s. */
  timeoutMs?: number
  now?: () => number
  random?: () => number
  /** Called after a provider's discovered list changed (rebuild model owners). */
  onChange?: (providerId: string, models: string[]) => void
}

export class ModelCatalog {
  private generation = 0
  private readonly client: BackendClient
  private readonly ownsClient: boolean
  private readonly tasks: PeriodicTasks
  private readonly targets = new Map<string, CatalogTarget>()
  private readonly status = new Map<string, DiscoveryStatus>()
  private readonly timeoutMs: number
  private readonly now: () => number
  /** model -> provider ids, rebuilt lazily after any change. */
  private index?: Map<string, string[]>

  constructor(private readonly opts: ModelCatalogOptions = {}) {
    this.client = opts.client ?? new BackendClient()
    this.ownsClient = opts.client === undefined
    // First refresh right away (start / config change), then every interval.
    this.tasks = new PeriodicTasks({ intervalMs: opts.intervalMs ?? 60_000, jitter: 0.1, firstDelayMs: 0, random: opts.random })
    this.timeoutMs = opts.timeoutMs ?? 10_000
    this.now = opts.now ?? Date.now
  }

  /** Call on start and on every config change: new or changed providers are refreshed at once. */
  setTargets(targets: Iterable<CatalogTarget>): void {
    const wanted = new Map<string, CatalogTarget>()
    for (const t of targets) if (t.enabled !== false) wanted.set(t.id, t)
    for (const id of [...this.targets.keys()]) {
      if (wanted.has(id)) continue
      this.targets.delete(id)
      this.status.delete(id)
      this.tasks.delete(id)
      this.index = undefined
      this.generation++
    }
    for (const [id, target] of wanted) {
      const old = this.targets.get(id)
      this.targets.set(id, target) // configured models may change without a refetch
      this.index = undefined
      this.generation++
      if (old && sameTarget(old, target)) continue
      if (!old) this.status.set(id, { providerId: id, discovered: [] })
      this.tasks.set(id, () => this.update(id))
    }
  }

  /** Refreshes one provider (or all) now, joining a refresh in progress; failures are kept in the status, never thrown. */
  async refresh(providerId?: string): Promise<void> {
    if (providerId === undefined) {
      await Promise.all([...this.targets.keys()].map((id) => this.refresh(id)))
      return
    }
    await this.tasks.runNow(providerId)
  }

  private async update(providerId: string): Promise<void> {
    const target = this.targets.get(providerId)
    if (!target) return
    const prev = this.status.get(providerId) ?? { providerId, discovered: [] }
    try {
      const { models, contextLength } = await discoverModelDetails(this.client, target, this.timeoutMs)
      if (!this.isCurrent(providerId, target)) return
      const changed = !sameList(prev.discovered, models)
      this.status.set(providerId, { providerId, discovered: models, contextLength, fetchedAt: this.now() })
      if (changed) {
        this.index = undefined
        this.generation++
        this.opts.onChange?.(providerId, models)
      }
    } catch (err) {
      if (!this.isCurrent(providerId, target)) return
      this.status.set(providerId, { ...prev, lastError: { message: (err as Error).message, at: this.now() } })
    }
  }

  /** Changes whenever a provider's model list does (resolution caches key on it). */
  get version(): number {
    return this.generation
  }

  /** The model's context window on that provider, if the backend reported it. */
  contextLength(providerId: string, model: string): number | undefined {
    return this.status.get(providerId)?.contextLength?.[model]
  }

  /** Configured plus discovered models of a provider. */
  models(providerId: string): string[] {
    const target = this.targets.get(providerId)
    const discovered = this.status.get(providerId)?.discovered ?? []
    return [...new Set([...(target?.configuredModels ?? []), ...discovered])]
  }

  /** Providers (in the order they were given) that serve `model`, configured or discovered. */
  providersFor(model: string): readonly string[] {
    if (!this.index) {
      const index = new Map<string, string[]>()
      for (const id of this.targets.keys()) {
        for (const m of this.models(id)) {
          const owners = index.get(m)
          if (owners) owners.push(id)
          else index.set(m, [id])
        }
      }
      this.index = index
    }
    return this.index.get(model) ?? []
  }

  /** Every model name served by some provider. */
  allModels(): string[] {
    const names = new Set<string>()
    for (const id of this.targets.keys()) for (const m of this.models(id)) names.add(m)
    return [...names].sort()
  }

  statuses(): DiscoveryStatus[] {
    return [...this.status.values()].map((s) => ({ ...s, discovered: [...s.discovered] }))
  }

  async close(): Promise<void> {
    this.tasks.close()
    this.targets.clear()
    if (this.ownsClient) await this.client.close()
  }

  private isCurrent(providerId: string, target: CatalogTarget): boolean {
    const now = this.targets.get(providerId)
    return now !== undefined && sameTarget(now, target)
  }
}

function sameList(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i])
}
