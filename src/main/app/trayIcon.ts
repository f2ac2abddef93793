// Which tray icon shows, as a pure function of the gateway state and provider health, and where
// each platform's variant lives in resources/ (macOS template images that the menu bar tints for
// light and dark, a multi-size .ico on Windows, coloured PNGs on Linux).
import path from 'node:path'
import type { GatewayStatus } from '../../shared/api'

export type TrayIconState = 'running' | 'paused' | 'degraded' | 'error'

/** Error beats paused beats "a provider is down": the icon shows the most urgent thing. */
export function trayIconState(status: Pick<GatewayStatus, 'state'>, downProviders: readonly string[]): TrayIconState {
  if (status.state === 'error' || status.state === 'stopped') return 'error'
  if (status.state === 'paused') return 'paused'
  if (downProviders.length > 0) return 'degraded'
  return 'running'
}

const BASENAME: Record<TrayIconState, string> = {
  running: 'tray',
  paused: 'tray-paused',
  degraded: 'tray-degraded',
  error: 'tray-error',
}

/**
 * The file for a state on a platform. macOS loads `…Template.png` and picks up `@2x` by itself;
 * Windows reads every size from the .ico; Linux trays take a plain PNG (the @2x one reads better
 * on HiDPI panels, and nativeImage also loads it by itself).
 */
export function trayIconFile(resources: string, state: TrayIconState, platform: NodeJS.Platform): string {
  const base = BASENAME[state]
  if (platform === 'darwin') return path.join(resources, `${base}Template.png`)
  if (platform === 'win32') return path.join(resources, `${base}.ico`)
  return path.join(resources, `${base}.png`)
}

export const TRAY_ICON_STATES = Object.keys(BASENAME) as TrayIconState[]
