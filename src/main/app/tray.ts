// Applies trayMenuTemplate() and the state icon to the tray. The menu is recomputed when the
// gateway publishes a status, the config or the desktop settings change, a provider goes down or
// comes back (seen on the 1 Hz stats tick, compared cheaply), and when today's usage was re-read
// (every 30 s and after status changes). It is rebuilt only when the result differs: rebuilding a
// native menu while it is open closes it on some platforms.
import type { MenuItemConstructorOptions } from 'electron'
import type { TodayUsage, ToolView, UpdateStatus } from '../../shared/api'
import type { ViewId } from '../../shared/dashboardViews'
import { providerViews } from '../gateway'
import type { Gateway } from '../gateway'
import type { Logger } from '../gateway'
import type { ConfigStore } from '../gateway'
import type { DesktopSettingsController } from './desktopSettings'
import { downProviders } from './notifications'
import { trayIconState, type TrayIconState } from './trayIcon'
import { trayMenuTemplate, trayTooltip, type TrayAction, type TrayMenuItem, type TrayState } from './trayMenu'

export const USAGE_REFRESH_MS = 30_000

export interface TrayControllerDeps<M, I = unknown> {
  tray: { setContextMenu(menu: M): void; setToolTip(text: string): void; setImage?(image: I): void }
  buildMenu(template: MenuItemConstructorOptions[]): M
  /** The image for a state (loaded once per state by the caller). */
  icon?(state: TrayIconState): I
  gateway: Pick<Gateway, 'status' | 'events' | 'api' | 'setPaused'>
  configStore: Pick<ConfigStore, 'get' | 'subscribe'>
  settings?: Pick<DesktopSettingsController, 'launchAtLogin' | 'notificationsEnabled' | 'update' | 'onChange'>
  copyText?(text: string): void
  /** Shows the dashboard window, on `view` when given. */
  openDashboard(view?: ViewId): void
  quit(): void
  /** The self-updater; its changes refresh the menu. */
  updates?: { status(): UpdateStatus; check(): Promise<unknown>; install(): Promise<unknown>; onChange(listener: () => void): () => void }
  /** Linux: "Open Dashboard" leads the menu (see trayBehaviour.ts). */
  openDashboardFirst?: boolean
  /** Start-up failed: the menu offers the log file and a restart. */
  startupFailed?: boolean
  showLog?(): void
  restartApp?(): void
  logger: Logger
  usageRefreshMs?: number
}

export interface TrayController {
  /** Rebuilds now if the menu changed (or always, with force). */
  refresh(force?: boolean): void
  /** Re-reads today's usage, then refreshes. */
  refreshUsage(): Promise<void>
  dispose(): void
}

