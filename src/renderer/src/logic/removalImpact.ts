// What removing a provider does to the routes: the gateway deletes a route whose only targets
// it was, and drops it from the others. The confirm says exactly which.
import type { RouteConfig } from '../../../shared/config'

export interface RemovalImpact {
  deleted: string[]
  reduced: string[]
}

export function removalImpact(routes: readonly Pick<RouteConfig, 'model' | 'targets'>[], providerId: string): RemovalImpact {
  const impact: RemovalImpact = { deleted: [], reduced: [] }
  for (const r of routes) {
    if (!r.targets.some((t) => t.provider === providerId)) continue
    if (r.targets.every((t) => t.provider === providerId)) impact.deleted.push(r.model)
    else impact.reduced.push(r.model)
  }
  return impact
}

const list = (names: string[]): string => names.map((n) => `“${n}”`).join(', ')

export function removalText(name: string, impact: RemovalImpact | undefined, active: boolean): string {
  const parts = [`Remove ${name}?`]
  if (impact?.deleted.length) parts.push(`${impact.deleted.length === 1 ? 'The route' : 'The routes'} ${list(impact.deleted)} will be deleted: ${name} is ${impact.deleted.length === 1 ? 'its' : 'their'} only target.`)
  if (impact?.reduced.length) parts.push(`${impact.reduced.length === 1 ? 'The route' : 'The routes'} ${list(impact.reduced)} ${impact.reduced.length === 1 ? 'loses' : 'lose'} it as a target.`)
  if (impact && !impact.deleted.length && !impact.reduced.length) parts.push('No route uses it.')
  if (active) parts.push('It is the active provider: unrouted requests get 404 until you pick another.')
  return parts.join(' ')
}
