// Runs the active probes on an interval per provider (jittered so backends are not probed in
// lockstep; unref'd timers) and feeds the results to the HealthRegistry. Owns its timers and,
// unless one was passed in, its HTTP client: close() releases both.
import { BackendClient } from '../providers/backendClient'
import { probeUrl, sameTarget, type BackendTarget } from '../providers/backendTarget'
import { PeriodicTasks } from '../providers/periodicTasks'
import type { HealthRegistry, ProbeReport } from './healthRegistry'
import { probeBackend } from './probes'

export interface ProbeSchedulerOptions {
  health: HealthRegistry
  client?: BackendClient
  /** Default 15 s. */
  intervalMs?: number
  /** Default 5 s. */
  timeoutMs?: number
  /** Default 0.2 (±20 %). */
  jitter?: number
  random?: () => number
  onProbe?: (providerId: string, report: ProbeReport) => void
}

export class ProbeScheduler {
  private readonly client: BackendClient
  private readonly ownsClient: boolean
  private readonly tasks: PeriodicTasks
  private readonly targets = new Map<string, BackendTarget>()
  private readonly timeoutMs: number

  constructor(private readonly opts: ProbeSchedulerOptions) {
    this.client = opts.client ?? new BackendClient({ connectTimeoutMs: opts.timeoutMs ?? 5_000 })
    this.ownsClient = opts.client === undefined
    const intervalMs = opts.intervalMs ?? 15_000
    this.timeoutMs = opts.timeoutMs ?? 5_000
    // First probe soon after start (health should be known before traffic needs it), then jittered.
    this.tasks = new PeriodicTasks({ intervalMs, jitter: opts.jitter ?? 0.2, firstDelayMs: Math.min(500, intervalMs), random: opts.random })
  }

  /** Start/stop probing to match the enabled providers (call on start and on config change). */
  setTargets(targets: Iterable<BackendTarget>): void {
    const wanted = new Map<string, BackendTarget>()
    for (const t of targets) if (probeUrl(t) !== undefined) wanted.set(t.id, t)
    for (const id of [...this.targets.keys()]) {
      if (wanted.has(id)) continue
      this.targets.delete(id)
      this.tasks.delete(id)
    }
    for (const [id, target] of wanted) {
      const old = this.targets.get(id)
      if (old && sameTarget(old, target)) continue
      this.targets.set(id, target)
      this.tasks.set(id, async () => {
        await this.probe(id)
      })
    }
  }

  /** Probes one provider now and records the result; undefined for passive-only kinds. */
  async probeNow(providerId: string): Promise<ProbeReport | undefined> {
    return this.probe(providerId)
  }

  async close(): Promise<void> {
    this.tasks.close()
    this.targets.clear()
    if (this.ownsClient) await this.client.close()
  }

  private async probe(providerId: string): Promise<ProbeReport | undefined> {
    const target = this.targets.get(providerId)
    if (!target) return undefined
    const report = await probeBackend(this.client, target, this.timeoutMs)
    if (!report || this.targets.get(providerId) !== target) return report // removed or changed meanwhile
    this.opts.health.recordProbe(providerId, report)
    this.opts.onProbe?.(providerId, report)
    return report
  }
}
