// Model resolution (DESIGN.md §3): explicit route -> a provider that serves the model ->
// the active provider -> 404 listing what would work.
import { GatewayError } from '../errors'
import type { ProviderRuntime, Runtime } from '../runtime'

export interface Resolution {
  provider: ProviderRuntime
  /** The model name sent upstream. */
  upstreamModel: string
  via: 'route' | 'provider' | 'active'
  route?: string
}

export function resolveModel(rt: Runtime, model: string): Resolution {
  const route = rt.exactRoutes.get(model) ?? rt.globRoutes.find((r) => r.pattern!.test(model))
  if (route) {
    for (const target of route.config.targets) {
      const provider = rt.providers.get(target.provider)
      if (provider?.config.enabled) {
        return { provider, upstreamModel: target.model ?? mapped(provider, model) ?? model, via: 'route', route: route.config.model }
      }
    }
    throw new GatewayError('model_not_found', `route "${route.config.model}" has no enabled provider`, { param: 'model' })
  }
  const owner = rt.modelOwners.get(model)?.[0]
  if (owner) return { provider: owner, upstreamModel: mapped(owner, model) ?? model, via: 'provider' }
  if (rt.active) {
    const upstreamModel = mapped(rt.active, model) ?? rt.active.config.defaultModel ?? model
    return { provider: rt.active, upstreamModel, via: 'active' }
  }
  const usable = usableModels(rt)
  const hint = usable.length > 0 ? `available: ${usable.slice(0, 50).join(', ')}` : 'no provider is configured to serve models yet'
  throw new GatewayError('model_not_found', `model "${model.slice(0, 200)}" is not served here; ${hint}`, { param: 'model' })
}

function mapped(provider: ProviderRuntime, model: string): string | undefined {
  return provider.config.modelMap?.[model]
}

/** Every client-facing model name that resolves: exact routes plus enabled providers' models. */
export function usableModels(rt: Runtime): string[] {
  const names = new Set<string>(rt.exactRoutes.keys())
  for (const model of rt.modelOwners.keys()) names.add(model)
  return [...names].sort()
}
