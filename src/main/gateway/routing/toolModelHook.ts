// The routing side of tool model names (src/shared/toolModels.ts): a name no route and no
// provider serves, that would fall to the active provider, is mapped to a served model by its
// tier, which is then resolved as if the tool had asked for it. Without an active provider such a
// name stays a 404 (DESIGN §5a); a mapping to the model the active provider would run anyway, or
// to a model nothing serves, changes nothing. Kept apart from candidates.ts: the hook there is two lines.
import { mapToolModel, tierModels, type ToolModelMatch } from '../../../shared/toolModels'
import type { Runtime } from '../runtime/runtime'
import type { CandidateSet, ResolveOptions } from './candidates'

export interface ToolModelResolution extends ToolModelMatch {
  /** The name the tool sent. */
  requested: string
}

/** Served model names: exact routes, configured and discovered models. */
export function servedModels(rt: Runtime, opts: ResolveOptions): string[] {
  return [...new Set([...rt.exactRoutes.keys(), ...rt.modelOwners.keys(), ...(opts.discoveredModels?.() ?? [])])]
}

export function toolModelCandidates(
  rt: Runtime,
  model: string,
  opts: ResolveOptions,
  resolve: (rt: Runtime, model: string, opts: ResolveOptions) => CandidateSet,
): CandidateSet | undefined {
  if (opts.noToolMapping || !rt.active) return undefined
  const config = rt.config.toolModels
  if (config?.enabled === false) return undefined
  const served = servedModels(rt, opts)
  const match = mapToolModel(model, config, tierModels(config, served, rt.active?.config.defaultModel))
  if (!match) return undefined
  const active = rt.active.config
  if (match.model === (active.modelMap?.[model] ?? active.defaultModel)) return undefined
  const inner = { ...opts, noToolMapping: true }
  // Only a target something serves by name: otherwise the active provider's own default applies.
  if (!rt.exactRoutes.has(match.model) && !rt.globRoutes.some((r) => r.pattern!.test(match.model)) && !served.includes(match.model)) return undefined
  try {
    return { ...resolve(rt, match.model, inner), toolModel: { ...match, requested: model } }
  } catch {
    return undefined
  }
}
