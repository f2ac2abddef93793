// Wires the real desktop composition root (gateway on a real loopback port, electron-store
// config, IPC, tray, window) against the fake Electron: the closest we get to launching the
// app on a machine where the Electron binary cannot be installed.
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { pathToFileURL } from 'node:url'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { ipcChannel, ipcEventChannel, operationNames } from '../../../src/shared/api'

const state = vi.hoisted(() => ({ userData: '', storeError: undefined as Error | undefined }))

vi.mock('electron', () => import('./fakeElectron'))
vi.mock('electron-store', async () => {
  const { default: Conf } = await import('conf')
  // electron-store is conf with cwd = userData and `name` as the file name.
  class ElectronStore extends Conf<Record<string, unknown>> {
    constructor({ name, ...options }: Record<string, unknown> & { name?: string }) {
      if (state.storeError) throw state.storeError
      super({ ...options, cwd: state.userData, configName: name ?? 'config' })
    }
  }
  return { default: ElectronStore }
})

import { app, clipboard, dialog, FakeBrowserWindow, FakeTray, ipcMain, Notification } from './fakeElectron'
import { startDesktopApp, type DesktopApp } from '../../../src/main/app/desktopApp'

const repoRoot = path.resolve(import.meta.dirname, '../../..')
const mainDir = path.join(repoRoot, 'out/main')
const rendererUrl = pathToFileURL(path.join(repoRoot, 'out/renderer/index.html')).href

type MenuTemplate = { template: { label?: string; type: string; checked?: boolean; click?: () => void }[] }

let running: DesktopApp | undefined

/** An IPC event from the main frame of our window showing our page. */
function ours() {
  const win = FakeBrowserWindow.instances.at(-1)!
  return { sender: win.webContents, senderFrame: { url: rendererUrl, parent: null } }
}

function writeConfig(config: unknown): void {
  fs.writeFileSync(path.join(state.userData, 'config.json'), JSON.stringify(config))
}

beforeEach(() => {
  state.userData = fs.mkdtempSync(path.join(os.tmpdir(), 'switchyard-desktop-'))
  app.userData = state.userData
  state.storeError = undefined
  app.appPath = repoRoot
  app.quitted = false
  app.removeAllListeners()
  ipcMain.handlers.clear()
  FakeBrowserWindow.instances.length = 0
  FakeTray.instances.length = 0
  dialog.showErrorBox.mockClear()
  dialog.showMessageBox.mockClear()
  app.exit.mockClear()
  app.loginItem = { openAtLogin: false, wasOpenedAtLogin: false }
  Notification.shown.length = 0
})

afterEach(async () => {
  await running?.shutdown()
  running = undefined
  fs.rmSync(state.userData, { recursive: true, force: true })
})

const providers = [
  { id: 'alpha', kind: 'openai-compatible', baseUrl: 'http://127.0.0.1:9/v1' },
  { id: 'beta', kind: 'ollama', baseUrl: 'http://127.0.0.1:9' },
]

