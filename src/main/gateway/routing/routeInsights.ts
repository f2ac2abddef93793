// Per route: where its conversations are pinned and how often their prompts hit a prefix cache,
// for the dashboard (app API getRouteInsights). Two sources side by side:
// - the router's own view (BackendTracker): conversations and their last backend, requests per
//   target, and the share of prompt tokens its prefix model expected to be cached;
// - the ledger: prompt and cached tokens per target over the last 24 h, as the backends reported
//   them (`prompt_tokens_details.cached_tokens`; vLLM only with --enable-prompt-tokens-details).
import type { Database } from 'better-sqlite3'
import type { ConversationPinView, RouteInsight, RouteTargetInsight } from '../../../shared/api'
import type { Runtime } from '../runtime/runtime'
import type { BackendTracker } from './backendTracker'
import { candidateKey } from './candidates'
import { isLocalProvider } from '../providers/locality'

export interface LedgerCacheRow {
  routeModel: string
  provider: string
  upstreamModel: string
  requests: number
  promptTokens: number
  cachedTokens: number
}

const DAY_MS = 24 * 3600_000
const MAX_PINS_PER_ROUTE = 50
const MAX_LEDGER_GROUPS = 5_000

/** Prompt and cached tokens per requested model and target since `since` (finished requests only). */
export function ledgerCacheRows(db: Database, since: number): LedgerCacheRow[] {
  return db
    .prepare(
      `SELECT route_model AS routeModel, provider, upstream_model AS upstreamModel, COUNT(*) AS requests,
              SUM(prompt_tokens) AS promptTokens, SUM(cached_tokens) AS cachedTokens
         FROM requests WHERE ts >= ? AND state <> 'in_flight'
        GROUP BY route_model, provider, upstream_model LIMIT ${MAX_LEDGER_GROUPS}`,
    )
    .all(since) as LedgerCacheRow[]
}

/** Which configured route a requested model name went through (exact names first, then globs in order). */
function routeOf(rt: Runtime, model: string): string | undefined {
  const route = rt.exactRoutes.get(model) ?? rt.globRoutes.find((r) => r.pattern!.test(model))
  return route?.config.model
}

export function routeInsights(rt: Runtime, tracker: BackendTracker, ledger: readonly LedgerCacheRow[], now: number): RouteInsight[] {
  const routes = [...rt.exactRoutes.values(), ...rt.globRoutes].map((r) => r.config)
  const order = new Map(rt.config.routes.map((r, i) => [r.model, i]))
  routes.sort((a, b) => (order.get(a.model) ?? 0) - (order.get(b.model) ?? 0))
  const counters = tracker.routeCounters()
  const pins = tracker.pins(4096)
  const measured = new Map<string, { requests: number; promptTokens: number; cachedTokens: number }>()
  for (const row of ledger) {
    const route = routeOf(rt, row.routeModel)
    if (route === undefined) continue
    const id = `${route}\u0000${candidateKey(row.provider, row.upstreamModel)}`
    const m = measured.get(id) ?? { requests: 0, promptTokens: 0, cachedTokens: 0 }
    m.requests += row.requests
    m.promptTokens += row.promptTokens ?? 0
    m.cachedTokens += row.cachedTokens ?? 0
    measured.set(id, m)
  }
  return routes.map((route) => {
    const targets: RouteTargetInsight[] = []
    const seen = new Set<string>()
    for (const t of route.targets) {
      const provider = rt.providers.get(t.provider)
      if (!provider) continue
      const upstreamModel = t.model ?? provider.config.modelMap?.[route.model] ?? route.model
      const key = candidateKey(t.provider, upstreamModel)
      if (seen.has(key)) continue
      seen.add(key)
      const c = counters.find((x) => x.route === route.model && x.key === key)
      const m = measured.get(`${route.model}\u0000${key}`)
      targets.push({
        provider: t.provider,
        upstreamModel,
        local: isLocalProvider(provider.config),
        enabled: provider.config.enabled,
        conversations: pins.filter((p) => p.route === route.model && p.key === key && now - p.lastAt <= 10 * 60_000).length,
        requests: c?.requests ?? 0,
        expectedCacheHit: c && c.promptTokens > 0 ? c.expectedCachedTokens / c.promptTokens : undefined,
        requests24h: m?.requests ?? 0,
        promptTokens24h: m?.promptTokens ?? 0,
        cachedTokens24h: m?.cachedTokens ?? 0,
        cacheHit24h: m && m.promptTokens > 0 && m.cachedTokens > 0 ? m.cachedTokens / m.promptTokens : undefined,
      })
    }
    const routePins: ConversationPinView[] = pins
      .filter((p) => p.route === route.model)
      .slice(0, MAX_PINS_PER_ROUTE)
      .map((p) => ({ conversation: displayId(p.conversation), provider: p.providerId, upstreamModel: p.key.slice(p.providerId.length + 1), turns: p.turns, moves: p.moves, lastAt: p.lastAt }))
    return { route: route.model, strategy: route.strategy, affinity: route.affinity, targets, pins: routePins, since: now - DAY_MS }
  })
}

/** A conversation id as the dashboard shows it: what kind of id, and a bounded excerpt. */
function displayId(id: string): string {
  const kind = id.slice(0, 2)
  const value = id.slice(2, 66)
  switch (kind) {
    case 's:':
      return `session ${value}`
    case 'k:':
      return `cache key ${value}`
    case 'u:':
      return `user ${value}`
    default:
      return `prompt #${value}`
  }
}
