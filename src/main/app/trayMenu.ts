// The tray menu as data: a pure function of the gateway status and the providers. The tray
// controller (tray.ts) turns these plain items into an Electron Menu; tests read them directly.
import type { GatewayStatus, ProviderView } from '../../shared/api'

export type TrayAction =
  | { kind: 'set-active-provider'; providerId: string }
  | { kind: 'toggle-pause' }
  | { kind: 'open-dashboard' }
  | { kind: 'quit' }

export interface TrayMenuItem {
  type: 'normal' | 'separator' | 'radio'
  label?: string
  enabled?: boolean
  checked?: boolean
  /** What a click does; items without one are informational. */
  action?: TrayAction
}

export interface TrayState {
  status: GatewayStatus
  providers: Pick<ProviderView, 'id' | 'name' | 'enabled'>[]
}

/** Tray menus are narrow; a long error reason would stretch the whole menu across the screen. */
const MAX_REASON = 80

export function statusLine(status: GatewayStatus): string {
  const address = `${status.host}:${status.port}`
  switch (status.state) {
    case 'listening':
      return `Listening on ${hostPort(status) ?? address}`
    case 'paused':
      return `Paused — ${hostPort(status) ?? address} answers 503`
    case 'starting':
      return `Starting on ${address}…`
    case 'stopped':
      return 'Stopped'
    case 'error':
      return `Error: ${truncate(status.error ?? 'the gateway is not running', MAX_REASON)}`
  }
}

export function trayTooltip(status: GatewayStatus): string {
  const active = status.activeProvider ? ` · ${status.activeProvider}` : ''
  return `Switchyard — ${statusLine(status)}${active}`
}

export function trayMenuTemplate(state: TrayState): TrayMenuItem[] {
  const { status, providers } = state
  const items: TrayMenuItem[] = [{ type: 'normal', label: statusLine(status), enabled: false }, { type: 'separator' }]

  if (providers.length === 0) {
    items.push({ type: 'normal', label: 'No providers configured', enabled: false })
  } else {
    items.push({ type: 'normal', label: 'Active provider', enabled: false })
    for (const p of providers) {
      items.push({
        type: 'radio',
        label: p.enabled ? p.name : `${p.name} (disabled)`,
        checked: status.activeProvider === p.id,
        // A disabled provider would not receive traffic, so it cannot be the active one.
        enabled: p.enabled,
        action: { kind: 'set-active-provider', providerId: p.id },
      })
    }
  }
  items.push({ type: 'separator' })

  // Pausing only makes sense while the gateway is up; resuming must stay possible while paused.
  if (status.state === 'listening' || status.state === 'paused') {
    const paused = status.state === 'paused'
    items.push({ type: 'normal', label: paused ? 'Resume Gateway' : 'Pause Gateway', action: { kind: 'toggle-pause' } })
  }
  items.push(
    { type: 'normal', label: 'Open Dashboard…', action: { kind: 'open-dashboard' } },
    { type: 'separator' },
    { type: 'normal', label: 'Quit Switchyard', action: { kind: 'quit' } },
  )
  return items
}

function hostPort(status: GatewayStatus): string | undefined {
  return status.url?.replace(/^https?:\/\//, '')
}

function truncate(text: string, max: number): string {
  const oneLine = text.replace(/\s+/g, ' ').trim()
  return oneLine.length > max ? `${oneLine.slice(0, max - 1)}…` : oneLine
}
