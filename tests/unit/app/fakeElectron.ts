// A small stand-in for the parts of Electron the main process uses. Electron cannot start on
// this machine, so tests vi.mock('electron') with this module and drive it like the OS would.
import { EventEmitter } from 'node:events'
import { vi } from 'vitest'

export interface PreventableEvent {
  defaultPrevented: boolean
  preventDefault(): void
}
export const preventable = (): PreventableEvent => ({
  defaultPrevented: false,
  preventDefault() {
    this.defaultPrevented = true
  },
})

class FakeSession {
  permissionRequest?: (contents: unknown, permission: string, callback: (granted: boolean) => void) => void
  permissionCheck?: (contents: unknown, permission: string) => boolean
  setPermissionRequestHandler(fn: FakeSession['permissionRequest']): void {
    this.permissionRequest = fn
  }
  setPermissionCheckHandler(fn: FakeSession['permissionCheck']): void {
    this.permissionCheck = fn
  }
}

export class FakeWebContents extends EventEmitter {
  readonly session = new FakeSession()
  readonly sent: [string, unknown][] = []
  windowOpenHandler?: (details: { url: string }) => { action: string }
  setWindowOpenHandler(fn: FakeWebContents['windowOpenHandler']): void {
    this.windowOpenHandler = fn
  }
  send(channel: string, payload: unknown): void {
    this.sent.push([channel, payload])
  }
  /** URLs loaded into the existing page (the window's first load is FakeBrowserWindow.loaded). */
  readonly loads: string[] = []
  async loadURL(url: string): Promise<void> {
    this.loads.push(url)
  }
}

export class FakeBrowserWindow extends EventEmitter {
  static instances: FakeBrowserWindow[] = []
  readonly webContents = new FakeWebContents()
  visible = false
  destroyed = false
  minimized = false
  loaded?: { file?: string; url?: string }
  focus = vi.fn()
  restore = vi.fn(() => (this.minimized = false))

  constructor(readonly options: Record<string, unknown>) {
    super()
    FakeBrowserWindow.instances.push(this)
  }
  async loadFile(file: string): Promise<void> {
    this.loaded = { file }
  }
  async loadURL(url: string): Promise<void> {
    this.loaded = { url }
  }
  show(): void {
    this.visible = true
  }
  hide(): void {
    this.visible = false
  }
  isVisible(): boolean {
    return this.visible
  }
  isMinimized(): boolean {
    return this.minimized
  }
  isDestroyed(): boolean {
    return this.destroyed
  }
  /** What the user clicking the close button does. */
  close(): void {
    const event = preventable()
    this.emit('close', event)
    if (event.defaultPrevented) return
    this.destroyed = true
    this.visible = false
    this.emit('closed')
  }
}

export class FakeTray extends EventEmitter {
  static instances: FakeTray[] = []
  menu: unknown
  tooltip = ''
  destroyed = false
  constructor(public image: unknown) {
    super()
    FakeTray.instances.push(this)
  }
  setContextMenu(menu: unknown): void {
    this.menu = menu
  }
  setToolTip(text: string): void {
    this.tooltip = text
  }
  setImage(image: unknown): void {
    this.image = image
  }
  destroy(): void {
    this.destroyed = true
  }
}

export class FakeApp extends EventEmitter {
  userData = ''
  appPath = ''
  quitted = false
  exitCode: number | undefined
  whenReady = (): Promise<void> => Promise.resolve()
  getPath = (name: string): string => {
    if (name !== 'userData') throw new Error(`unexpected getPath(${name})`)
    return this.userData
  }
  setPath = vi.fn()
  getVersion = (): string => '9.9.9-test'
  getName = (): string => 'Switchyard'
  relaunch = vi.fn()
  getAppPath = (): string => this.appPath
  isPackaged = false
  loginItem = { openAtLogin: false, wasOpenedAtLogin: false }
  getLoginItemSettings = vi.fn(() => ({ ...this.loginItem }))
  setLoginItemSettings = vi.fn((settings: { openAtLogin: boolean }) => {
    this.loginItem.openAtLogin = settings.openAtLogin
  })
  enableSandbox = vi.fn()
  requestSingleInstanceLock = vi.fn(() => true)
  exit = vi.fn((code?: number) => {
    this.exitCode = code
  })
  /** Like Electron: before-quit may be prevented; otherwise the app quits. */
  quit = vi.fn(() => {
    const event = preventable()
    this.emit('before-quit', event)
    if (!event.defaultPrevented) this.quitted = true
  })
}

