// Runs the simulator's matrix and turns it into the report: per scenario and policy, mean time to
// first token relative to the pinned baseline (pooled over seeds, with the per-seed range), the
// prefix-cache hit rate, and the routing decision's cost; then the targets as PASS/FAIL.
import type { Router } from '../../src/main/gateway/routing/router'
import type { buildRuntime } from '../../src/main/gateway/runtime/runtime'
import { runOnce, SIM_ROUTE, type Policy, type RunHooks, type RunResult } from './sim'
import { DEFAULT_POLICY, EXTRA_FAMILIES, FAMILIES, REFERENCE, scenario, STRATEGY_POLICIES, type ScenarioFamily } from './scenarios'

export interface Aggregate {
  scenario: string
  policy: string
  seeds: number
  meanTtftMs: number
  /** meanTtft / pinned's meanTtft over the same seeds. */
  vsPinned: number
  vsPinnedMin: number
  vsPinnedMax: number
  cacheHit: number
  /** Median over seeds of each run's median decision time. */
  decisionMedianUs: number
  /** Median over seeds of each run's 99th percentile. */
  decisionP99Us: number
  moves: number
}

export interface DecisionCost {
  policy: string
  /** Routing work per request (plan, next, commit, settle), median over batches, µs. */
  medianUs: number
  p90Us: number
  /** Messages per request on average in the replayed requests. */
  messages: number
}

export interface Report {
  seeds: number[]
  aggregates: Aggregate[]
  decisionCosts: DecisionCost[]
  targets: Array<{ target: string; ok: boolean; detail: string }>
  runs: RunResult[]
}

export interface ReportOptions {
  seeds: number[]
  extra?: boolean
  policies?: Policy[]
  families?: ScenarioFamily[]
  onProgress?: (line: string) => void
  /** Run the oracle too (default true; it plays every request forward on copies of the backends). */
  oracle?: boolean
  /** Time the routing decision per policy (default true). */
  costs?: boolean
}

export function runMatrix(opts: ReportOptions): Report {
  const families = opts.families ?? [...FAMILIES, ...(opts.extra ? EXTRA_FAMILIES : [])]
  const policies = [...REFERENCE.filter((p) => opts.oracle !== false || p.kind !== 'oracle'), ...(opts.policies ?? STRATEGY_POLICIES)]
  const runs: RunResult[] = []
  const aggregates: Aggregate[] = []
  for (const family of families) {
    for (const header of [false, true]) {
      const sc = scenario(family, header)
      const byPolicy = new Map<string, RunResult[]>()
      for (const policy of policies) {
        const results = opts.seeds.map((seed) => runOnce(policy, sc, seed))
        byPolicy.set(policy.name, results)
        runs.push(...results)
      }
      const pinned = byPolicy.get(REFERENCE[0]!.name)!
      const pinnedMean = mean(pinned.map((r) => r.meanTtftMs))
      for (const policy of policies) {
        const results = byPolicy.get(policy.name)!
        const ratios = results.map((r, i) => r.meanTtftMs / pinned[i]!.meanTtftMs)
        const agg: Aggregate = {
          scenario: sc.name,
          policy: policy.name,
          seeds: results.length,
          meanTtftMs: mean(results.map((r) => r.meanTtftMs)),
          vsPinned: mean(results.map((r) => r.meanTtftMs)) / pinnedMean,
          vsPinnedMin: Math.min(...ratios),
          vsPinnedMax: Math.max(...ratios),
          cacheHit: mean(results.map((r) => r.cacheHit)),
          decisionMedianUs: median(results.map((r) => r.decisionMedianUs)),
          decisionP99Us: median(results.map((r) => r.decisionP99Us)),
          moves: mean(results.map((r) => r.moves)),
        }
        aggregates.push(agg)
        opts.onProgress?.(`${sc.name.padEnd(24)} ${policy.name.padEnd(24)} ${agg.vsPinned.toFixed(2)}× pinned  hit ${(agg.cacheHit * 100).toFixed(1)} %`)
      }
    }
  }
  // Without the session header: the conversation comes from the prompt (the costlier case).
  const costs = opts.costs === false ? [] : policies.filter((p) => p.kind === 'router').map((p) => decisionCost(p, scenario(families[0]!, false)))
  return { seeds: opts.seeds, aggregates, decisionCosts: costs, targets: targets(aggregates), runs }
}

const COST_BATCHES = 25
const COST_MAX_MS = 3_000

/**
 * The cost of routing one request, timed on its own: a simulated run leaves a router in a busy
 * gateway's state (conversations, prefix models, speeds, load reports), then its requests are
 * replayed through plan, next, commit and settle in batches. Bounded by batches and by time.
 */
export function decisionCost(policy: Policy, sc: ReturnType<typeof scenario>): DecisionCost {
  const requests: NonNullable<RunHooks['requests']> = []
  let router: Router | undefined
  let runtime: ReturnType<typeof buildRuntime> | undefined
  runOnce(policy, sc, 1, { requests, keep: (r, rt) => ((router = r), (runtime = rt)) })
  const perRequest: number[] = []
  const started = Date.now()
  // Batch -1 warms the replay up and is not counted.
  for (let b = -1; b < COST_BATCHES && Date.now() - started < COST_MAX_MS; b++) {
    const t0 = process.hrtime.bigint()
    for (const { headers, body } of requests) {
      const plan = router!.plan(runtime!, SIM_ROUTE, { headers, body })
      const c = plan.next()!
      const record = { providerId: c.providerId, model: c.upstreamModel, outcome: 'success' as const, status: 200, latencyMs: 100, startedAt: 0 }
      plan.commit(record)
      plan.settle(record)
    }
    if (b >= 0) perRequest.push(Number(process.hrtime.bigint() - t0) / 1000 / Math.max(1, requests.length))
  }
  perRequest.sort((a, b) => a - b)
  const messages = requests.reduce((n, r) => n + ((r.body.messages as unknown[] | undefined)?.length ?? 0), 0) / Math.max(1, requests.length)
  return { policy: policy.name, medianUs: perRequest[perRequest.length >> 1] ?? 0, p90Us: perRequest[Math.floor(perRequest.length * 0.9)] ?? 0, messages }
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b)
  return s[s.length >> 1] ?? 0
}

