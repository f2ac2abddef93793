// What to tell the user, as a pure function of the previous and the current stats snapshot:
// a provider went down (its circuit opened), came back (closed again), or hit its limits
// (requests are queueing). Several providers failing at once make one notification, not a
// burst; saturation is repeated at most once per cooldown per provider.
import { providerHealth } from '../../shared/providerHealth'
import type { ProviderStats, StatsSnapshot } from '../../shared/api'

export interface Notice {
  kind: 'down' | 'up' | 'saturated'
  providers: string[]
  title: string
  body: string
}

export interface WatchState {
  /** Providers currently considered down (open circuit; half-open is still down). */
  down: string[]
  /** Providers with requests waiting in their queue. */
  saturated: string[]
  /** When each provider's saturation was last announced (ms). */
  saturatedNotifiedAt: Record<string, number>
}

export const SATURATION_COOLDOWN_MS = 5 * 60_000

export function watchStateOf(snapshot: StatsSnapshot): WatchState {
  return {
    down: downProviders(snapshot),
    saturated: Object.entries(snapshot.providers)
      .filter(([, s]) => s.queued > 0)
      .map(([id]) => id),
    saturatedNotifiedAt: {},
  }
}

/** Ids of the providers down or recovering (circuit open or half-open, or the probe failing), in snapshot order. */
export function downProviders(snapshot: Pick<StatsSnapshot, 'providers'>): string[] {
  return Object.entries(snapshot.providers)
    .filter(([, s]) => isDown(s))
    .map(([id]) => id)
}

/**
 * The notices for a new snapshot and the state to keep for the next one. Without a previous
 * state (the first tick after start) nothing is announced: there is no change to report yet.
 */
export function notificationsFor(
  previous: WatchState | undefined,
  snapshot: StatsSnapshot,
  names: ReadonlyMap<string, string> = new Map(),
  now: number = snapshot.at,
): { state: WatchState; notices: Notice[] } {
  const current = watchStateOf(snapshot)
  if (!previous) return { state: current, notices: [] }
  const name = (id: string): string => names.get(id) ?? id
  const wasDown = new Set(previous.down)
  const isDownNow = new Set(current.down)
  const notices: Notice[] = []

  const wentDown = current.down.filter((id) => !wasDown.has(id))
  // A provider that disappeared from the config did not "come back up".
  const cameBack = previous.down.filter((id) => !isDownNow.has(id) && snapshot.providers[id] !== undefined)
  if (wentDown.length === 1) {
    const id = wentDown[0]!
    notices.push({
      kind: 'down',
      providers: wentDown,
      title: `${name(id)} is down`,
      body: 'Its requests fail; Switchyard routes around it where a route has other targets and keeps probing it.',
    })
  } else if (wentDown.length > 1) {
    notices.push({
      kind: 'down',
      providers: wentDown,
      title: `${wentDown.length} providers are down`,
      body: `${wentDown.map(name).join(', ')} fail; Switchyard keeps probing them.`,
    })
  }
  if (cameBack.length > 0) {
    notices.push({
      kind: 'up',
      providers: cameBack,
      title: cameBack.length === 1 ? `${name(cameBack[0]!)} is back up` : `${cameBack.length} providers are back up`,
      body: cameBack.length === 1 ? 'Requests go to it again.' : `${cameBack.map(name).join(', ')} answer again.`,
    })
  }

  const wasSaturated = new Set(previous.saturated)
  const notifiedAt: Record<string, number> = {}
  for (const [id, at] of Object.entries(previous.saturatedNotifiedAt)) if (snapshot.providers[id]) notifiedAt[id] = at
  const newlySaturated = current.saturated.filter((id) => !wasSaturated.has(id) && now - (notifiedAt[id] ?? -Infinity) >= SATURATION_COOLDOWN_MS)
  for (const id of newlySaturated) {
    const stats = snapshot.providers[id]!
    notifiedAt[id] = now
    notices.push({
      kind: 'saturated',
      providers: [id],
      title: `${name(id)} is at its limit`,
      body: `${stats.queued} ${stats.queued === 1 ? 'request is' : 'requests are'} waiting (${limitReason(stats)}).`,
    })
  }
  return { state: { ...current, saturatedNotifiedAt: notifiedAt }, notices }
}

/** Down or on trial (the tray marks both): the dashboard's own verdict, from the same stats. */
function isDown(stats: Pick<ProviderStats, 'health' | 'probeFailing'>): boolean {
  const { level } = providerHealth({ enabled: true }, stats)
  return level === 'down' || level === 'recovering'
}

/** Which configured limit is holding requests back, in the words of the settings. */
export function limitReason(stats: ProviderStats): string {
  const reasons: string[] = []
  if (stats.rpm.limit !== undefined && stats.rpm.used >= stats.rpm.limit) reasons.push(`${stats.rpm.used}/${stats.rpm.limit} requests per minute`)
  if (stats.tpm.limit !== undefined && stats.tpm.used >= stats.tpm.limit) reasons.push(`${stats.tpm.used}/${stats.tpm.limit} tokens per minute`)
  if (stats.maxConcurrent !== undefined && stats.inFlight >= stats.maxConcurrent) reasons.push(`${stats.inFlight}/${stats.maxConcurrent} concurrent`)
  return reasons.length > 0 ? reasons.join(', ') : 'its limits are reached'
}
