// Route resolution that keeps every target: the requested model -> the ordered candidate list a
// balancing strategy then reorders. Precedence (DESIGN.md §3): explicit route -> providers that
// serve the model -> the active provider -> 404.
import type { BackendLoad } from '../providers/loadMonitor'
import type { Strategy } from '../../../shared/config'
import { GatewayError } from '../common/errors'
import type { ProviderRuntime, Runtime } from '../runtime/runtime'
import { isLocalProvider } from '../providers/locality'
import { toolModelCandidates, type ToolModelResolution } from './toolModelHook'

export interface Candidate {
  /** Stable identity of the target within its route: `providerId/upstreamModel`. */
  key: string
  providerId: string
  /** The model name sent upstream. */
  upstreamModel: string
  /** Relative share; 0 = backup only (never first while another target is usable). */
  weight: number
  /**
   * A metered cloud API rather than a GPU the user runs (see locality.ts): `auto` balances the
   * local targets and keeps these for failover. Absent = local.
   */
  cloud?: true
}

/**
 * What the cache-aware strategy knows about one candidate for the request at hand, all in
 * milliseconds of expected time to first token (see BackendTracker.facts).
 */
export interface CandidateFacts {
  /** Prompt tokens of the request (estimate). */
  promptTokens: number
  /** Of those, the prefix this backend most likely still holds in its prefix cache. */
  cachedTokens: number
  /** Expected wait before the request's prefill starts there: prefills ahead, a free batch slot, others' load. */
  queueMs: number
  /** Prefill time per uncached token there (measured, else a default). */
  prefillMsPerToken: number
  /** The fixed part of a time to first token there. */
  overheadMs: number
  /** The model is not resident there: the expected load time (0 when resident or unknown). */
  coldMs: number
  /**
   * What the conversations living there cost each batch slot, this one included: active
   * conversations × decode time / slots. A long-run view of the backend's load next to the queue
   * of the moment, so that new conversations spread by what each backend can carry.
   */
  sessionLoadMs: number
  /**
   * Tokens by which the prompts of the conversations living there (this one included) exceed its
   * prefix cache: what it would evict and prefill again every round.
   */
  cacheOverflowTokens: number
  /** Where this conversation went last. */
  home: boolean
}

/** Everything a strategy may consult; all of it injected, so strategies are pure and testable. */
export interface StrategyContext {
  now: number
  /** Uniform in [0, 1). */
  random(): number
  inFlight(providerId: string): number
  /** Smoothed time to first byte in ms (already decayed for staleness); undefined = never measured. */
  ttftEwma(providerId: string): number | undefined
  load(providerId: string, upstreamModel: string): BackendLoad | undefined
  /** Blended USD per million tokens; undefined = unknown. */
  price(providerId: string, upstreamModel: string): number | undefined
  /** Conversation key for session affinity (see conversationKey). */
  affinityKey?: string
  /** Cache and queue estimates per candidate, when the route balances cache-aware and the request has a prompt. */
  facts?(candidate: Candidate): CandidateFacts | undefined
  /**
   * Whether the candidate is where this request's conversation went last (its prefix is most
   * likely cached there): load-based strategies break ties in its favour.
   */
  home?(candidate: Candidate): boolean
}

export interface CandidateSet {
  candidates: Candidate[]
  strategy: Strategy
  affinity: boolean
  /** The route's bounded-load factor for affinity (undefined: the balancer's default; 0: unbounded). */
  affinityLoadFactor?: number
  via: 'route' | 'provider' | 'active'
  /** Route name, the balancing state key for `via: 'route'`. */
  route?: string
  /** Key for per-route balancing state (cursors, rings). */
  stateKey: string
  /** A tool's hard-coded model name that nothing served, mapped to a served model (toolModelHook.ts). */
  toolModel?: ToolModelResolution
}

export function candidateKey(providerId: string, upstreamModel: string): string {
  return `${providerId}/${upstreamModel}`
}

