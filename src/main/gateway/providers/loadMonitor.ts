// Watches what local backends say about their own load, through their kind's load signal: a queue
// report (vLLM's Prometheus gauges, llama.cpp's /metrics or /slots: requests running and waiting,
// KV-cache usage and size, sleep state) or the models resident in memory (Ollama's /api/ps, LM
// Studio's /api/v0/models, tried once on OpenAI-compatible servers on this machine or the LAN).
// Snapshots carry the time they were taken and, when the owner passes `mark`, its own request
// counters at that moment, so the router can add what it sent and saw finish since (a report a
// second old must not make a backend look idle after we sent it ten requests). Anything older
// than a few intervals is treated as unknown, so a backend that stopped answering falls back to
// what Switchyard counts itself instead of stale numbers.
import type { LoadReport, LoadSignal, QueueReport, ResidentReport } from './adapter'
import { BackendClient } from './backendClient'
import { sameTarget, type BackendTarget } from './backendTarget'
import { sideGet } from './discovery'
import { vllmLoadFromMetrics } from './kinds/vllm/metrics'
import { withoutLatest } from './kinds/ollama/native'
import { PeriodicTasks } from './periodicTasks'
import { adapterFor } from './registry'

/** A load report as read at `takenAt`; queue reports carry the owner's counters of that moment. */
export type LoadSnapshot = (QueueReport & { takenAt: number; mark?: LoadMark }) | (ResidentReport & { takenAt: number })

/** A report of requests running and waiting (not of resident models). */
export function isQueueSnapshot(snapshot: LoadSnapshot): snapshot is QueueReport & { takenAt: number; mark?: LoadMark } {
  return 'running' in snapshot
}

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
  /** Each target's signal scratch space (which endpoint answered), reset when the target changes. */
  private readonly memos = new Map<string, Record<string, unknown>>()
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
    for (const t of targets) if (signalOf(t)?.url(t) !== undefined) wanted.set(t.id, t)
    for (const id of [...this.targets.keys()]) {
      if (!wanted.has(id)) {
        this.targets.delete(id)
        this.status.delete(id)
        this.memos.delete(id)
        this.tasks.delete(id)
      }
    }
    for (const [id, target] of wanted) {
      const old = this.targets.get(id)
      if (old && sameTarget(old, target)) continue
      this.targets.set(id, target)
      this.status.set(id, { providerId: id })
      this.memos.set(id, {})
      this.tasks.set(id, () => this.update(id))
    }
  }

  /** Reads one backend now (joining a read in progress); errors are kept in its status, never thrown. */
  async refresh(providerId: string): Promise<void> {
    await this.tasks.runNow(providerId)
  }

  private async update(providerId: string): Promise<void> {
    const target = this.targets.get(providerId)
    const signal = target && signalOf(target)
    if (!target || !signal) return
    const mark = this.opts.mark?.(providerId)
    try {
      const report = await signal.read(sideGet(this.client, target, this.timeoutMs, 1024 * 1024), target, this.memos.get(providerId) ?? {})
      if (this.targets.get(providerId) !== target) return // config changed meanwhile
      this.store(providerId, this.snapshotOf(report, mark))
    } catch (err) {
      if (this.targets.get(providerId) !== target) return
      const prev = this.status.get(providerId)
      this.status.set(providerId, { providerId, snapshot: prev?.snapshot, lastError: { message: (err as Error).message, at: this.now() } })
      // A server without the API a tentative signal tries (LM Studio's) will not grow one: stop asking.
      if (signal.tentative && !prev?.snapshot) this.tasks.delete(providerId)
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

  private snapshotOf(report: LoadReport, mark: LoadMark | undefined): LoadSnapshot {
    const takenAt = this.now()
    if ('running' in report) return mark ? { ...report, takenAt, mark } : { ...report, takenAt }
    return { ...report, takenAt }
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
    if (isQueueSnapshot(snap)) {
      const load: BackendLoad = { running: snap.running, waiting: snap.waiting, kvCacheUsage: snap.kvCacheUsage }
      if (snap.awake !== undefined) load.modelLoaded = snap.awake
      if (snap.cacheCapacityTokens !== undefined) load.cacheCapacityTokens = snap.cacheCapacityTokens
      return { load, mark: snap.mark, takenAt: snap.takenAt }
    }
    const wanted = withoutLatest(model)
    const named = (names: readonly string[]): boolean => names.includes(model) || names.includes(wanted)
    const entry = snap.loaded.find((m) => named(m.names))
    if (!entry && snap.known && !named(snap.known)) return undefined // a model this server does not have
    const loaded = entry !== undefined && (entry.expiresAt === undefined || entry.expiresAt > now)
    return { load: { modelLoaded: loaded }, takenAt: snap.takenAt }
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

/** Counters captured when a backend's load was read, to correct the report for what happened since. */
export interface LoadMark {
  dispatched: number
  completed: number
}

function signalOf(target: BackendTarget): LoadSignal | undefined {
  return adapterFor(target.kind).load
}
