// Applies trayMenuTemplate() to the tray. Rebuilds only when the gateway publishes a status
// change or the config changes, and only when the resulting menu actually differs: rebuilding a
// native menu while it is open closes it on some platforms.
import type { MenuItemConstructorOptions } from 'electron'
import { providerViews } from '../gateway/api/handlers'
import type { Gateway } from '../gateway/createGateway'
import type { Logger } from '../gateway/log'
import type { ConfigStore } from '../gateway/types'
import { trayMenuTemplate, trayTooltip, type TrayAction, type TrayMenuItem, type TrayState } from './trayMenu'

export interface TrayControllerDeps<M> {
  tray: { setContextMenu(menu: M): void; setToolTip(text: string): void }
  buildMenu(template: MenuItemConstructorOptions[]): M
  gateway: Pick<Gateway, 'status' | 'events' | 'api' | 'setPaused'>
  configStore: Pick<ConfigStore, 'get' | 'subscribe'>
  openDashboard(): void
  quit(): void
  logger: Logger
}

export interface TrayController {
  /** Rebuilds now if the menu changed (or always, with force). */
  refresh(force?: boolean): void
  dispose(): void
}

export function createTrayController<M>(deps: TrayControllerDeps<M>): TrayController {
  let applied = ''

  const currentState = (): TrayState => ({ status: deps.gateway.status(), providers: providerViews(deps.configStore.get()) })

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
      case 'open-dashboard':
        deps.openDashboard()
        return
      case 'quit':
        deps.quit()
        return
    }
  }

  function refresh(force = false): void {
    const state = currentState()
    const items = trayMenuTemplate(state)
    const key = JSON.stringify(items)
    if (!force && key === applied) return
    applied = key
    deps.tray.setContextMenu(deps.buildMenu(toElectronTemplate(items, dispatch)))
    deps.tray.setToolTip(trayTooltip(state.status))
  }

  const offStatus = deps.gateway.events.on('status', () => refresh())
  const offConfig = deps.configStore.subscribe(() => refresh())
  refresh(true)

  return {
    refresh,
    dispose() {
      offStatus()
      offConfig()
    },
  }
}

export function toElectronTemplate(items: TrayMenuItem[], dispatch: (action: TrayAction) => void): MenuItemConstructorOptions[] {
  return items.map((item) => {
    const options: MenuItemConstructorOptions = { type: item.type }
    if (item.label !== undefined) options.label = item.label
    if (item.enabled !== undefined) options.enabled = item.enabled
    if (item.checked !== undefined) options.checked = item.checked
    const action = item.action
    if (action) options.click = () => dispatch(action)
    return options
  })
}
