// Wires the real desktop composition root (gateway on a real loopback port, electron-store
// config, IPC, tray, window) against the fake Electron: the closest we get to launching the
// app on a machine where the Electron binary cannot be installed.
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { createRequire } from 'node:module'
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest'
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

import { app, BaseWindow, clipboard, dialog, FakeBrowserWindow, FakeTray, ipcMain, Menu, Notification, powerMonitor, protocol, shell } from './fakeElectron'
import { startDesktopApp, type DesktopApp } from '../../../src/main/app/desktopApp'
import { BUILD_INFO_FILE, devNativeDir, NATIVE_MODULE_FILE } from '../../../src/main/app/nativeBinding'

const repoRoot = path.resolve(import.meta.dirname, '../../..')
const mainDir = path.join(repoRoot, 'out/main')
const rendererUrl = 'app://switchyard/index.html'
const require = createRequire(import.meta.url)

/**
 * A stand-in for the source checkout (app.getAppPath()): the repo's resources, and a
 * native/electron/<platform>-<arch>/ build — here the Node build of better-sqlite3 with a build
 * record for this process's ABI, which is what "the Electron build" is to a Node process.
 */
let appRoot: string
function makeAppRoot(): string {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'switchyard-approot-'))
  fs.symlinkSync(path.join(repoRoot, 'resources'), path.join(root, 'resources'))
  const dir = devNativeDir(root, process.platform, process.arch)
  fs.mkdirSync(dir, { recursive: true })
  fs.copyFileSync(path.join(path.dirname(require.resolve('better-sqlite3/package.json')), 'build/Release/better_sqlite3.node'), path.join(dir, NATIVE_MODULE_FILE))
  const moduleVersion = (require('better-sqlite3/package.json') as { version: string }).version
  fs.writeFileSync(
    path.join(dir, BUILD_INFO_FILE),
    JSON.stringify({ module: 'better-sqlite3', moduleVersion, electron: 'node', abi: process.versions.modules, platform: process.platform, arch: process.arch }),
  )
  return root
}
beforeAll(() => {
  appRoot = makeAppRoot()
})
afterAll(() => fs.rmSync(appRoot, { recursive: true, force: true }))

type MenuTemplate = { template: { label?: string; type: string; checked?: boolean; enabled?: boolean; click?: () => void }[] }

