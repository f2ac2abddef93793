// The tray menu as data: a pure function of the gateway status, the providers, today's usage and
// the desktop settings. The tray controller (tray.ts) turns these plain items into an Electron
// Menu; tests read them directly.
import type { ViewId } from '../../shared/dashboardViews'
import { clientBaseUrl, type GatewayStatus, type ProviderView, type TodayUsage, type ToolId, type ToolView, type UpdateStatus, type UsageTotals } from '../../shared/api'

export type TrayAction =
  | { kind: 'set-active-provider'; providerId: string }
  | { kind: 'toggle-pause' }
  | { kind: 'copy'; text: string }
  /** Opens the dashboard, on `view` when given (else where it was). */
  | { kind: 'open-dashboard'; view?: ViewId }
  | { kind: 'connect-tool'; toolId: ToolId }
  | { kind: 'toggle-launch-at-login' }
  | { kind: 'toggle-notifications' }
  | { kind: 'install-update' }
  | { kind: 'check-updates' }
  | { kind: 'show-log' }
  | { kind: 'restart-app' }
  | { kind: 'quit' }

export interface TrayMenuItem {
  type: 'normal' | 'separator' | 'radio' | 'checkbox' | 'submenu'
  label?: string
  enabled?: boolean
  checked?: boolean
  submenu?: TrayMenuItem[]
  /** What a click does; items without one are informational. */
  action?: TrayAction
}

export interface TrayState {
  status: GatewayStatus
  providers: Pick<ProviderView, 'id' | 'name' | 'enabled'>[]
  /** Ids of providers whose circuit is open (failing); they are marked in the menu. */
  down?: readonly string[]
  /** Today's usage; undefined until the first query answered. */
  today?: TodayUsage
  /** Absent where the OS offers no login items. */
  launchAtLogin?: boolean
  notifications?: boolean
  /** The self-updater; absent hides every update item. */
  update?: UpdateStatus
  /** Where a click can only open the menu (Linux AppIndicator), "Open Dashboard" leads it. */
  openDashboardFirst?: boolean
  /** Start-up stopped short (see startupFailure.ts): offer the log and a restart. */
  startupFailed?: boolean
  /** Coding tools for the "Connect a Tool" submenu; until they are known, one item opens the Tools screen. */
  tools?: Pick<ToolView, 'id' | 'name' | 'mode' | 'installed' | 'connection'>[]
}

/** Tray menus are narrow; a long error reason would stretch the whole menu across the screen. */
const MAX_REASON = 80
/** How many providers the usage section lists by name. */
export const TOP_PROVIDERS = 3

const counter = new Intl.NumberFormat('en-US')

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


export function formatTokens(n: number): string {
  return `${counter.format(n)} ${n === 1 ? 'token' : 'tokens'}`
}

export function formatCost(usd: number): string {
  if (usd <= 0) return '$0.00'
  if (usd < 0.01) return '<$0.01'
  return `$${usd.toFixed(2)}`
}

/** "12,345 tokens · $0.04"; local providers (no pricing) show no cost. */
function usageText(totals: Pick<UsageTotals, 'totalTokens' | 'costUsd'>): string {
  return totals.costUsd > 0 ? `${formatTokens(totals.totalTokens)} · ${formatCost(totals.costUsd)}` : formatTokens(totals.totalTokens)
}

export function todayLine(today: TodayUsage | undefined): string {
  if (!today) return 'Today: …'
  if (today.requests === 0) return 'Today: no requests yet'
  return `Today: ${usageText(today)}`
}

/** The providers that used the most tokens today, most first (ties by name), at most `limit`. */
export function topProviders(today: TodayUsage | undefined, limit = TOP_PROVIDERS): Array<[string, UsageTotals]> {
  return topOf(today?.providers, limit)
}

/** The calling apps (tools) that used the most tokens today, most first, at most `limit`. */
export function topApps(today: TodayUsage | undefined, limit = TOP_PROVIDERS): Array<[string, UsageTotals]> {
  return topOf(today?.apps, limit)
}

function topOf(byName: Record<string, UsageTotals> | undefined, limit: number): Array<[string, UsageTotals]> {
  if (!byName) return []
  return Object.entries(byName)
    .filter(([, t]) => t.totalTokens > 0 || t.requests > 0)
    .sort(([a, x], [b, y]) => y.totalTokens - x.totalTokens || a.localeCompare(b))
    .slice(0, limit)
}

export function trayTooltip(status: GatewayStatus, today?: TodayUsage): string {
  const active = status.activeProvider ? ` · ${status.activeProvider}` : ''
  const tokens = today ? `\n${todayLine(today)}` : ''
  return `Switchyard — ${statusLine(status)}${active}${tokens}`
}

