// Settings of the desktop app itself, kept apart from the gateway config (settings.json via
// electron-store): notifications are opt-in; automatic updates are on, on the stable channel,
// unless turned off; launch at login lives with the OS; `firstLaunchDone` remembers that the
// dashboard opened by itself once. The dashboard
// reads and changes them through getDesktopSettings / updateDesktopSettings, the tray through
// the same object, and both hear about each other's changes.
import type { ApiHandlers, DesktopSettings, DesktopSettingsPatch, UpdateChannel } from '../../shared/api'
import type { Logger } from '../gateway'
import type { SecretStorageKind } from './encryptingConfigStore'
import type { LoginItemControl } from './loginItem'

/** The part of an electron-store (conf) instance used here. */
export interface SettingsStoreLike {
  get(key: string): unknown
  set(key: string, value: unknown): void
}

export interface DesktopSettingsDeps {
  store: SettingsStoreLike
  loginItem: LoginItemControl
  secretStorage: SecretStorageKind
  notices?: string[]
  logger?: Logger
}

export interface DesktopSettingsController {
  read(): DesktopSettings
  notificationsEnabled(): boolean
  /** Login item state when the OS supports it, else undefined (the tray then hides the item). */
  launchAtLogin(): boolean | undefined
  autoUpdate(): boolean
  updateChannel(): UpdateChannel
  firstLaunchDone(): boolean
  markFirstLaunchDone(): void
  update(patch: DesktopSettingsPatch): DesktopSettings
  onChange(listener: (settings: DesktopSettings) => void): () => void
  handlers: Pick<ApiHandlers, 'getDesktopSettings' | 'updateDesktopSettings'>
}

export function createDesktopSettings(deps: DesktopSettingsDeps): DesktopSettingsController {
  const listeners = new Set<(settings: DesktopSettings) => void>()
  const notices = [...(deps.notices ?? [])]
  if (deps.secretStorage === 'basic_text') {
    notices.push(
      'No system keyring was found (gnome-keyring, KWallet): API keys typed into Switchyard are only obfuscated on disk. Install a keyring, or use env:NAME references.',
    )
  }

  const launchAtLogin = (): boolean | undefined => {
    if (!deps.loginItem.supported) return undefined
    try {
      return deps.loginItem.get()
    } catch (err) {
      deps.logger?.warn({ err: (err as Error).message }, 'cannot read the login item')
      return false
    }
  }
  const notificationsEnabled = (): boolean => deps.store.get('notifications') === true
  const autoUpdate = (): boolean => deps.store.get('autoUpdate') !== false
  const updateChannel = (): UpdateChannel => (deps.store.get('updateChannel') === 'beta' ? 'beta' : 'stable')

  const read = (): DesktopSettings => ({
    available: true,
    launchAtLogin: launchAtLogin() ?? false,
    launchAtLoginSupported: deps.loginItem.supported,
    notifications: notificationsEnabled(),
    secretStorage: deps.secretStorage,
    notices: [...notices],
    autoUpdate: autoUpdate(),
    updateChannel: updateChannel(),
  })

  const update: DesktopSettingsController['update'] = (patch) => {
    if (patch.launchAtLogin !== undefined && deps.loginItem.supported) deps.loginItem.set(patch.launchAtLogin)
    if (patch.notifications !== undefined) deps.store.set('notifications', patch.notifications)
    if (patch.autoUpdate !== undefined) deps.store.set('autoUpdate', patch.autoUpdate)
    if (patch.updateChannel !== undefined) deps.store.set('updateChannel', patch.updateChannel)
    const next = read()
    listeners.forEach((l) => l(next))
    return next
  }

  return {
    read,
    notificationsEnabled,
    launchAtLogin,
    autoUpdate,
    updateChannel,
    firstLaunchDone: () => deps.store.get('firstLaunchDone') === true,
    markFirstLaunchDone: () => deps.store.set('firstLaunchDone', true),
    update,
    onChange(listener) {
      listeners.add(listener)
      return () => listeners.delete(listener)
    },
    handlers: {
      getDesktopSettings: async () => read(),
      updateDesktopSettings: async (patch) => update(patch),
    },
  }
}
