// Routes as the editor holds them (with stable keys for the list) and back as config, plus the
// list of model names worth showing in "which models resolve where".
import { DEFAULT_STRATEGY, isGlob, STRATEGIES, type Config, type RouteConfig, type Strategy } from '../../../shared/config'
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
  auto:
    'Default. Local targets (vLLM, Ollama, LM Studio, llama.cpp, servers on this machine or the LAN) share the work cache-aware: a conversation stays on the backend that holds its prompt cache unless that one’s queue would cost more than prefilling the prompt elsewhere, new conversations go where they wait least, backends with the model loaded come first. Cloud targets are used only when no local one can serve, in the order listed',
  'cache-aware': 'Like the default, but over every target, cloud ones included: the one where the first token is expected soonest, counting queue, cached prompt and model loading',
  failover: 'First target while it is healthy, the next one when it fails',
  'round-robin': 'Take turns',
  weighted: 'Random, in proportion to the target weights',
  'least-connections': 'The target with the fewest requests in flight (ties: where the conversation went last)',
  'least-latency': 'The target that has been answering fastest',
  'lowest-cost': 'The cheapest target by its pricing',
  'least-load': 'The target with the least work: what it last reported (vLLM metrics, Ollama models) plus what was sent and finished since',
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
  return { key: key(), model, strategy: DEFAULT_STRATEGY, affinity: false, targets: [newTarget(providerIds[0] ?? '')] }
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