export interface ResolveOptions {
  /** Providers whose discovered model list has `model` (ModelCatalog.providersFor); joins the configured owners. */
  discoveredOwners?: (model: string) => readonly string[]
  /** Every discovered model name (ModelCatalog.allModels), for the 404's "available" hint. */
  discoveredModels?: () => readonly string[]
  /** Set while resolving the target of a tool-name mapping: it is not mapped again. */
  noToolMapping?: boolean
}

export function resolveCandidates(rt: Runtime, model: string, opts: ResolveOptions = {}): CandidateSet {
  const route = rt.exactRoutes.get(model) ?? rt.globRoutes.find((r) => r.pattern!.test(model))
  if (route) {
    const candidates: Candidate[] = []
    const seen = new Set<string>()
    for (const target of route.config.targets) {
      const provider = rt.providers.get(target.provider)
      if (!provider?.config.enabled) continue
      const upstreamModel = target.model ?? provider.config.modelMap?.[model] ?? model
      const key = candidateKey(provider.config.id, upstreamModel)
      if (seen.has(key)) continue
      seen.add(key)
      candidates.push(withLocality({ key, providerId: provider.config.id, upstreamModel, weight: target.weight ?? provider.config.weight }, provider))
    }
    if (candidates.length === 0) {
      throw new GatewayError('model_not_found', `route "${route.config.model}" has no enabled provider`, { param: 'model' })
    }
    const name = route.config.model
    const { strategy, affinity, affinityLoadFactor } = route.config
    return { candidates, strategy, affinity, affinityLoadFactor, via: 'route', route: name, stateKey: `route:${name}` }
  }
  const owners = ownersOf(rt, model, opts.discoveredOwners)
  if (owners.length > 0) {
    const candidates = owners.map((p) => providerCandidate(p, p.config.modelMap?.[model] ?? model))
    return { candidates, strategy: 'failover', affinity: false, via: 'provider', stateKey: `model:${model}` }
  }
  const mapped = toolModelCandidates(rt, model, opts, resolveCandidates)
  if (mapped) return mapped
  if (rt.active) {
    const p = rt.active
    const upstreamModel = p.config.modelMap?.[model] ?? p.config.defaultModel ?? model
    return { candidates: [providerCandidate(p, upstreamModel)], strategy: 'failover', affinity: false, via: 'active', stateKey: 'active' }
  }
  // Discovered models resolve too (ownersOf), so the hint lists them next to the configured ones.
  const usable = [...new Set([...usableModels(rt), ...(opts.discoveredModels?.() ?? [])])].sort()
  const hint = usable.length > 0 ? `available: ${usable.slice(0, 50).join(', ')}` : 'no provider is configured to serve models yet'
  throw new GatewayError('model_not_found', `model "${model.slice(0, 200)}" is not served here; ${hint}`, { param: 'model' })
}

/** Enabled providers serving `model` by config or discovery, in config order. */
function ownersOf(rt: Runtime, model: string, discovered: ResolveOptions['discoveredOwners']): ProviderRuntime[] {
  const configured = rt.modelOwners.get(model) ?? []
  const found = discovered?.(model) ?? []
  if (found.length === 0) return configured
  const ids = new Set([...configured.map((p) => p.config.id), ...found])
  return [...rt.providers.values()].filter((p) => p.config.enabled && ids.has(p.config.id))
}

function providerCandidate(p: ProviderRuntime, upstreamModel: string): Candidate {
  return withLocality({ key: candidateKey(p.config.id, upstreamModel), providerId: p.config.id, upstreamModel, weight: p.config.weight }, p)
}

function withLocality(c: Candidate, p: ProviderRuntime): Candidate {
  if (!isLocalProvider(p.config)) c.cloud = true
  return c
}

/** Every client-facing model name that resolves: exact routes plus enabled providers' models. */
export function usableModels(rt: Runtime): string[] {
  const names = new Set<string>(rt.exactRoutes.keys())
  for (const model of rt.modelOwners.keys()) names.add(model)
  return [...names].sort()
}

export type { BackendLoad }
