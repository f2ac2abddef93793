// Model resolution (DESIGN.md §3) reduced to the one provider a request would try first: explicit
// route -> a provider that serves the model -> the active provider -> 404 listing what would work.
// The precedence lives in resolveCandidates; this is its first candidate.
import type { ProviderRuntime, Runtime } from '../runtime/runtime'
import { resolveCandidates } from './candidates'

export { usableModels } from './candidates'

export interface Resolution {
  provider: ProviderRuntime
  /** The model name sent upstream. */
  upstreamModel: string
  via: 'route' | 'provider' | 'active'
  route?: string
}

export function resolveModel(rt: Runtime, model: string): Resolution {
  const set = resolveCandidates(rt, model)
  const first = set.candidates[0]!
  return { provider: rt.providers.get(first.providerId)!, upstreamModel: first.upstreamModel, via: set.via, route: set.route }
}
