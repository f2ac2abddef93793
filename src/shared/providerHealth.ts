// A provider's health as every surface shows it: the Overview, the provider cards, the route
// resolver and insights, the active-provider warning and the tray. One function, fed by the
// same facts everywhere (the 1 Hz live stats first, the provider list otherwise), so a provider
// can no longer be green in one place and amber in another.
import type { ProviderHealthView, ProviderStats, ProviderView } from './api'

export type HealthLevel = 'healthy' | 'recovering' | 'down' | 'disabled' | 'unknown'

export interface DisplayedHealth {
  level: HealthLevel
  label: string
  /** The tag colour (naive-ui tag types). */
  tone: 'success' | 'warning' | 'error' | 'default'
  /** Why, when it is not healthy: the breaker's last error or the failing probe. */
  reason?: string
}

const LOOKS: Record<HealthLevel, Pick<DisplayedHealth, 'label' | 'tone'>> = {
  healthy: { label: 'healthy', tone: 'success' },
  recovering: { label: 'recovering', tone: 'warning' },
  down: { label: 'down', tone: 'error' },
  disabled: { label: 'disabled', tone: 'default' },
  unknown: { label: 'unknown', tone: 'default' },
}

/**
 * The provider's displayed health. `live` (the stats stream) beats the provider list, which is
 * re-read only on config changes. Down: the circuit is open, or the active probe fails and no
 * request has succeeded since. Recovering: half-open, one trial request decides.
 */
export function providerHealth(provider: Pick<ProviderView, 'enabled'> & { health?: ProviderHealthView }, live?: Pick<ProviderStats, 'health' | 'probeFailing'>): DisplayedHealth {
  if (!provider.enabled) return { level: 'disabled', ...LOOKS.disabled }
  const h = provider.health
  const state = live?.health ?? h?.state
  // The live stats omit probeFailing when it is false: with them, a stale list must not decide.
  const probeFailing = live ? live.probeFailing === true : h !== undefined && isProbeFailing(h)
  const reason = h?.lastError?.message ?? (h?.lastProbe?.ok === false ? 'the health probe fails' : undefined)
  if (state === 'open') return { level: 'down', ...LOOKS.down, reason }
  if (probeFailing) return { level: 'down', ...LOOKS.down, reason: reason ?? 'the health probe fails' }
  if (state === 'half-open') return { level: 'recovering', ...LOOKS.recovering, reason }
  if (state === 'closed') return { level: 'healthy', ...LOOKS.healthy }
  return { level: 'unknown', ...LOOKS.unknown }
}

/** The last probe failed and nothing has succeeded since (a success resets the failure count). */
export function isProbeFailing(h: Pick<ProviderHealthView, 'lastProbe' | 'consecutiveFailures'>): boolean {
  return h.lastProbe?.ok === false && h.consecutiveFailures > 0
}

/** The active provider when it is down: requests no route or provider claims are failing now. */
export function activeProviderDown(
  activeId: string | undefined,
  providers: ReadonlyArray<Pick<ProviderView, 'id' | 'name' | 'enabled'> & { health?: ProviderHealthView }> | undefined,
  live: Readonly<Record<string, Pick<ProviderStats, 'health' | 'probeFailing'>>> | undefined,
): { id: string; name: string; reason?: string } | undefined {
  const p = activeId === undefined ? undefined : providers?.find((x) => x.id === activeId)
  if (!p) return undefined
  const health = providerHealth(p, live?.[p.id])
  return health.level === 'down' ? { id: p.id, name: p.name, reason: health.reason } : undefined
}

/** Health by provider id over one provider list and stats snapshot (a provider not listed is unknown). */
export function healthLookup(
  providers: ReadonlyArray<Pick<ProviderView, 'id' | 'enabled'> & { health?: ProviderHealthView }> | undefined,
  live: Readonly<Record<string, Pick<ProviderStats, 'health' | 'probeFailing'>>> | undefined,
): (providerId: string) => DisplayedHealth {
  const byId = new Map((providers ?? []).map((p) => [p.id, p]))
  return (id) => {
    const p = byId.get(id)
    return p ? providerHealth(p, live?.[id]) : { level: 'unknown', ...LOOKS.unknown }
  }
}