function mean(xs: number[]): number {
  return xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length)
}

/** The targets, on the main matrix. */
export function targets(aggs: Aggregate[]): Report['targets'] {
  const out: Report['targets'] = []
  const find = (scenario: string, policy: string) => aggs.find((a) => a.scenario === scenario && a.policy === policy)
  for (const family of FAMILIES) {
    for (const header of [false, true]) {
      const sc = `${family.name}${header ? '+session' : ''}`
      const def = find(sc, DEFAULT_POLICY.name)
      const pinned = find(sc, REFERENCE[0]!.name)
      const rr = find(sc, 'round-robin')
      if (!def || !pinned) continue
      const limit = family.name === 'unequal' ? 1.0 : 1.1
      out.push({ target: `${sc}: default TTFT ≤ ${limit.toFixed(1)}× pinned`, ok: def.vsPinned <= limit, detail: `${def.vsPinned.toFixed(3)}× (seeds ${def.vsPinnedMin.toFixed(2)}–${def.vsPinnedMax.toFixed(2)})` })
      out.push({
        target: `${sc}: default cache hit within 5 points of pinned`,
        ok: def.cacheHit >= pinned.cacheHit - 0.05,
        detail: `${pct(def.cacheHit)} vs ${pct(pinned.cacheHit)}`,
      })
      if (rr) {
        const worse = aggs.filter((a) => a.scenario === sc && isExplicit(a.policy) && a.vsPinned > rr.vsPinned)
        out.push({
          target: `${sc}: no explicit balancing strategy worse than round-robin`,
          ok: worse.length === 0,
          detail: worse.length === 0 ? `round-robin ${rr.vsPinned.toFixed(2)}×` : worse.map((w) => `${w.policy} ${w.vsPinned.toFixed(2)}× > ${rr.vsPinned.toFixed(2)}×`).join('; '),
        })
      }
    }
  }
  return out
}

/** Explicit balancing strategies (failover is a priority order, not a balancer). */
function isExplicit(policy: string): boolean {
  return policy !== DEFAULT_POLICY.name && policy !== 'failover' && !REFERENCE.some((r) => r.name === policy)
}

const pct = (x: number) => `${(x * 100).toFixed(1)} %`

export function markdown(report: Report): string {
  const lines: string[] = []
  const families = [...new Set(report.aggregates.map((a) => a.scenario.replace(/\+session$/, '')))]
  lines.push(`Seeds: ${report.seeds.join(', ')}. TTFT ratios are mean TTFT over all seeds / pinned's; [min–max] over single seeds.`, '')
  for (const family of families) {
    const plain = report.aggregates.filter((a) => a.scenario === family)
    const session = report.aggregates.filter((a) => a.scenario === `${family}+session`)
    lines.push(`### ${family}`, '')
    lines.push('| policy | TTFT vs pinned | cache hit | TTFT vs pinned (session header) | cache hit (session header) | mean TTFT ms (no header / header) | moves/run | decision µs median (p99) |')
    lines.push('|---|---|---|---|---|---|---|---|')
    for (const a of plain) {
      const b = session.find((s) => s.policy === a.policy)
      const ratio = (x: Aggregate) => `${x.vsPinned.toFixed(2)}× [${x.vsPinnedMin.toFixed(2)}–${x.vsPinnedMax.toFixed(2)}]`
      const cost = a.decisionMedianUs > 0 ? `${a.decisionMedianUs.toFixed(1)} (${a.decisionP99Us.toFixed(0)})` : '–'
      lines.push(
        `| ${a.policy} | ${ratio(a)} | ${pct(a.cacheHit)} | ${b ? ratio(b) : '–'} | ${b ? pct(b.cacheHit) : '–'} | ${Math.round(a.meanTtftMs)} / ${b ? Math.round(b.meanTtftMs) : '–'} | ${a.moves.toFixed(1)} | ${cost} |`,
      )
    }
    lines.push('')
  }
  if (report.decisionCosts.length > 0) {
    const msgs = report.decisionCosts[0]!.messages
    lines.push(`### Routing cost per request`, '', `Replayed requests of one run (${msgs.toFixed(1)} messages, 7–17k tokens each on average), through Router.plan, next, commit and settle, after that run left the router in a busy state; median (p90) over batches.`, '')
    lines.push('| policy | µs per request |', '|---|---|')
    for (const c of report.decisionCosts) lines.push(`| ${c.policy} | ${c.medianUs.toFixed(1)} (${c.p90Us.toFixed(1)}) |`)
    lines.push('')
  }
  lines.push('### Targets', '')
  for (const t of report.targets) lines.push(`- ${t.ok ? 'PASS' : 'FAIL'} ${t.target}: ${t.detail}`)
  return lines.join('\n')
}
