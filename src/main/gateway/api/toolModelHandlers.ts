// The tool model names table for the Routes screen: tiers in effect, rules, and where the names
// tools hard-code go right now (resolved by the router like a real request, without sending one).
import type { ApiHandlers, ToolModelsView } from '../../../shared/api'
import { BUILTIN_TOOL_RULES, SAMPLE_TOOL_NAMES, tierModels } from '../../../shared/toolModels'
import type { Router } from '../routing/router'
import { servedModels } from '../routing/toolModelHook'
import type { Runtime } from '../runtime/runtime'

export function createToolModelHandlers(deps: { router: Router; runtime(): Runtime }): Pick<ApiHandlers, 'getToolModels'> {
  return {
    async getToolModels(): Promise<ToolModelsView> {
      const rt = deps.runtime()
      const config = rt.config.toolModels
      const available = servedModels(rt, { discoveredModels: deps.router.catalog && (() => deps.router.catalog!.allModels()) }).sort()
      const samples = SAMPLE_TOOL_NAMES.map((name) => {
        try {
          const { set } = deps.router.preview(rt, name)
          const first = set.candidates[0]
          if (set.toolModel) return { name, model: set.toolModel.model, provider: first?.providerId, tier: set.toolModel.tier, rule: set.toolModel.rule }
          const note = set.via === 'route' ? `route ${set.route}` : set.via === 'provider' ? 'served by name' : 'active provider default'
          return { name, model: first?.upstreamModel, provider: first?.providerId, note }
        } catch {
          return { name, note: rt.active ? 'not served' : 'no active provider: 404' }
        }
      })
      return {
        enabled: config?.enabled !== false,
        tiers: tierModels(config, available, rt.active?.config.defaultModel),
        configuredTiers: { ...config?.tiers },
        rules: [...(config?.rules ?? []).map((r) => ({ ...r, custom: true })), ...BUILTIN_TOOL_RULES.map((r) => ({ ...r, custom: false }))],
        samples,
        available,
        activeProvider: rt.active?.config.id,
      }
    },
  }
}
