import path from 'node:path'
import { beforeEach, describe, expect, it, vi } from 'vitest'

vi.mock('electron', () => import('./fakeElectron'))

import { FakeBrowserWindow, preventable, shell } from './fakeElectron'
import { createWindowController, dashboardUrl, secureWebPreferences } from '../../../src/main/app/window'
import { rendererTarget } from '../../../src/main/app/senderPolicy'
import { silentLogger } from '../../../src/main/gateway/common/log'

const rendererDir = path.resolve('/opt/switchyard/out/renderer')
const target = rendererTarget({ isPackaged: true, rendererDir })

function open() {
  const controller = createWindowController({ preloadPath: '/opt/switchyard/out/preload/index.cjs', target, logger: silentLogger() })
  controller.show()
  const win = FakeBrowserWindow.instances.at(-1)!
  return { controller, win }
}

beforeEach(() => {
  FakeBrowserWindow.instances.length = 0
  shell.openExternal.mockClear()
})

describe('secureWebPreferences', () => {
  it('isolates and sandboxes the renderer with our preload', () => {
    expect(secureWebPreferences('/p/index.cjs')).toMatchObject({
      preload: '/p/index.cjs',
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
      devTools: false,
    })
    expect(secureWebPreferences('/p/index.cjs', { devTools: true }).devTools).toBe(true)
  })
})

describe('window controller', () => {
  it('creates the window hidden with secure preferences, loads the built page and shows it when ready', () => {
    const { win } = open()
    expect(win.options.webPreferences).toEqual(secureWebPreferences('/opt/switchyard/out/preload/index.cjs'))
    expect(win.options.show).toBe(false)
    expect(win.loaded).toEqual({ url: 'app://switchyard/index.html' })
    expect(win.options.webPreferences).toMatchObject({ devTools: false }) // packaged unless told otherwise
    expect(win.visible).toBe(false)
    win.emit('ready-to-show')
    expect(win.visible).toBe(true)
  })

  it('loads the dev server URL in development', () => {
    const dev = rendererTarget({ devServerUrl: 'http://localhost:5173', isPackaged: false, rendererDir })
    createWindowController({ preloadPath: '/p', target: dev, logger: silentLogger() }).show()
    expect(FakeBrowserWindow.instances.at(-1)!.loaded).toEqual({ url: 'http://localhost:5173/' })
  })

  it('hides to the tray on close, and reuses the window on the next show', () => {
    const { controller, win } = open()
    win.emit('ready-to-show')
    win.close()
    expect(win.destroyed).toBe(false)
    expect(win.visible).toBe(false)
    controller.show()
    expect(FakeBrowserWindow.instances).toHaveLength(1)
    expect(win.visible).toBe(true)
    expect(win.focus).toHaveBeenCalled()
  })

  it('show(view) opens the dashboard on that screen: a new window loads it, an open one only changes the hash', () => {
    const controller = createWindowController({ preloadPath: '/p', target, logger: silentLogger() })
    controller.show('tools')
    const win = FakeBrowserWindow.instances.at(-1)!
    expect(win.loaded).toEqual({ url: 'app://switchyard/index.html#/tools' })
    win.emit('ready-to-show')
    win.close()
    controller.show('tools')
    controller.show() // no view: stays where it is
    expect(win.webContents.loads).toEqual(['app://switchyard/index.html#/tools'])
    expect(win.visible).toBe(true)
    expect(dashboardUrl('http://localhost:5173/#/usage', 'tools')).toBe('http://localhost:5173/#/tools')
  })

  it('really closes once quitting, and a later show creates a new window', () => {
    const { controller, win } = open()
    controller.allowClose()
    win.close()
    expect(win.destroyed).toBe(true)
    expect(controller.current()).toBeUndefined()
    controller.show()
    expect(FakeBrowserWindow.instances).toHaveLength(2)
  })

  it('sends events only to a live window', () => {
    const { controller, win } = open()
    controller.send('switchyard:event:status', { state: 'listening' })
    expect(win.webContents.sent).toEqual([['switchyard:event:status', { state: 'listening' }]])
    controller.allowClose()
    win.close()
    expect(() => controller.send('switchyard:event:status', {})).not.toThrow()
    expect(win.webContents.sent).toHaveLength(1)
  })
})

describe('lockdown', () => {
  it('blocks navigation away from our page; https links go to the browser', () => {
    const { win } = open()
    const ours = preventable()
    win.webContents.emit('will-navigate', ours, `${target.url}#/x`)
    expect(ours.defaultPrevented).toBe(false)

    const foreign = preventable()
    win.webContents.emit('will-navigate', foreign, 'https://example.com/phish')
    expect(foreign.defaultPrevented).toBe(true)
    expect(shell.openExternal).toHaveBeenCalledWith('https://example.com/phish')

    const file = preventable()
    win.webContents.emit('will-redirect', file, 'file:///etc/passwd')
    expect(file.defaultPrevented).toBe(true)
    expect(shell.openExternal).toHaveBeenCalledTimes(1)
  })

  it('denies every new window', () => {
    const { win } = open()
    expect(win.webContents.windowOpenHandler!({ url: 'https://example.com/' })).toEqual({ action: 'deny' })
    expect(win.webContents.windowOpenHandler!({ url: 'javascript:alert(1)' })).toEqual({ action: 'deny' })
    expect(shell.openExternal).toHaveBeenCalledTimes(1)
  })

  it('refuses webviews and permissions other than clipboard writing', () => {
    const { win } = open()
    const attach = preventable()
    win.webContents.emit('will-attach-webview', attach)
    expect(attach.defaultPrevented).toBe(true)
    const answers: Record<string, boolean> = {}
    for (const p of ['media', 'notifications', 'clipboard-sanitized-write']) win.webContents.session.permissionRequest!(win.webContents, p, (g) => (answers[p] = g))
    expect(answers).toEqual({ media: false, notifications: false, 'clipboard-sanitized-write': true })
    expect(win.webContents.session.permissionCheck!(win.webContents, 'geolocation')).toBe(false)
  })
})