describe('desktop app composition', () => {
  it('starts the gateway, registers every operation, builds the tray and opens the window', async () => {
    writeConfig({ version: 1, server: { port: 0 }, activeProvider: 'alpha', providers })
    running = await startDesktopApp({ mainDir })
    const status = running!.gateway.status()
    expect(status.state).toBe('listening')
    expect(status.version).toBe('9.9.9-test')

    const health = await fetch(`${status.url}/health`)
    expect(health.status).toBe(200)

    expect([...ipcMain.handlers.keys()].sort()).toEqual(operationNames.map(ipcChannel).sort())

    const tray = FakeTray.instances[0]!
    const iconPath = (tray.image as { path: string }).path
    expect(fs.existsSync(iconPath)).toBe(true)
    const menu = (tray.menu as MenuTemplate).template
    expect(menu[0]!.label).toBe(`Listening on ${status.url!.replace('http://', '')}`)
    expect(menu.filter((i) => i.type === 'radio').map((i) => [i.label, i.checked])).toEqual([
      ['alpha', true],
      ['beta', false],
    ])

    const win = FakeBrowserWindow.instances[0]!
    expect(win.loaded).toEqual({ file: path.join(repoRoot, 'out/renderer/index.html') })
    expect((win.options.webPreferences as { preload: string }).preload).toBe(path.join(repoRoot, 'out/preload/index.cjs'))
    expect(fs.existsSync(path.join(state.userData, 'logs', 'switchyard.log'))).toBe(true)
  })

  it('IPC from our window works; from anywhere else it is refused', async () => {
    writeConfig({ version: 1, server: { port: 0 }, providers })
    running = await startDesktopApp({ mainDir })
    const win = FakeBrowserWindow.instances[0]!
    const invoke = ipcMain.handlers.get(ipcChannel('listProviders'))!
    const ours = { sender: win.webContents, senderFrame: { url: rendererUrl, parent: null } }
    const result = (await invoke(ours, undefined)) as { ok: boolean; value: { items: { id: string }[] } }
    expect(result.ok).toBe(true)
    expect(result.value.items.map((p) => p.id)).toEqual(['alpha', 'beta'])
    const foreign = { sender: {}, senderFrame: { url: rendererUrl, parent: null } }
    expect(await invoke(foreign, undefined)).toMatchObject({ ok: false, error: { code: 'forbidden' } })
  })

  it('switching from the tray persists the config and tells the window', async () => {
    writeConfig({ version: 1, server: { port: 0 }, activeProvider: 'alpha', providers })
    running = await startDesktopApp({ mainDir })
    const tray = FakeTray.instances[0]!
    const win = FakeBrowserWindow.instances[0]!
    ;(tray.menu as MenuTemplate).template.find((i) => i.label === 'beta')!.click!()
    await vi.waitFor(() => expect(running!.gateway.status().activeProvider).toBe('beta'))
    const onDisk = JSON.parse(fs.readFileSync(path.join(state.userData, 'config.json'), 'utf8')) as { activeProvider: string }
    expect(onDisk.activeProvider).toBe('beta')
    expect(win.webContents.sent.some(([channel, payload]) => channel === ipcEventChannel('status') && (payload as { activeProvider: string }).activeProvider === 'beta')).toBe(true)
    const radios = (tray.menu as MenuTemplate).template.filter((i) => i.type === 'radio')
    expect(radios.find((r) => r.checked)?.label).toBe('beta')
  })

  it('a port already in use shows an error in the tray instead of crashing', async () => {
    const blocker = await import('node:net').then((net) => {
      const server = net.createServer()
      return new Promise<import('node:net').Server>((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)))
    })
    const port = (blocker.address() as import('node:net').AddressInfo).port
    try {
      writeConfig({ version: 1, server: { port }, providers })
      running = await startDesktopApp({ mainDir, hidden: true })
      expect(running!.gateway.status().state).toBe('error')
      const line = ((FakeTray.instances[0]!.menu as MenuTemplate).template[0]!.label)!
      expect(line).toMatch(/^Error: cannot listen on 127\.0\.0\.1:\d+/)
      expect(FakeBrowserWindow.instances).toHaveLength(0) // hidden start
    } finally {
      blocker.close()
    }
  })

  it('a second launch shows the window; quitting stops the gateway before the app exits', async () => {
    writeConfig({ version: 1, server: { port: 0 }, providers })
    running = await startDesktopApp({ mainDir, hidden: true })
    expect(FakeBrowserWindow.instances).toHaveLength(0)
    app.emit('second-instance')
    expect(FakeBrowserWindow.instances).toHaveLength(1)

    const url = running!.gateway.status().url!
    app.quit()
    expect(app.quitted).toBe(false) // held until the gateway stopped
    await vi.waitFor(() => expect(app.quitted).toBe(true))
    expect(running!.gateway.status().state).toBe('stopped')
    expect(FakeTray.instances[0]!.destroyed).toBe(true)
    expect(ipcMain.handlers.size).toBe(0)
    await expect(fetch(`${url}/health`)).rejects.toThrow()
  })

  it('a damaged config file is quarantined, the last good copy restored, and the user told', async () => {
    writeConfig({ version: 1, server: { port: 0 }, activeProvider: 'beta', providers })
    running = await startDesktopApp({ mainDir, hidden: true })
    await running!.shutdown()
    running = undefined
    app.removeAllListeners()
    ipcMain.handlers.clear()
    expect(fs.existsSync(path.join(state.userData, 'config.last-good.json'))).toBe(true)

    fs.writeFileSync(path.join(state.userData, 'config.json'), '{"version":1,"providers":[{"id":"x"}]}')
    running = await startDesktopApp({ mainDir, hidden: true })
    expect(running).toBeDefined()
    expect(running!.gateway.status().activeProvider).toBe('beta')
    const quarantined = fs.readdirSync(state.userData).filter((f) => f.startsWith('config.corrupt-'))
    expect(quarantined).toHaveLength(1)
    expect(fs.readFileSync(path.join(state.userData, quarantined[0]!), 'utf8')).toBe('{"version":1,"providers":[{"id":"x"}]}')
    expect(dialog.showMessageBox).toHaveBeenCalledTimes(1)
    expect(JSON.stringify(dialog.showMessageBox.mock.calls[0])).toContain(quarantined[0])
    // The dashboard sees the notice too.
    app.emit('second-instance')
    const settings = (await ipcMain.handlers.get(ipcChannel('getDesktopSettings'))!(ours(), undefined)) as { value: { notices: string[] } }
    expect(settings.value.notices[0]).toContain('last good copy was restored')
  })

  it('a config store that cannot be opened is reported and the app exits', async () => {
    state.storeError = new Error("EACCES: permission denied, open 'config.json'")
    const result = await startDesktopApp({ mainDir })
    expect(result).toBeUndefined()
    expect(dialog.showErrorBox).toHaveBeenCalledTimes(1)
    expect(app.exit).toHaveBeenCalledWith(1)
    await vi.waitFor(() => expect(fs.readFileSync(path.join(state.userData, 'logs/switchyard.log'), 'utf8')).toContain('cannot load the config'))
  })

  it('a key typed into the dashboard is written encrypted; the renderer only learns "key set"', async () => {
    writeConfig({ version: 1, server: { port: 0 }, providers })
    running = await startDesktopApp({ mainDir, hidden: true })
    app.emit('second-instance')
    const upsert = ipcMain.handlers.get(ipcChannel('upsertProvider'))!
    const result = (await upsert(ours(), { id: 'openai', provider: { id: 'openai', kind: 'openai-compatible', baseUrl: 'https://api.openai.com/v1', apiKey: 'sk-typed-in' } })) as {
      ok: boolean
      value: { keySet: boolean }
    }
    expect(result).toMatchObject({ ok: true, value: { keySet: true } })
    const onDisk = fs.readFileSync(path.join(state.userData, 'config.json'), 'utf8')
    expect(onDisk).not.toContain('sk-typed-in')
    expect(onDisk).toContain('"apiKey": "safe:') // conf pretty-prints
    expect(fs.readFileSync(path.join(state.userData, 'config.last-good.json'), 'utf8')).not.toContain('sk-typed-in')
    const config = (await ipcMain.handlers.get(ipcChannel('getConfig'))!(ours(), undefined)) as { value: unknown }
    expect(JSON.stringify(config)).not.toContain('sk-typed-in')
    expect(JSON.stringify(config)).not.toContain('safe:')
  })

  it('desktop settings over IPC: notifications persist in settings.json; launch at login goes to the OS', async () => {
    writeConfig({ version: 1, server: { port: 0 }, providers })
    running = await startDesktopApp({ mainDir, hidden: true })
    app.emit('second-instance')
    const update = ipcMain.handlers.get(ipcChannel('updateDesktopSettings'))!
    const result = (await update(ours(), { notifications: true, launchAtLogin: process.platform !== 'linux' })) as { ok: boolean; value: { notifications: boolean } }
    expect(result).toMatchObject({ ok: true, value: { available: true, notifications: true } })
    expect(JSON.parse(fs.readFileSync(path.join(state.userData, 'settings.json'), 'utf8'))).toMatchObject({ notifications: true })
    expect(JSON.parse(fs.readFileSync(path.join(state.userData, 'config.json'), 'utf8'))).not.toHaveProperty('notifications')
    // The tray follows.
    const menu = (FakeTray.instances[0]!.menu as MenuTemplate).template
    expect(menu.find((i) => i.label === 'Notify About Provider Problems')!.checked).toBe(true)
  })

  it('the tray copies the base URL in both forms', async () => {
    writeConfig({ version: 1, server: { port: 0 }, providers })
    running = await startDesktopApp({ mainDir, hidden: true })
    const url = running!.gateway.status().url!
    const copy = (FakeTray.instances[0]!.menu as MenuTemplate).template.find((i) => i.label === 'Copy Base URL') as unknown as MenuTemplate['template'][number] & {
      submenu: { label: string; click: () => void }[]
    }
    copy.submenu[0]!.click()
    expect(clipboard.text).toBe(`${url}/v1`)
    copy.submenu[1]!.click()
    expect(clipboard.text).toBe(url)
  })
})
