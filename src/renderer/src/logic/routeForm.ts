// Routes as the editor holds them (with stable keys for the list) and back as config, plus the
// list of model names worth showing in "which models resolve where".
import { isGlob, STRATEGIES, type Config, type RouteConfig, type Strategy } from '../../../shared/config'
import type { ProviderView } from '../../../shared/api'

export interface TargetDraft {
  key: number
  provider: string
  /** Upstream model; null sends the name the client asked for. */
  model: string | null
  weight: number | null
}

export interface RouteDraft {
  key: number
  model: string
  strategy: Strategy
  affinity: boolean
  targets: TargetDraft[]
}

export const STRATEGY_HELP: Record<Strategy, string> = {
  failover: 'First target while it is healthy, the next one when it fails',
  'round-robin': 'Take turns',
  weighted: 'Random, in proportion to the target weights',
  'least-connections': 'The target with the fewest requests in flight',
  'least-latency': 'The target that has been answering fastest',
  'lowest-cost': 'The cheapest target by its pricing',
  'least-load': 'The target reporting the least load (vLLM metrics, Ollama models)',
}
export { STRATEGIES }

let nextKey = 1
const key = (): number => nextKey++

export function draftsFromConfig(routes: readonly RouteConfig[]): RouteDraft[] {
  return routes.map((r) => ({
    key: key(),
    model: r.model,
    strategy: r.strategy,
    affinity: r.affinity,
    targets: r.targets.map((t) => ({ key: key(), provider: t.provider, model: t.model ?? null, weight: t.weight ?? null })),
  }))
}

export function newRoute(providerIds: readonly string[], existing: readonly RouteDraft[]): RouteDraft {
  let model = 'my-model'
  for (let i = 2; existing.some((r) => r.model === model); i++) model = `my-model-${i}`
  return { key: key(), model, strategy: 'failover', affinity: false, targets: [newTarget(providerIds[0] ?? '')] }
}

export function newTarget(provider: string): TargetDraft {
  return { key: key(), provider, model: null, weight: null }
}

export function routesFromDrafts(drafts: readonly RouteDraft[]): RouteConfig[] {
  return drafts.map((d) => ({
    model: d.model.trim(),
    strategy: d.strategy,
    affinity: d.affinity,
    targets: d.targets.map((t) => {
      const target: RouteConfig['targets'][number] = { provider: t.provider }
      if (t.model?.trim()) target.model = t.model.trim()
      if (t.weight !== null && !Number.isNaN(t.weight)) target.weight = t.weight
      return target
    }),
  }))
}

/** Problems by route key; the gateway validates again on save. */
export function validateRoutes(drafts: readonly RouteDraft[], providerIds: readonly string[]): Map<number, string> {
  const problems = new Map<number, string>()
  const seen = new Set<string>()
  for (const d of drafts) {
    const model = d.model.trim()
    if (!model) problems.set(d.key, 'Enter the model name or pattern clients ask for.')
    else if (seen.has(model)) problems.set(d.key, `Another route already matches "${model}".`)
    else if (d.targets.length === 0) problems.set(d.key, 'Add at least one target.')
    else if (d.targets.some((t) => !providerIds.includes(t.provider))) problems.set(d.key, 'Every target needs a provider.')
    seen.add(model)
  }
  return problems
}

export function withRoutes(config: Config, drafts: readonly RouteDraft[]): Config {
  return { ...config, routes: routesFromDrafts(drafts) }
}

/** Names a client might send: exact route names, then provider models (configured and discovered). */
export function knownModels(routes: readonly Pick<RouteConfig, 'model'>[], providers: readonly ProviderView[], limit = 40): string[] {
  const names = new Set<string>()
  for (const r of routes) if (!isGlob(r.model)) names.add(r.model)
  for (const p of providers) {
    if (!p.enabled) continue
    for (const m of [...p.models, ...(p.defaultModel ? [p.defaultModel] : []), ...p.discoveredModels]) names.add(m)
  }
  return [...names].slice(0, limit)
}
