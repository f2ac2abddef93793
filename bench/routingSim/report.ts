// Runs the simulator's matrix and turns it into the report: per scenario and policy, mean time to
// first token relative to the pinned baseline (pooled over seeds, with the per-seed range), the
// prefix-cache hit rate, and the routing decision's cost; then the targets as PASS/FAIL.
import { runOnce, type Policy, type RunResult } from './sim'
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
  decisionMeanUs: number
  decisionP99Us: number
  moves: number
}

export interface Report {
  seeds: number[]
  aggregates: Aggregate[]
  targets: Array<{ target: string; ok: boolean; detail: string }>
  runs: RunResult[]
}

export interface ReportOptions {
  seeds: number[]
  extra?: boolean
  policies?: Policy[]
  families?: ScenarioFamily[]
  onProgress?: (line: string) => void
}

export function runMatrix(opts: ReportOptions): Report {
  const families = opts.families ?? [...FAMILIES, ...(opts.extra ? EXTRA_FAMILIES : [])]
  const policies = [...REFERENCE, ...(opts.policies ?? STRATEGY_POLICIES)]
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
          decisionMeanUs: mean(results.map((r) => r.decisionMeanUs)),
          decisionP99Us: Math.max(...results.map((r) => r.decisionP99Us)),
          moves: mean(results.map((r) => r.moves)),
        }
        aggregates.push(agg)
        opts.onProgress?.(`${sc.name.padEnd(24)} ${policy.name.padEnd(24)} ${agg.vsPinned.toFixed(2)}× pinned  hit ${(agg.cacheHit * 100).toFixed(1)} %`)
      }
    }
  }
  return { seeds: opts.seeds, aggregates, targets: targets(aggregates), runs }
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
    lines.push('| policy | TTFT vs pinned | cache hit | TTFT vs pinned (session header) | cache hit (session header) | mean TTFT ms (no header / header) | moves/run | decision µs mean (p99) |')
    lines.push('|---|---|---|---|---|---|---|---|')
    for (const a of plain) {
      const b = session.find((s) => s.policy === a.policy)
      const ratio = (x: Aggregate) => `${x.vsPinned.toFixed(2)}× [${x.vsPinnedMin.toFixed(2)}–${x.vsPinnedMax.toFixed(2)}]`
      const cost = a.decisionMeanUs > 0 ? `${a.decisionMeanUs.toFixed(1)} (${a.decisionP99Us.toFixed(0)})` : '–'
      lines.push(
        `| ${a.policy} | ${ratio(a)} | ${pct(a.cacheHit)} | ${b ? ratio(b) : '–'} | ${b ? pct(b.cacheHit) : '–'} | ${Math.round(a.meanTtftMs)} / ${b ? Math.round(b.meanTtftMs) : '–'} | ${a.moves.toFixed(1)} | ${cost} |`,
      )
    }
    lines.push('')
  }
  lines.push('### Targets', '')
  for (const t of report.targets) lines.push(`- ${t.ok ? 'PASS' : 'FAIL'} ${t.target}: ${t.detail}`)
  return lines.join('\n')
}
