// Team status and key pools for the dashboard: where shared state lives, the live instances, who
// decides each provider's limits, and every pooled key's state and recent usage.
import type { ApiHandlers, PooledKeyView, TeamProviderView } from '../../../shared/api'
import type { Admission } from '../admission/admission'
import type { StateStore } from '../state/stateStore'
import { keyUsageSince } from '../usage/keyUsage'
import type { UsageService } from '../usage/usageService'

const DAY_MS = 86_400_000

export function createTeamHandlers(deps: { state: StateStore; admission: Admission; usage: UsageService }): Pick<ApiHandlers, 'getTeamStatus'> {
  return {
    async getTeamStatus() {
      const s = deps.state.status()
      const snapshot = deps.admission.snapshot()
      const usage = new Map<string, { requests: number; tokens: number; errors: number }>()
      try {
        for (const u of keyUsageSince(deps.usage.ledger.db, Date.now() - DAY_MS)) usage.set(`${u.provider}\u0000${u.keyLabel}`, u)
      } catch {
        // a ledger that cannot be read shows no usage, not an error
      }
      const providers: TeamProviderView[] = Object.entries(snapshot).map(([provider, snap]) => {
        const keys: PooledKeyView[] = (snap.keys ?? []).map((k) => {
          const u = usage.get(`${provider}\u0000${k.label}`)
          return {
            label: k.label,
            weight: k.weight,
            available: k.available,
            trouble: k.trouble,
            troubleStatus: k.troubleStatus,
            cooldownUntil: k.upstream?.cooldownUntil,
            inFlight: k.inFlight,
            rpm: k.rpm,
            tpm: k.tpm,
            requests24h: u?.requests ?? 0,
            tokens24h: u?.tokens ?? 0,
            errors24h: u?.errors ?? 0,
          }
        })
        return { provider, decidedBy: snap.shared?.decidedBy ?? 'instance', team: snap.shared?.team, keys }
      })
      return {
        backend: s.backend,
        up: s.up,
        url: s.url,
        failMode: s.failMode,
        warning: s.warning,
        downSince: s.downSince,
        instances: s.instances.map((i) => ({ id: i.id, host: i.host, version: i.version, url: i.url, startedAt: i.startedAt, seenAgoMs: i.seenAgoMs, self: i.id === s.instanceId })),
        providers,
      }
    },
  }
}