export const app = new FakeApp()
export const BrowserWindow = FakeBrowserWindow
export const Tray = FakeTray
export const Menu = {
  applied: undefined as unknown,
  buildFromTemplate: (template: unknown[]) => ({ template }),
  setApplicationMenu: vi.fn((menu: unknown) => void (Menu.applied = menu)),
}
/** protocol.handle registrations, by scheme. */
export const protocol = {
  handlers: new Map<string, (request: Request) => Promise<Response>>(),
  registerSchemesAsPrivileged: vi.fn(),
  handle(scheme: string, handler: (request: Request) => Promise<Response>) {
    if (this.handlers.has(scheme)) throw new Error(`The scheme "${scheme}" is already handled`)
    this.handlers.set(scheme, handler)
  },
  unhandle(scheme: string) {
    this.handlers.delete(scheme)
  },
}
export const powerMonitor = new EventEmitter()
/** A native window without web contents (the Windows session guard). */
export class BaseWindow extends EventEmitter {
  static instances: BaseWindow[] = []
  destroyed = false
  constructor(readonly options: Record<string, unknown>) {
    super()
    BaseWindow.instances.push(this)
  }
  destroy(): void {
    this.destroyed = true
  }
  isDestroyed(): boolean {
    return this.destroyed
  }
}
export const nativeImage = { createFromPath: (path: string) => ({ path }) }
export const nativeTheme = { shouldUseDarkColors: false }
export const shell = { openExternal: vi.fn(async () => undefined), showItemInFolder: vi.fn() }
export const dialog = { showErrorBox: vi.fn(), showMessageBox: vi.fn(async (_options: Record<string, unknown>) => ({ response: 0, checkboxChecked: false })) }
export const clipboard = { text: '', writeText: vi.fn((text: string) => void (clipboard.text = text)) }
export class Notification extends EventEmitter {
  static shown: { title: string; body: string }[] = []
  static instances: Notification[] = []
  static isSupported = (): boolean => true
  constructor(readonly options: { title: string; body: string }) {
    super()
  }
  show(): void {
    Notification.shown.push({ title: this.options.title, body: this.options.body })
    Notification.instances.push(this)
  }
}
/** Encrypts by reversing the bytes behind a tag, so a test can tell ciphertext from the key. */
export const safeStorage = {
  backend: 'gnome_libsecret',
  isEncryptionAvailable: () => true,
  encryptString: (s: string) => Buffer.from(`enc:${[...s].reverse().join('')}`),
  decryptString: (b: Buffer) => [...b.toString().slice(4)].reverse().join(''),
  getSelectedStorageBackend: () => safeStorage.backend,
}
export const ipcMain = {
  handlers: new Map<string, (...args: unknown[]) => unknown>(),
  handle(channel: string, fn: (...args: unknown[]) => unknown) {
    if (this.handlers.has(channel)) throw new Error(`Attempted to register a second handler for '${channel}'`)
    this.handlers.set(channel, fn)
  },
  removeHandler(channel: string) {
    this.handlers.delete(channel)
  },
}
export default { app, BrowserWindow, BaseWindow, Tray, Menu, nativeImage, nativeTheme, shell, dialog, clipboard, Notification, safeStorage, ipcMain, protocol, powerMonitor }
