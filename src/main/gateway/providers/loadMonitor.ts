// Watches what local backends say about their own load: vLLM's Prometheus gauges (requests
// running and waiting, KV-cache usage) and Ollama's loaded models (/api/ps). Snapshots carry
// the time they were taken; anything older than a few intervals is treated as unknown, so a
// backend that stopped answering falls back to least-connections instead of stale numbers.
import { BackendClient } from './backendClient'
import { loadUrl, sameTarget, type BackendTarget } from './backendTarget'
import { isOllamaModelLoaded, parseOllamaPs, type OllamaLoadedModel } from './ollamaNative'
import { PeriodicTasks } from './periodicTasks'
import { vllmLoadFromMetrics } from './prometheus'

export type LoadSnapshot =
  | { kind: 'vllm'; takenAt: number; running: number; waiting: number; kvCacheUsage?: number; models: string[] }
  | { kind: 'ollama'; takenAt: number; loaded: OllamaLoadedModel[] }

export interface LoadStatus {
  providerId: string
  snapshot?: LoadSnapshot
  lastError?: { message: string; at: number }
}

export interface LoadMonitorOptions {
  client?: BackendClient
  /** How often each backend is read; default 1.5 s. */
  intervalMs?: number
  timeoutMs?: number
  /** Older snapshots are ignored; default three intervals. */
  staleAfterMs?: number
  now?: () => number
  random?: () => number
}

export class LoadMonitor {
  private readonly client: BackendClient
  private readonly ownsClient: boolean
  private readonly tasks: PeriodicTasks
  private readonly targets = new Map<string, BackendTarget>()
  private readonly status = new Map<string, LoadStatus>()
  private readonly now: () => number
  private readonly timeoutMs: number
  readonly staleAfterMs: number

  constructor(opts: LoadMonitorOptions = {}) {
    this.client = opts.client ?? new BackendClient({ connectTimeoutMs: 1_000 })
    this.ownsClient = opts.client === undefined
    const intervalMs = opts.intervalMs ?? 1_500
    this.tasks = new PeriodicTasks({ intervalMs, jitter: 0.1, firstDelayMs: 0, random: opts.random })
    this.now = opts.now ?? Date.now
    this.timeoutMs = opts.timeoutMs ?? 1_000
    this.staleAfterMs = opts.staleAfterMs ?? intervalMs * 3
  }

  /** Called on start and on every config change; only vLLM and Ollama targets are watched. */
  setTargets(targets: Iterable<BackendTarget>): void {
    const wanted = new Map<string, BackendTarget>()
    for (const t of targets) if (loadUrl(t) !== undefined) wanted.set(t.id, t)
    for (const id of [...this.targets.keys()]) {
      if (!wanted.has(id)) {
        this.targets.delete(id)
        this.status.delete(id)
        this.tasks.delete(id)
      }
    }
    for (const [id, target] of wanted) {
      const old = this.targets.get(id)
      if (old && sameTarget(old, target)) continue
      this.targets.set(id, target)
      this.status.set(id, { providerId: id })
      this.tasks.set(id, () => this.update(id))
    }
  }

  /** Reads one backend now (joining a read in progress); errors are kept in its status, never thrown. */
  async refresh(providerId: string): Promise<void> {
    await this.tasks.runNow(providerId)
  }

  private async update(providerId: string): Promise<void> {
    const target = this.targets.get(providerId)
    const url = target && loadUrl(target)
    if (!target || !url) return
    try {
      const snapshot = await this.read(target, url)
      if (this.targets.get(providerId) !== target) return // config changed meanwhile
      this.status.set(providerId, { providerId, snapshot })
    } catch (err) {
      if (this.targets.get(providerId) !== target) return
      const prev = this.status.get(providerId)
      this.status.set(providerId, { providerId, snapshot: prev?.snapshot, lastError: { message: (err as Error).message, at: this.now() } })
    }
  }

  async refreshAll(): Promise<void> {
    await Promise.all([...this.targets.keys()].map((id) => this.refresh(id)))
  }

  /** The fresh snapshot of a provider, or undefined when there is none or it is stale. */
  snapshot(providerId: string, now = this.now()): LoadSnapshot | undefined {
    const snap = this.status.get(providerId)?.snapshot
    if (!snap || now - snap.takenAt > this.staleAfterMs) return undefined
    return snap
  }

  /** What the least-load strategy reads (see `StrategyContext.load`). */
  load(providerId: string, model: string, now = this.now()): BackendLoad | undefined {
    const snap = this.snapshot(providerId, now)
    if (!snap) return undefined
    if (snap.kind === 'vllm') return { running: snap.running, waiting: snap.waiting, kvCacheUsage: snap.kvCacheUsage }
    return { modelLoaded: isOllamaModelLoaded(snap.loaded, model, now) }
  }

  statuses(): LoadStatus[] {
    return [...this.status.values()].map((s) => ({ ...s }))
  }

  async close(): Promise<void> {
    this.tasks.close()
    this.targets.clear()
    if (this.ownsClient) await this.client.close()
  }

  private async read(target: BackendTarget, url: string): Promise<LoadSnapshot> {
    if (target.kind === 'vllm') {
      const res = await this.client.get(url, { headers: target.headers, timeoutMs: this.timeoutMs, maxBytes: 4 * 1024 * 1024 })
      if (res.status !== 200) throw new Error(`/metrics answered ${res.status}`)
      const load = vllmLoadFromMetrics(res.body)
      if (!load) throw new Error('/metrics has no vllm:num_requests_* gauges')
      return { kind: 'vllm', takenAt: this.now(), ...load }
    }
    const { json } = await this.client.getJson(url, { headers: target.headers, timeoutMs: this.timeoutMs, maxBytes: 1024 * 1024 })
    return { kind: 'ollama', takenAt: this.now(), loaded: parseOllamaPs(json) }
  }
}

/** What a backend reports about itself (see LoadMonitor); any part may be unknown. */
export interface BackendLoad {
  running?: number
  waiting?: number
  /** 0..1 */
  kvCacheUsage?: number
  /** Ollama: the requested model is already in memory. */
  modelLoaded?: boolean
}
