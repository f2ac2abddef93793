// Launch at login. macOS and Windows have app.setLoginItemSettings; Linux desktops follow the
// XDG autostart spec (a .desktop file in ~/.config/autostart). Either way the app starts with
// `--hidden`, straight into the tray.
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import type { Logger } from '../gateway'

export const HIDDEN_ARG = '--hidden'

export interface LoginItemControl {
  readonly supported: boolean
  get(): boolean
  set(enabled: boolean): void
}

/** The parts of Electron's `app` used here. */
export interface LoginItemApp {
  getLoginItemSettings(options?: { args?: string[] }): { openAtLogin: boolean }
  setLoginItemSettings(settings: { openAtLogin: boolean; args?: string[] }): void
}

export interface LoginItemOptions {
  app: LoginItemApp
  platform?: NodeJS.Platform
  /** Linux: the command that starts this app (the AppImage when run as one). */
  command?: string[]
  /** Linux: $XDG_CONFIG_HOME/autostart. */
  autostartDir?: string
  logger?: Logger
}

export function loginItemControl(opts: LoginItemOptions): LoginItemControl {
  const platform = opts.platform ?? process.platform
  if (platform === 'darwin' || platform === 'win32') {
    // Windows keys the registry entry by path + args: query with the same args we set.
    const args = platform === 'win32' ? [HIDDEN_ARG] : undefined
    return {
      supported: true,
      get: () => opts.app.getLoginItemSettings(args ? { args } : undefined).openAtLogin,
      set: (enabled) => opts.app.setLoginItemSettings({ openAtLogin: enabled, ...(args ? { args } : {}) }),
    }
  }
  if (platform === 'linux' && opts.command && opts.command.length > 0) {
    const file = path.join(opts.autostartDir ?? defaultAutostartDir(), 'switchyard.desktop')
    const command = opts.command
    return {
      supported: true,
      get: () => fs.existsSync(file),
      set(enabled) {
        if (!enabled) return fs.rmSync(file, { force: true })
        fs.mkdirSync(path.dirname(file), { recursive: true })
        fs.writeFileSync(file, autostartEntry([...command, HIDDEN_ARG]))
        opts.logger?.info({ file }, 'launch at login enabled')
      },
    }
  }
  return { supported: false, get: () => false, set: () => undefined }
}

export function defaultAutostartDir(env: NodeJS.ProcessEnv = process.env): string {
  return path.join(env.XDG_CONFIG_HOME || path.join(os.homedir(), '.config'), 'autostart')
}

/** A freedesktop.org desktop entry; Exec arguments quoted per the spec (", `, $ and \ escaped). */
export function autostartEntry(command: string[]): string {
  const quote = (arg: string): string => (/^[\w@%+=:,./-]+$/.test(arg) ? arg : `"${arg.replace(/(["`$\\])/g, '\\$1')}"`)
  return [
    '[Desktop Entry]',
    'Type=Application',
    'Name=Switchyard',
    'Comment=Local LLM gateway in the tray',
    `Exec=${command.map(quote).join(' ')}`,
    'Terminal=false',
    'X-GNOME-Autostart-enabled=true',
    '',
  ].join('\n')
}

/** How this process was started, for the autostart entry: the AppImage, the packaged binary, or electron + app dir in development. */
export function launchCommand(env: NodeJS.ProcessEnv, execPath: string, isPackaged: boolean, appPath: string): string[] {
  if (env.APPIMAGE) return [env.APPIMAGE]
  return isPackaged ? [execPath] : [execPath, appPath]
}
