// The state every screen shares, created once by the shell: gateway status, the live stats
// stream (and its recent history for charts), the provider list and the desktop settings.
// Screens inject it instead of opening their own subscriptions.
import { useMessage } from 'naive-ui'
import { inject, onMounted, provide, watch, type InjectionKey, type Ref, type ShallowRef } from 'vue'
import type { DesktopSettings, DesktopSettingsPatch, GatewayStatus, StatsSnapshot, UpdateStatus } from '../../../shared/api'
import type { UiClient } from '../api/types'
import { mergeHistory, type HistoryPoint } from '../logic/statsHistory'
import { useDesktopSettings } from './useDesktopSettings'
import { useGatewayStatus } from './useGatewayStatus'
import { useLiveStats } from './useLiveStats'
import { useProviders, type ProvidersModel } from './useProviders'
import { useStatsHistory } from './useStatsHistory'
import { useUpdates } from './useUpdates'

export interface Dashboard {
  client: UiClient
  status: ShallowRef<GatewayStatus | undefined>
  statusError: Ref<string | undefined>
  stats: ShallowRef<StatsSnapshot | undefined>
  history: ShallowRef<HistoryPoint[]>
  providers: ProvidersModel
  desktop: ShallowRef<DesktopSettings | undefined>
  /** Re-reads the desktop settings (the tray may have changed them). */
  loadDesktop(): Promise<void>
  updateDesktop(patch: DesktopSettingsPatch): Promise<void>
  desktopError: Ref<string | undefined>
  /** The desktop app's self-update (web mode: unsupported, not shown). */
  update: ShallowRef<UpdateStatus | undefined>
  updateError: Ref<string | undefined>
  checkForUpdates(): Promise<void>
  installUpdate(): Promise<void>
}

const dashboardKey: InjectionKey<Dashboard> = Symbol('switchyard-dashboard')

export function provideDashboard(client: UiClient): Dashboard {
  const { status, error: statusError } = useGatewayStatus(client)
  const { stats } = useLiveStats(client)
  const { history } = useStatsHistory(stats)
  const providerList = useProviders(client)
  // Every way of switching (header, overview, provider card) says where requests go now.
  const message = useMessage()
  const providers: ProvidersModel = {
    ...providerList,
    async setActive(id) {
      await providerList.setActive(id)
      if (providerList.switchError.value) message.error(providerList.switchError.value)
      else {
        const p = providerList.providers.value?.find((x) => x.id === id)
        message.success(`Requests no route or provider claims now go to ${p?.name ?? id}${p?.defaultModel ? ` (${p.defaultModel})` : ''}`)
      }
    },
  }
  const desktop = useDesktopSettings(client)
  const updates = useUpdates(client)
  onMounted(() => {
    void providers.refresh()
    void desktop.load()
    // The gateway kept the last minutes: the live charts start from them, not empty.
    void client
      .getStatsHistory()
      .then(({ points }) => (history.value = mergeHistory(points, history.value)))
      .catch(() => undefined)
  })
  // The gateway publishes a status on every config change (tray switch, file edit, another
  // window): re-read the list. The first status is the one fetched on mount, alongside the list.
  watch(status, (_next, previous) => {
    if (previous !== undefined) void providers.refresh()
  })
  const dashboard: Dashboard = {
    client,
    status,
    statusError,
    stats,
    history,
    providers,
    desktop: desktop.settings,
    loadDesktop: desktop.load,
    updateDesktop: desktop.update,
    desktopError: desktop.error,
    update: updates.status,
    updateError: updates.error,
    checkForUpdates: updates.check,
    installUpdate: updates.install,
  }
  provide(dashboardKey, dashboard)
  return dashboard
}

export function useDashboard(): Dashboard {
  const dashboard = inject(dashboardKey)
  if (!dashboard) throw new Error('useDashboard() outside the dashboard shell')
  return dashboard
}
