// The gateway's view of one config version, built once per change. A request captures the
// runtime current when it arrives and finishes on it, whatever changes meanwhile.
import type { Config, RouteConfig } from '../../../shared/config'
import { globToRegExp, isGlob } from '../common/glob'
import type { SecretResolver } from '../common/types'
import { providerRuntime, servedModels, type ProviderRuntime } from '../providers/providerRuntime'
import { buildGuardPolicy, type GuardPolicy } from './guardPolicy'

export type { ProviderRuntime, Upstream } from '../providers/providerRuntime'

export interface CompiledRoute {
  config: RouteConfig
  pattern?: RegExp
}

export interface Runtime {
  config: Config
  providers: Map<string, ProviderRuntime>
  exactRoutes: Map<string, CompiledRoute>
  globRoutes: CompiledRoute[]
  /** Enabled providers that list a model, in config order. */
  modelOwners: Map<string, ProviderRuntime[]>
  active?: ProviderRuntime
  guard: GuardPolicy
  maxBodyBytes: number
}

/** `bindHost` is where the server actually listens (a CLI --host overrides the config's). */
export function buildRuntime(config: Config, secrets: SecretResolver, bindHost: string = config.server.host): Runtime {
  const providers = new Map<string, ProviderRuntime>()
  const modelOwners = new Map<string, ProviderRuntime[]>()
  for (const p of config.providers) {
    const runtime = providerRuntime(p, secrets)
    providers.set(p.id, runtime)
    if (!p.enabled) continue
    for (const model of servedModels(p)) {
      const owners = modelOwners.get(model)
      if (owners) owners.push(runtime)
      else modelOwners.set(model, [runtime])
    }
  }
  const exactRoutes = new Map<string, CompiledRoute>()
  const globRoutes: CompiledRoute[] = []
  for (const route of config.routes) {
    if (isGlob(route.model)) globRoutes.push({ config: route, pattern: globToRegExp(route.model) })
    else exactRoutes.set(route.model, { config: route })
  }
  const active = config.activeProvider === undefined ? undefined : providers.get(config.activeProvider)
  return {
    config,
    providers,
    exactRoutes,
    globRoutes,
    modelOwners,
    active: active?.config.enabled ? active : undefined,
    guard: buildGuardPolicy(bindHost, config.server.allowedOrigins),
    maxBodyBytes: config.server.maxBodyBytes,
  }
}

/** The same runtime guarding for where the server actually bound; providers and routes are kept as they are. */
export function withBindHost(rt: Runtime, bindHost: string): Runtime {
  return { ...rt, guard: buildGuardPolicy(bindHost, rt.config.server.allowedOrigins) }
}

