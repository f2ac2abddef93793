// How the Routes screen words per-route pinning, cache hits and each target's health (pure,
// tested directly). Health comes from providerHealth() like everywhere else in the dashboard.
import type { ConversationPinView, ResolutionView, RouteInsight, RouteTargetInsight } from '../../../shared/api'
import type { DisplayedHealth } from '../../../shared/providerHealth'

export interface TargetRow {
  key: string
  label: string
  kind: 'local' | 'cloud'
  conversations: number
  requests: number
  /** "82 %" (reported by the backend), "≈ 79 %" (Switchyard's estimate) or "–". */
  cacheHit: string
  cacheHitTitle: string
  health: DisplayedHealth
}

export function pct(x: number): string {
  return `${Math.round(x * 100)} %`
}

export function targetRows(route: RouteInsight, healthOf: (providerId: string) => DisplayedHealth): TargetRow[] {
  return route.targets.map((t) => ({
    key: `${t.provider}/${t.upstreamModel}`,
    label: `${t.provider} · ${t.upstreamModel}`,
    kind: t.local ? 'local' : 'cloud',
    conversations: t.conversations,
    requests: t.requests,
    ...cacheHit(t),
    health: healthOf(t.provider),
  }))
}

/**
 * A resolver candidate's tag: coloured by the provider's health alone, so the same provider looks
 * the same in every row. Whether the balancer would pick it right now (limits, cooldown, a
 * half-open trial taken) is a per-moment detail for the tooltip, not a colour.
 */
export function candidateTag(c: ResolutionView['candidates'][number], health: DisplayedHealth): Pick<DisplayedHealth, 'level' | 'tone'> & { title: string } {
  const why = health.reason ? `: ${health.reason}` : ''
  const skipped = health.level === 'healthy' && !c.available ? ' · skipped right now (at its limits or cooling down)' : ''
  return { level: health.level, tone: health.tone, title: `${c.provider} is ${health.label}${why}${skipped}` }
}

function cacheHit(t: RouteTargetInsight): { cacheHit: string; cacheHitTitle: string } {
  if (t.cacheHit24h !== undefined) {
    return { cacheHit: pct(t.cacheHit24h), cacheHitTitle: `${t.cachedTokens24h} of ${t.promptTokens24h} prompt tokens in the last 24 h were served from the backend's prefix cache (as it reported them)` }
  }
  if (t.expectedCacheHit !== undefined) {
    const why = t.requests24h > 0 ? 'this backend reports no cached tokens (vLLM: start it with --enable-prompt-tokens-details)' : 'no requests in the ledger yet'
    return { cacheHit: `≈ ${pct(t.expectedCacheHit)}`, cacheHitTitle: `Switchyard's estimate from the prompts it sent here; ${why}` }
  }
  return { cacheHit: '–', cacheHitTitle: 'no requests yet' }
}

/** "session agent-3 → gpu-a · 5 turns, 1 move · 12 s ago" */
export function pinLine(p: ConversationPinView, now: number): string {
  const turns = `${p.turns} turn${p.turns === 1 ? '' : 's'}`
  const moves = p.moves > 0 ? `, ${p.moves} move${p.moves === 1 ? '' : 's'}` : ''
  return `${p.conversation} → ${p.provider} · ${turns}${moves} · ${ago(now - p.lastAt)}`
}

export function ago(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000))
  if (s < 60) return `${s} s ago`
  const m = Math.round(s / 60)
  if (m < 60) return `${m} min ago`
  return `${Math.round(m / 60)} h ago`
}

/** Routes worth showing: those with more than one target or any traffic. */
export function visibleRoutes(items: readonly RouteInsight[]): RouteInsight[] {
  return items.filter((r) => r.targets.length > 1 || r.targets.some((t) => t.requests > 0 || t.requests24h > 0))
}