export function trayMenuTemplate(state: TrayState): TrayMenuItem[] {
  const { status, providers } = state
  const down = new Set(state.down ?? [])
  const items: TrayMenuItem[] = []
  if (state.openDashboardFirst) items.push(OPEN_DASHBOARD, { type: 'separator' })
  items.push({ type: 'normal', label: statusLine(status), enabled: false })
  if (status.ledgerWarning) items.push({ type: 'normal', label: 'Usage accounting is degraded — see the dashboard', enabled: false })
  items.push(...updateItems(state.update))
  if (state.startupFailed) {
    items.push({ type: 'normal', label: 'Show Log File', action: { kind: 'show-log' } }, { type: 'normal', label: 'Restart Switchyard', action: { kind: 'restart-app' } })
  }
  items.push({ type: 'separator' })

  if (providers.length === 0) {
    items.push({ type: 'normal', label: 'No providers configured', enabled: false })
  } else {
    items.push({ type: 'normal', label: 'Active provider', enabled: false })
    for (const p of providers) {
      const suffix = !p.enabled ? ' (disabled)' : down.has(p.id) ? ' — down' : ''
      items.push({
        type: 'radio',
        label: `${p.name}${suffix}`,
        checked: status.activeProvider === p.id,
        // A disabled provider would not receive traffic, so it cannot be the active one.
        enabled: p.enabled,
        action: { kind: 'set-active-provider', providerId: p.id },
      })
    }
  }
  items.push({ type: 'separator' })

  items.push({ type: 'normal', label: todayLine(state.today), enabled: false })
  const names = new Map(providers.map((p) => [p.id, p.name]))
  for (const [id, totals] of topProviders(state.today)) {
    items.push({ type: 'normal', label: `    ${names.get(id) ?? id}: ${usageText(totals)}`, enabled: false })
  }
  const apps = topApps(state.today)
  if (apps.length > 0) {
    items.push({ type: 'normal', label: 'By app', enabled: false })
    for (const [app, totals] of apps) items.push({ type: 'normal', label: `    ${app === 'unknown' ? 'unidentified' : app}: ${usageText(totals)}`, enabled: false })
  }
  items.push({ type: 'separator' })

  // Pausing only makes sense while the gateway is up; resuming must stay possible while paused.
  if (status.state === 'listening' || status.state === 'paused') {
    const paused = status.state === 'paused'
    items.push({ type: 'normal', label: paused ? 'Resume Gateway' : 'Pause Gateway', action: { kind: 'toggle-pause' } })
  }
  const base = clientBaseUrl(status)
  items.push(
    {
      type: 'submenu',
      label: 'Copy Base URL',
      submenu: [
        { type: 'normal', label: `OpenAI SDKs: ${base}/v1`, action: { kind: 'copy', text: `${base}/v1` } },
        { type: 'normal', label: `Anthropic SDKs, Claude Code: ${base}`, action: { kind: 'copy', text: base } },
      ],
    },
    state.tools ? toolsSubmenu(state.tools) : CONNECT_A_TOOL,
    ...(state.openDashboardFirst ? [] : [OPEN_DASHBOARD]),
    { type: 'separator' },
  )
  if (state.launchAtLogin !== undefined) {
    items.push({ type: 'checkbox', label: 'Launch at Login', checked: state.launchAtLogin, action: { kind: 'toggle-launch-at-login' } })
  }
  if (state.notifications !== undefined) {
    items.push({ type: 'checkbox', label: 'Notify About Provider Problems', checked: state.notifications, action: { kind: 'toggle-notifications' } })
  }
  const canCheck = state.update !== undefined && ['idle', 'disabled', 'error', 'available'].includes(state.update.state)
  if (canCheck) items.push({ type: 'normal', label: 'Check for Updates', action: { kind: 'check-updates' } })
  if (state.launchAtLogin !== undefined || state.notifications !== undefined || canCheck) items.push({ type: 'separator' })
  items.push({ type: 'normal', label: 'Quit Switchyard', action: { kind: 'quit' } })
  return items
}

/**
 * "Connect a Tool": a click connects a tool whose config Switchyard writes; connected tools and
 * Cursor (manual steps) open the dashboard's Tools screen, where restore and the steps are.
 */
export function toolsSubmenu(tools: NonNullable<TrayState['tools']>): TrayMenuItem {
  const ordered = [...tools].sort((a, b) => Number(b.installed) - Number(a.installed))
  return {
    type: 'submenu',
    label: 'Connect a Tool',
    submenu: [
      ...ordered.map((t): TrayMenuItem => {
        const state = t.connection === 'connected' ? ' — connected' : t.connection === 'changed' ? ' — changed since' : !t.installed ? ' (not found)' : ''
        const action: TrayAction = t.mode === 'file' && t.connection !== 'connected' ? { kind: 'connect-tool', toolId: t.id } : OPEN_TOOLS
        return { type: 'normal', label: `${t.name}${state}${t.mode === 'manual' ? ' — steps…' : ''}`, action }
      }),
      { type: 'separator' },
      { type: 'normal', label: 'Restore or Review in the Dashboard…', action: OPEN_TOOLS },
    ],
  }
}

const OPEN_DASHBOARD: TrayMenuItem = { type: 'normal', label: 'Open Dashboard…', action: { kind: 'open-dashboard' } }
/** Restore, the manual steps and connecting are all on the Tools screen: land there, not on the start page. */
const OPEN_TOOLS: TrayAction = { kind: 'open-dashboard', view: 'tools' }
const CONNECT_A_TOOL: TrayMenuItem = { type: 'normal', label: 'Connect a Tool…', action: OPEN_TOOLS }

/** What the updater adds under the status line: progress, or the restart that installs. */
export function updateItems(update: UpdateStatus | undefined): TrayMenuItem[] {
  if (!update) return []
  if (update.state === 'downloaded') return [{ type: 'normal', label: `Restart to Update (${update.version ?? 'new version'})`, action: { kind: 'install-update' } }]
  if (update.state === 'downloading') return [{ type: 'normal', label: `Downloading update ${update.version ?? ''} — ${update.percent ?? 0}%`.replace('  ', ' '), enabled: false }]
  if (update.state === 'checking') return [{ type: 'normal', label: 'Checking for updates…', enabled: false }]
  return []
}

function hostPort(status: GatewayStatus): string | undefined {
  return status.url?.replace(/^https?:\/\//, '')
}

function truncate(text: string, max: number): string {
  const oneLine = text.replace(/\s+/g, ' ').trim()
  return oneLine.length > max ? `${oneLine.slice(0, max - 1)}…` : oneLine
}
