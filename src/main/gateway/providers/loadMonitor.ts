// Watches what local backends say about their own load: vLLM's Prometheus gauges (requests
// running and waiting, KV-cache usage and size, sleep state), Ollama's loaded models (/api/ps) and
// LM Studio's (/api/v0/models, tried once on OpenAI-compatible servers on this machine or the LAN).
// Snapshots carry the time they were taken and, when the owner passes `mark`, its own request
// counters at that moment, so the router can add what it sent and saw finish since (a report a
// second old must not make a backend look idle after we sent it ten requests). Anything older
// than a few intervals is treated as unknown, so a backend that stopped answering falls back to
// what Switchyard counts itself instead of stale numbers.
import { BackendClient } from './backendClient'
import { loadUrl, sameTarget, type BackendTarget } from './backendTarget'
import { isOllamaModelLoaded, parseOllamaPs, withoutLatest, type OllamaLoadedModel } from './ollamaNative'
import { PeriodicTasks } from './periodicTasks'
import { vllmLoadFromMetrics } from './prometheus'

export type LoadSnapshot =
  | {
      kind: 'vllm'
      takenAt: number
      running: number
      waiting: number
      kvCacheUsage?: number
      models: string[]
      cacheCapacityTokens?: number
      awake?: boolean
      mark?: LoadMark
    }
  | { kind: 'ollama'; takenAt: number; loaded: OllamaLoadedModel[] }
  | { kind: 'lmstudio'; takenAt: number; models: Array<{ id: string; loaded: boolean }> }

export interface LoadStatus {
  providerId: string
  snapshot?: LoadSnapshot
  lastError?: { message: string; at: number }
}

/** A fresh load report and the counters it is to be corrected against. */
export interface LoadReading {
  load: BackendLoad
  mark?: LoadMark
  takenAt: number
}

export interface LoadMonitorOptions {
  client?: BackendClient
  /** How often each backend is read; default 1 s. */
  intervalMs?: number
  timeoutMs?: number
  /** Older snapshots are ignored; default three intervals. */
  staleAfterMs?: number
  now?: () => number
  random?: () => number
  /** The owner's request counters for a provider, captured when a read starts. */
  mark?: (providerId: string) => LoadMark
  /** Called with every new snapshot. */
  onSnapshot?: (providerId: string, snapshot: LoadSnapshot) => void
}

export class LoadMonitor {
  private clientInstance?: BackendClient
  private readonly ownsClient: boolean
  private tasks: PeriodicTasks
  private readonly targets = new Map<string, BackendTarget>()
  private readonly status = new Map<string, LoadStatus>()
  private readonly now: () => number
  private readonly timeoutMs: number
  private intervalMs: number
  private readonly fixedStaleAfterMs?: number

  constructor(private readonly opts: LoadMonitorOptions = {}) {
    this.clientInstance = opts.client
    this.ownsClient = opts.client === undefined
    this.intervalMs = opts.intervalMs ?? 1_000
    this.tasks = this.newTasks()
    this.now = opts.now ?? Date.now
    this.timeoutMs = opts.timeoutMs ?? 1_000
    this.fixedStaleAfterMs = opts.staleAfterMs
  }

  /** Made on the first read: a monitor that is only fed (acceptMetrics) never opens one. */
  private get client(): BackendClient {
    return (this.clientInstance ??= new BackendClient({ connectTimeoutMs: 1_000 }))
  }

  get staleAfterMs(): number {
    return this.fixedStaleAfterMs ?? this.intervalMs * 3
  }

  /** Changes how often backends are read (config `routing.loadIntervalMs`); restarts the schedule. */
  setIntervalMs(ms: number): void {
    if (ms === this.intervalMs) return
    this.intervalMs = ms
    this.tasks.close()
    this.tasks = this.newTasks()
    for (const id of this.targets.keys()) this.tasks.set(id, () => this.update(id))
  }

