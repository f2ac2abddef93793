import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { describe, expect, it, vi } from 'vitest'
import { createDesktopSettings } from '../../../src/main/app/desktopSettings'
import { autostartEntry, launchCommand, loginItemControl } from '../../../src/main/app/loginItem'

function memory() {
  const values = new Map<string, unknown>()
  return { values, store: { get: (k: string) => values.get(k), set: (k: string, v: unknown) => void values.set(k, v) } }
}

describe('desktop settings', () => {
  it('notifications are off until turned on, persist in their own store, and changes are announced', async () => {
    const { values, store } = memory()
    let login = false
    const settings = createDesktopSettings({ store, loginItem: { supported: true, get: () => login, set: (v) => void (login = v) }, secretStorage: 'os' })
    expect(await settings.handlers.getDesktopSettings(undefined)).toEqual({
      available: true,
      launchAtLogin: false,
      launchAtLoginSupported: true,
      notifications: false,
      secretStorage: 'os',
      notices: [],
      autoUpdate: true,
      updateChannel: 'stable',
    })
    const listener = vi.fn()
    settings.onChange(listener)
    const next = await settings.handlers.updateDesktopSettings({ notifications: true, launchAtLogin: true })
    expect(next).toMatchObject({ notifications: true, launchAtLogin: true })
    expect(values.get('notifications')).toBe(true)
    expect(login).toBe(true)
    expect(listener).toHaveBeenCalledWith(next)
  })

  it('carries notices: a restored config and Linux’s plain-text key storage', () => {
    const settings = createDesktopSettings({
      store: memory().store,
      loginItem: { supported: false, get: () => false, set: () => undefined },
      secretStorage: 'basic_text',
      notices: ['config.json could not be used'],
    })
    const read = settings.read()
    expect(read.notices[0]).toBe('config.json could not be used')
    expect(read.notices[1]).toContain('only obfuscated')
    expect(read.launchAtLoginSupported).toBe(false)
    expect(settings.launchAtLogin()).toBeUndefined()
  })
})

describe('login items', () => {
  it('macOS and Windows use the app’s login item settings (Windows with the --hidden arguments)', () => {
    const state = { openAtLogin: false }
    const app = { getLoginItemSettings: vi.fn(() => ({ ...state })), setLoginItemSettings: vi.fn((s: { openAtLogin: boolean }) => void (state.openAtLogin = s.openAtLogin)) }
    const win = loginItemControl({ app, platform: 'win32' })
    win.set(true)
    expect(app.setLoginItemSettings).toHaveBeenCalledWith({ openAtLogin: true, args: ['--hidden'] })
    expect(win.get()).toBe(true)
    expect(app.getLoginItemSettings).toHaveBeenCalledWith({ args: ['--hidden'] })
    const mac = loginItemControl({ app, platform: 'darwin' })
    mac.set(false)
    expect(app.setLoginItemSettings).toHaveBeenLastCalledWith({ openAtLogin: false })
    expect(mac.supported).toBe(true)
  })

  it('Linux writes and removes an XDG autostart entry', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'switchyard-autostart-'))
    try {
      const control = loginItemControl({ app: {} as never, platform: 'linux', command: ['/opt/Switchyard/switchyard'], autostartDir: path.join(dir, 'autostart') })
      expect(control.get()).toBe(false)
      control.set(true)
      const entry = fs.readFileSync(path.join(dir, 'autostart', 'switchyard.desktop'), 'utf8')
      expect(entry).toContain('Exec=/opt/Switchyard/switchyard --hidden')
      expect(control.get()).toBe(true)
      control.set(false)
      expect(control.get()).toBe(false)
    } finally {
      fs.rmSync(dir, { recursive: true, force: true })
    }
  })

  it('quotes Exec arguments per the desktop entry spec and finds the command to launch', () => {
    expect(autostartEntry(['/home/me/My Apps/Switchyard.AppImage', '--hidden'])).toContain('Exec="/home/me/My Apps/Switchyard.AppImage" --hidden\n')
    expect(autostartEntry(['/a/$x"y'])).toContain('Exec="/a/\\$x\\"y"')
    expect(launchCommand({ APPIMAGE: '/apps/S.AppImage' }, '/tmp/.mount/switchyard', true, '/x')).toEqual(['/apps/S.AppImage'])
    expect(launchCommand({}, '/opt/S/switchyard', true, '/x')).toEqual(['/opt/S/switchyard'])
    expect(launchCommand({}, '/repo/node_modules/electron/dist/electron', false, '/repo')).toEqual(['/repo/node_modules/electron/dist/electron', '/repo'])
  })

  it('other platforms: unsupported, and the toggle does nothing', () => {
    const control = loginItemControl({ app: {} as never, platform: 'freebsd' })
    expect(control.supported).toBe(false)
    control.set(true)
    expect(control.get()).toBe(false)
  })
})
