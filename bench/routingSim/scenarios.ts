// The backends, workloads and policies of the routing simulator's report.
import type { BackendSpec } from './backend'
import type { Policy, Scenario } from './sim'
import { DEFAULT_WORKLOAD, type WorkloadOptions } from './workload'

/** A 7B model on one consumer GPU, as vLLM would run it with 4 sequences at a time. */
export const GPU: Omit<BackendSpec, 'id'> = {
  slots: 4,
  cacheTokens: 100_000,
  blockSize: 16,
  prefillTokensPerSec: 8_000,
  decodeMsPerToken: 15,
  overheadMs: 15,
  resident: true,
  loadMs: 20_000,
  model: 'Qwen/Qwen2.5-7B-Instruct',
}

export const SLOW_GPU: Omit<BackendSpec, 'id'> = { ...GPU, prefillTokensPerSec: GPU.prefillTokensPerSec / 2, decodeMsPerToken: GPU.decodeMsPerToken * 2 }

export function backends(...specs: Array<Omit<BackendSpec, 'id'>>): BackendSpec[] {
  return specs.map((s, i) => ({ ...s, id: `gpu-${String.fromCharCode(97 + i)}` }))
}

export interface ScenarioFamily {
  name: string
  backends: BackendSpec[]
  workload?: Partial<WorkloadOptions>
}

/** The report's main matrix: equal and unequal backends. */
export const FAMILIES: ScenarioFamily[] = [
  { name: 'equal', backends: backends(GPU, GPU) },
  { name: 'unequal', backends: backends(GPU, SLOW_GPU) },
]

/** Extra scenarios: shared system prompts, a third backend that is asleep (its model must load first). */
export const EXTRA_FAMILIES: ScenarioFamily[] = [
  { name: 'shared-prompts', backends: backends(GPU, GPU), workload: { sharedSystemPrompts: 3 } },
  { name: 'cold-spare', backends: backends(GPU, GPU, { ...GPU, resident: false }) },
]

export function scenario(family: ScenarioFamily, sessionHeader: boolean, scrapeMs = 1_000): Scenario {
  return {
    name: `${family.name}${sessionHeader ? '+session' : ''}`,
    backends: family.backends,
    sessionHeader,
    workload: { ...DEFAULT_WORKLOAD, ...family.workload },
    scrapeMs,
  }
}

export const REFERENCE: Policy[] = [
  { kind: 'pinned', name: 'pinned (i mod N)' },
  { kind: 'oracle', name: 'oracle' },
]

export const DEFAULT_POLICY: Policy = { kind: 'router', name: 'default (no strategy)' }

export const STRATEGY_POLICIES: Policy[] = [
  DEFAULT_POLICY,
  { kind: 'router', name: 'cache-aware', strategy: 'cache-aware' },
  { kind: 'router', name: 'round-robin', strategy: 'round-robin' },
  { kind: 'router', name: 'weighted', strategy: 'weighted' },
  { kind: 'router', name: 'least-connections', strategy: 'least-connections' },
  { kind: 'router', name: 'least-latency', strategy: 'least-latency' },
  { kind: 'router', name: 'least-load', strategy: 'least-load' },
  { kind: 'router', name: 'lowest-cost', strategy: 'lowest-cost' },
  { kind: 'router', name: 'round-robin + affinity', strategy: 'round-robin', affinity: true },
  { kind: 'router', name: 'least-load + affinity', strategy: 'least-load', affinity: true },
  { kind: 'router', name: 'failover', strategy: 'failover' },
]