  /** Called on start and on every config change; only targets that report load are watched. */
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
    const mark = this.opts.mark?.(providerId)
    try {
      const snapshot = await this.read(target, url)
      if (this.targets.get(providerId) !== target) return // config changed meanwhile
      this.store(providerId, snapshot.kind === 'vllm' && mark ? { ...snapshot, mark } : snapshot)
    } catch (err) {
      if (this.targets.get(providerId) !== target) return
      const prev = this.status.get(providerId)
      this.status.set(providerId, { providerId, snapshot: prev?.snapshot, lastError: { message: (err as Error).message, at: this.now() } })
      // An OpenAI-compatible server that has no LM Studio API will not grow one: stop asking.
      if (target.kind === 'openai-compatible' && !prev?.snapshot) this.tasks.delete(providerId)
    }
  }

  /**
   * Takes a vLLM /metrics page read at `takenAt` (the simulator feeds pages this way; reads from
   * the network come through here too). Returns false when the page has no vLLM gauges.
   */
  acceptMetrics(providerId: string, text: string, takenAt = this.now(), mark = this.opts.mark?.(providerId)): boolean {
    const load = vllmLoadFromMetrics(text)
    if (!load) return false
    this.store(providerId, { kind: 'vllm', takenAt, ...load, ...(mark ? { mark } : {}) })
    return true
  }

  private store(providerId: string, snapshot: LoadSnapshot): void {
    this.status.set(providerId, { providerId, snapshot })
    this.opts.onSnapshot?.(providerId, snapshot)
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

  /** What the least-load strategy reads (see `StrategyContext.load`), as the backend reported it. */
  load(providerId: string, model: string, now = this.now()): BackendLoad | undefined {
    return this.reading(providerId, model, now)?.load
  }

  /** The backend's fresh report with the counters to correct it against. */
  reading(providerId: string, model: string, now = this.now()): LoadReading | undefined {
    const snap = this.snapshot(providerId, now)
    if (!snap) return undefined
    if (snap.kind === 'vllm') {
      const load: BackendLoad = { running: snap.running, waiting: snap.waiting, kvCacheUsage: snap.kvCacheUsage }
      if (snap.awake !== undefined) load.modelLoaded = snap.awake
      if (snap.cacheCapacityTokens !== undefined) load.cacheCapacityTokens = snap.cacheCapacityTokens
      return { load, mark: snap.mark, takenAt: snap.takenAt }
    }
    if (snap.kind === 'lmstudio') {
      const wanted = withoutLatest(model)
      const entry = snap.models.find((m) => m.id === model || m.id === wanted)
      return entry ? { load: { modelLoaded: entry.loaded }, takenAt: snap.takenAt } : undefined
    }
    return { load: { modelLoaded: isOllamaModelLoaded(snap.loaded, model, now) }, takenAt: snap.takenAt }
  }

  statuses(): LoadStatus[] {
    return [...this.status.values()].map((s) => ({ ...s }))
  }

  async close(): Promise<void> {
    this.tasks.close()
    this.targets.clear()
    if (this.ownsClient) await this.clientInstance?.close()
  }

  private newTasks(): PeriodicTasks {
    return new PeriodicTasks({ intervalMs: this.intervalMs, jitter: 0.1, firstDelayMs: 0, random: this.opts.random })
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
    if (target.kind === 'openai-compatible') return { kind: 'lmstudio', takenAt: this.now(), models: parseLmStudioModels(json) }
    return { kind: 'ollama', takenAt: this.now(), loaded: parseOllamaPs(json) }
  }
}

/** What a backend reports about itself (see LoadMonitor); any part may be unknown. */
export interface BackendLoad {
  running?: number
  waiting?: number
  /** 0..1 */
  kvCacheUsage?: number
  /** Ollama: the requested model is already in memory; vLLM: the engine is awake (not in sleep mode). */
  modelLoaded?: boolean
  /** vLLM: KV-cache size in tokens (cache_config_info: num_gpu_blocks × block_size). */
  cacheCapacityTokens?: number
}

/** LM Studio's GET /api/v0/models: `{ data: [{ id, state: "loaded" | "not-loaded", ... }] }`. */
export function parseLmStudioModels(json: unknown): Array<{ id: string; loaded: boolean }> {
  const data = (json as { data?: unknown } | null)?.data
  if (!Array.isArray(data)) throw new TypeError('/api/v0/models: no "data" array')
  const out: Array<{ id: string; loaded: boolean }> = []
  for (const m of data) {
    const r = (typeof m === 'object' && m !== null ? m : {}) as Record<string, unknown>
    if (typeof r.id !== 'string' || typeof r.state !== 'string') continue
    out.push({ id: r.id, loaded: r.state === 'loaded' })
  }
  if (data.length > 0 && out.length === 0) throw new TypeError('/api/v0/models: not LM Studio (no model states)')
  return out
}

/** Counters captured when a backend's load was read, to correct the report for what happened since. */
export interface LoadMark {
  dispatched: number
  completed: number
}