/** The status line of the tray menu (on Linux "Open Dashboard" comes first). */
const statusLabel = (tray: { menu: unknown }): string => (tray.menu as MenuTemplate).template.find((i) => i.enabled === false)!.label!

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
  app.appPath = appRoot
  app.quitted = false
  app.removeAllListeners()
  app.relaunch.mockClear()
  ipcMain.handlers.clear()
  protocol.handlers.clear()
  powerMonitor.removeAllListeners()
  Menu.setApplicationMenu.mockClear()
  shell.showItemInFolder.mockClear()
  BaseWindow.instances.length = 0
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
    expect(statusLabel(tray)).toBe(`Listening on ${status.url!.replace('http://', '')}`)
    expect(menu.filter((i) => i.type === 'radio').map((i) => [i.label, i.checked])).toEqual([
      ['alpha', true],
      ['beta', false],
    ])

    const win = FakeBrowserWindow.instances[0]!
    expect(win.loaded).toEqual({ url: 'app://switchyard/index.html' })
    expect((win.options.webPreferences as { preload: string }).preload).toBe(path.join(repoRoot, 'out/preload/index.cjs'))
    // An unpackaged run: DevTools allowed, and the menu offers them; packaged builds have neither (appMenu tests).
    expect((win.options.webPreferences as { devTools: boolean }).devTools).toBe(true)
    expect(Menu.setApplicationMenu).toHaveBeenCalledTimes(1)
    expect(fs.existsSync(path.join(state.userData, 'logs', 'switchyard.log'))).toBe(true)
    expect(running!.failure).toBeUndefined()
    expect(dialog.showMessageBox).not.toHaveBeenCalled()
    // app:// serves the renderer folder and nothing outside it.
    const handler = protocol.handlers.get('app')!
    const outside = await handler(new Request('app://switchyard/../../package.json'))
    expect([403, 404]).toContain(outside.status)
    expect((await handler(new Request('app://elsewhere/index.html'))).status).toBe(403)
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

  it('a port already in use shows an error in the tray and a dialog with the fix, instead of crashing', async () => {
    const blocker = await import('node:net').then((net) => {
      const server = net.createServer()
      return new Promise<import('node:net').Server>((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)))
    })
    const port = (blocker.address() as import('node:net').AddressInfo).port
    try {
      writeConfig({ version: 1, server: { port }, providers })
      dialog.showMessageBox.mockResolvedValueOnce({ response: 2, checkboxChecked: false }) // "Close"
      running = await startDesktopApp({ mainDir, hidden: true })
      expect(running!.gateway.status().state).toBe('error')
      const line = statusLabel(FakeTray.instances[0]!)
      expect(line).toMatch(/^Error: cannot listen on 127\.0\.0\.1:\d+/)
      expect(FakeBrowserWindow.instances).toHaveLength(0) // hidden start
      expect(running!.failure).toMatchObject({ phase: 'listen', file: path.join(state.userData, 'config.json') })
      const shown = dialog.showMessageBox.mock.calls[0]![0] as unknown as { detail: string }
      expect(shown.detail).toContain(`port ${port}`)
      expect(shown.detail).toContain('Settings → Server')
      // Freeing the port and saving the config (here: a free port) makes it listen without a restart.
      const update = ipcMain.handlers.get(ipcChannel('replaceConfig'))!
      app.emit('second-instance')
      const result = (await update(ours(), { version: 1, server: { port: 0 }, providers })) as { ok: boolean }
      expect(result.ok).toBe(true)
      await vi.waitFor(() => expect(running!.gateway.status().state).toBe('listening'))
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
    expect(protocol.handlers.size).toBe(0) // released on shutdown
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

  it('a config store that cannot be opened: dialog naming the file and the fix, a log line, the tray in error; the app keeps running', async () => {
    state.storeError = Object.assign(new Error("EACCES: permission denied, open 'config.json'"), { code: 'EACCES' })
    running = await startDesktopApp({ mainDir, hidden: true })
    expect(app.exit).not.toHaveBeenCalled()
    expect(running.failure).toMatchObject({ phase: 'config', file: path.join(state.userData, 'config.json') })
    const shown = dialog.showMessageBox.mock.calls[0]![0] as unknown as { message: string; detail: string; buttons: string[] }
    expect(shown.message).toBe('Switchyard cannot open its configuration')
    expect(shown.detail).toContain(`File: ${path.join(state.userData, 'config.json')}`)
    expect(shown.detail).toContain('read and write access')
    expect(shown.buttons).toEqual(['Open Dashboard', 'Show Log File', 'Close'])
    const menu = (FakeTray.instances[0]!.menu as MenuTemplate).template
    expect(statusLabel(FakeTray.instances[0]!)).toMatch(/^Error: .*config\.json cannot be read or written/)
    expect(menu.map((i) => i.label)).toEqual(expect.arrayContaining(['Show Log File', 'Restart Switchyard']))
    expect((FakeTray.instances[0]!.image as { path: string }).path).toMatch(/tray-error/)
    await vi.waitFor(() => expect(fs.readFileSync(path.join(state.userData, 'logs/switchyard.log'), 'utf8')).toContain('"phase":"config"'))
    // The dashboard opens and says the same; operations that need the gateway explain why they cannot run.
    app.emit('second-instance')
    const status = (await ipcMain.handlers.get(ipcChannel('getStatus'))!(ours(), undefined)) as { value: { state: string; error: string } }
    expect(status.value.state).toBe('error')
    expect(status.value.error).toContain('read and write access')
    const test = (await ipcMain.handlers.get(ipcChannel('getConfig'))!(ours(), undefined)) as { ok: boolean; error: { code: string; message: string } }
    expect(test).toMatchObject({ ok: false, error: { code: 'conflict' } })
    // "Restart Switchyard" relaunches.
    menu.find((i) => i.label === 'Restart Switchyard')!.click!()
    expect(app.relaunch).toHaveBeenCalledTimes(1)
  })

  it('the Electron build of better-sqlite3 missing: the message says what to run; the dashboard can still edit the config', async () => {
    const bare = fs.mkdtempSync(path.join(os.tmpdir(), 'switchyard-approot-bare-'))
    fs.symlinkSync(path.join(repoRoot, 'resources'), path.join(bare, 'resources'))
    app.appPath = bare
    try {
      writeConfig({ version: 1, server: { port: 0 }, providers })
      running = await startDesktopApp({ mainDir })
      const file = path.join(devNativeDir(bare, process.platform, process.arch), NATIVE_MODULE_FILE)
      expect(running.failure).toMatchObject({ phase: 'native', file })
      expect(running.failure!.fix).toContain('npm run native:electron')
      const shown = dialog.showMessageBox.mock.calls[0]![0] as unknown as { detail: string }
      expect(shown.detail).toContain(`File: ${file}`)
      expect(shown.detail).toContain('`npm run native:electron`')
      expect(running.gateway.status()).toMatchObject({ state: 'error' })
      expect(fs.existsSync(path.join(state.userData, 'usage.db'))).toBe(false) // nothing was opened with the wrong addon
      // Config repair works without a gateway.
      const upsert = ipcMain.handlers.get(ipcChannel('upsertProvider'))!
      const result = (await upsert(ours(), { id: 'gamma', provider: { id: 'gamma', kind: 'ollama', baseUrl: 'http://127.0.0.1:11434' } })) as { ok: boolean }
      expect(result.ok).toBe(true)
      expect(JSON.parse(fs.readFileSync(path.join(state.userData, 'config.json'), 'utf8')).providers.map((p: { id: string }) => p.id)).toEqual(['alpha', 'beta', 'gamma'])
    } finally {
      fs.rmSync(bare, { recursive: true, force: true })
    }
  })

  it('an addon that does not load (wrong ABI) is caught before the gateway opens anything', async () => {
    writeConfig({ version: 1, server: { port: 0 }, providers })
    const abiError = new Error(
      "The module '/x/better_sqlite3.node'\nwas compiled against a different Node.js version using\nNODE_MODULE_VERSION 115. This version of Node.js requires\nNODE_MODULE_VERSION 146. Please try re-compiling",
    )
    dialog.showMessageBox.mockResolvedValueOnce({ response: 1, checkboxChecked: false })
    running = await startDesktopApp({
      mainDir,
      hidden: true,
      loadNative: () => {
        throw abiError
      },
    })
    expect(running.failure).toMatchObject({ phase: 'native' })
    expect(running.failure!.message).toContain('ABI 115')
    expect(running.failure!.message).toContain('ABI 146')
    await vi.waitFor(() => expect(shell.showItemInFolder).toHaveBeenCalledWith(path.join(state.userData, 'logs', 'switchyard.log')))
  })

  it('a usage database that cannot be opened names usage.db and how to fix it', async () => {
    writeConfig({ version: 1, server: { port: 0 }, providers })
    running = await startDesktopApp({
      mainDir,
      hidden: true,
      createGateway: () => {
        throw Object.assign(new Error('file is not a database'), { code: 'SQLITE_NOTADB' })
      },
    })
    const db = path.join(state.userData, 'usage.db')
    expect(running.failure).toMatchObject({ phase: 'gateway', file: db })
    expect(running.failure!.fix).toContain(`move ${db}`)
    expect(statusLabel(FakeTray.instances[0]!)).toMatch(/^Error: .*usage\.db is damaged/)
  })

  it('opens the dashboard by itself on the first launch only', async () => {
    writeConfig({ version: 1, server: { port: 0 }, providers })
    running = await startDesktopApp({ mainDir })
    expect(FakeBrowserWindow.instances).toHaveLength(1)
    await running.shutdown()
    running = undefined
    app.removeAllListeners()
    ipcMain.handlers.clear()
    FakeBrowserWindow.instances.length = 0
    running = await startDesktopApp({ mainDir })
    expect(FakeBrowserWindow.instances).toHaveLength(0) // later launches start in the tray
    app.emit('second-instance')
    expect(FakeBrowserWindow.instances).toHaveLength(1)
  })

  it('system shut-down (powerMonitor) flushes, stops the gateway and quits', async () => {
    writeConfig({ version: 1, server: { port: 0 }, providers })
    running = await startDesktopApp({ mainDir, hidden: true })
    const flushAll = vi.spyOn((running.gateway as unknown as { usage: { ledger: { flushAll(): void } } }).usage.ledger, 'flushAll')
    const event = { preventDefault: vi.fn() }
    powerMonitor.emit('shutdown', event)
    expect(event.preventDefault).toHaveBeenCalledTimes(1)
    expect(flushAll).toHaveBeenCalled()
    await vi.waitFor(() => expect(app.quitted).toBe(true))
    expect(running.gateway.status().state).toBe('stopped')
  })

  it('updates are off in an unpackaged run and say why; the dashboard can ask', async () => {
    writeConfig({ version: 1, server: { port: 0 }, providers })
    running = await startDesktopApp({ mainDir })
    const status = (await ipcMain.handlers.get(ipcChannel('getUpdateStatus'))!(ours(), undefined)) as { value: { state: string; reason: string } }
    expect(status.value).toMatchObject({ state: 'unsupported' })
    expect(status.value.reason).toContain('development run')
    const install = (await ipcMain.handlers.get(ipcChannel('installUpdate'))!(ours(), undefined)) as { ok: boolean; error: { code: string } }
    expect(install).toMatchObject({ ok: false, error: { code: 'conflict' } })
    expect((FakeTray.instances[0]!.menu as MenuTemplate).template.some((i) => i.label === 'Check for Updates')).toBe(false)
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