export function createTrayController<M, I = unknown>(deps: TrayControllerDeps<M, I>): TrayController {
  let appliedMenu = ''
  let appliedTooltip = ''
  let appliedIcon: TrayIconState | undefined
  let down: string[] = []
  let today: TodayUsage | undefined
  let tools: ToolView[] | undefined
  let disposed = false

  const currentState = (): TrayState => ({
    status: deps.gateway.status(),
    providers: providerViews(deps.configStore.get()),
    down,
    today,
    launchAtLogin: deps.settings?.launchAtLogin(),
    notifications: deps.settings?.notificationsEnabled(),
    update: deps.updates?.status(),
    openDashboardFirst: deps.openDashboardFirst,
    startupFailed: deps.startupFailed,
    tools,
  })

  const dispatch = (action: TrayAction): void => {
    switch (action.kind) {
      case 'set-active-provider':
        deps.gateway.api.setActiveProvider({ id: action.providerId }).catch((err: unknown) => {
          deps.logger.warn({ provider: action.providerId, err: (err as Error)?.message }, 'tray: switching the active provider failed')
          // Electron already moved the radio check; put the menu back to the truth.
          refresh(true)
        })
        return
      case 'toggle-pause':
        deps.gateway.setPaused(deps.gateway.status().state !== 'paused')
        return
      case 'copy':
        deps.copyText?.(action.text)
        return
      case 'open-dashboard':
        deps.openDashboard(action.view)
        return
      case 'connect-tool':
        deps.gateway.api
          .connectTool({ id: action.toolId })
          .then(() => refreshUsage())
          .catch((err: unknown) => {
            // The file could not be edited safely (or at all): the Tools screen says why and what to do.
            deps.logger.warn({ tool: action.toolId, err: (err as Error)?.message }, 'tray: connecting the tool failed')
            deps.openDashboard('tools')
          })
        return
      case 'toggle-launch-at-login':
        updateSettings({ launchAtLogin: !deps.settings?.launchAtLogin() })
        return
      case 'toggle-notifications':
        updateSettings({ notifications: !deps.settings?.notificationsEnabled() })
        return
      case 'install-update':
        deps.updates?.install().catch((err: unknown) => deps.logger.warn({ err: (err as Error)?.message }, 'tray: cannot install the update'))
        return
      case 'check-updates':
        deps.updates?.check().catch((err: unknown) => deps.logger.warn({ err: (err as Error)?.message }, 'tray: update check failed'))
        return
      case 'show-log':
        deps.showLog?.()
        return
      case 'restart-app':
        deps.restartApp?.()
        return
      case 'quit':
        deps.quit()
        return
    }
  }

  function updateSettings(patch: { launchAtLogin?: boolean; notifications?: boolean }): void {
    try {
      deps.settings?.update(patch) // its change event refreshes the menu
    } catch (err) {
      deps.logger.warn({ err: (err as Error)?.message }, 'tray: cannot change the setting')
      refresh(true)
    }
  }

  function refresh(force = false): void {
    if (disposed) return
    const state = currentState()
    const items = trayMenuTemplate(state)
    const key = JSON.stringify(items)
    if (force || key !== appliedMenu) {
      appliedMenu = key
      deps.tray.setContextMenu(deps.buildMenu(toElectronTemplate(items, dispatch)))
    }
    const tooltip = trayTooltip(state.status, state.today)
    if (force || tooltip !== appliedTooltip) {
      appliedTooltip = tooltip
      deps.tray.setToolTip(tooltip)
    }
    const icon = trayIconState(state.status, down)
    if (deps.icon && deps.tray.setImage && (force || icon !== appliedIcon)) {
      appliedIcon = icon
      deps.tray.setImage(deps.icon(icon))
    }
  }

  let usageRequest: Promise<void> | undefined
  let usageAgain = false
  function refreshUsage(): Promise<void> {
    if (usageRequest) {
      usageAgain = true // one more read after this one: it may have started before the change
      return usageRequest
    }
    usageRequest = (async () => {
      do {
        usageAgain = false
        try {
          today = await deps.gateway.api.getTodayUsage(undefined)
        } catch (err) {
          deps.logger.warn({ err: (err as Error)?.message }, 'tray: cannot read today’s usage')
        }
        try {
          tools = (await deps.gateway.api.listTools(undefined)).items
        } catch (err) {
          deps.logger.warn({ err: (err as Error)?.message }, 'tray: cannot list the coding tools')
        }
      } while (usageAgain && !disposed)
      usageRequest = undefined
      refresh()
    })()
    return usageRequest
  }

  const offStatus = deps.gateway.events.on('status', () => {
    refresh()
    void refreshUsage()
  })
  const offStats = deps.gateway.events.on('stats', (snapshot) => {
    const next = downProviders(snapshot).sort()
    if (next.join('\n') === down.join('\n')) return
    down = next
    refresh()
  })
  const offConfig = deps.configStore.subscribe(() => refresh())
  const offSettings = deps.settings?.onChange(() => refresh())
  const offUpdates = deps.updates?.onChange(() => refresh())
  const timer = setInterval(() => void refreshUsage(), deps.usageRefreshMs ?? USAGE_REFRESH_MS)
  timer.unref?.()
  refresh(true)
  void refreshUsage()

  return {
    refresh,
    refreshUsage,
    dispose() {
      disposed = true
      clearInterval(timer)
      offStatus()
      offStats()
      offConfig()
      offSettings?.()
      offUpdates?.()
    },
  }
}

export function toElectronTemplate(items: TrayMenuItem[], dispatch: (action: TrayAction) => void): MenuItemConstructorOptions[] {
  return items.map((item) => {
    const options: MenuItemConstructorOptions = { type: item.type }
    if (item.label !== undefined) options.label = item.label
    if (item.enabled !== undefined) options.enabled = item.enabled
    if (item.checked !== undefined) options.checked = item.checked
    if (item.submenu) options.submenu = toElectronTemplate(item.submenu, dispatch)
    const action = item.action
    if (action) options.click = () => dispatch(action)
    return options
  })
}
