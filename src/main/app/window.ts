// The dashboard window: created on demand, hidden (not closed) when the user closes it so the
// app lives on in the tray, and locked down: sandboxed renderer, no navigation away from our
// page, no new windows, no permissions.
import { BrowserWindow, nativeTheme, shell, type WebPreferences } from 'electron'
import { hashFor, type ViewId } from '../../shared/dashboardViews'
import type { Logger } from '../gateway'
import { externalLinkDecision, isPermissionAllowed, isRendererUrl, type RendererTarget } from './senderPolicy'

/** DevTools only in unpackaged runs: a shipped app must not open them (nor answer their shortcut). */
export function secureWebPreferences(preloadPath: string, opts: { devTools?: boolean } = {}): WebPreferences {
  return {
    preload: preloadPath,
    devTools: opts.devTools ?? false,
    contextIsolation: true,
    sandbox: true,
    nodeIntegration: false,
    nodeIntegrationInWorker: false,
    nodeIntegrationInSubFrames: false,
    webSecurity: true,
    allowRunningInsecureContent: false,
    webviewTag: false,
    navigateOnDragDrop: false,
    spellcheck: false,
  }
}

export interface WindowControllerOptions {
  preloadPath: string
  target: RendererTarget
  icon?: string
  /** Unpackaged runs only. */
  devTools?: boolean
  logger: Logger
  /** Called with each new window (the app hangs the Windows session-end listeners on it). */
  onCreate?(win: BrowserWindow): void
}

export interface WindowController {
  /** Shows (creating if needed) and focuses the window; on `view` when given, else where it was. */
  show(view?: ViewId): void
  /** The live window, if any; the IPC sender check compares against it. */
  current(): BrowserWindow | undefined
  /** Sends an event to the renderer when a window exists (hidden ones too, so they are current when shown). */
  send(channel: string, payload: unknown): void
  /** From now on closing really closes (the app is quitting). */
  allowClose(): void
}

export function createWindowController(opts: WindowControllerOptions): WindowController {
  let window: BrowserWindow | undefined
  let quitting = false

  function create(view?: ViewId): BrowserWindow {
    const win = new BrowserWindow({
      width: 1100,
      height: 740,
      // The dashboard is laid out (and tested) down to 900x600.
      minWidth: 900,
      minHeight: 600,
      show: false,
      title: 'Switchyard',
      icon: opts.icon,
      autoHideMenuBar: true,
      // Matches the renderer's first paint so opening the window does not flash white in dark mode.
      backgroundColor: nativeTheme.shouldUseDarkColors ? '#101014' : '#ffffff',
      webPreferences: secureWebPreferences(opts.preloadPath, { devTools: opts.devTools }),
    })
    lockDown(win, opts.target, opts.logger)
    win.on('close', (event) => {
      if (quitting) return
      event.preventDefault()
      win.hide()
    })
    win.on('closed', () => {
      if (window === win) window = undefined
    })
    win.once('ready-to-show', () => win.show())
    opts.onCreate?.(win)
    win.loadURL(dashboardUrl(opts.target.url, view)).catch((err: unknown) => opts.logger.error({ err: (err as Error)?.message }, 'window: cannot load the dashboard'))
    return win
  }

  return {
    show(view) {
      if (!window || window.isDestroyed()) {
        window = create(view)
        return // shown on ready-to-show
      }
      // Only the hash changes: Chromium navigates within the page (no reload), the dashboard's
      // hashchange listener switches the screen, and the URL stays one guardNavigation allows.
      if (view) window.webContents.loadURL(dashboardUrl(opts.target.url, view)).catch((err: unknown) => opts.logger.warn({ err: (err as Error)?.message }, 'window: cannot switch the screen'))
      if (window.isMinimized()) window.restore()
      window.show()
      window.focus()
    },
    current: () => (window && !window.isDestroyed() ? window : undefined),
    send(channel, payload) {
      if (window && !window.isDestroyed()) window.webContents.send(channel, payload)
    },
    allowClose() {
      quitting = true
    },
  }
}

/** The renderer's URL, opening on `view` when given (`app://switchyard/index.html#/tools`). */
export function dashboardUrl(base: string, view?: ViewId): string {
  return view ? `${base.replace(/#.*$/, '')}${hashFor(view)}` : base
}

/** Keeps the window on our page: navigation elsewhere, popups, webviews and permissions (but copying) are refused. */
export function lockDown(win: BrowserWindow, target: RendererTarget, logger: Logger): void {
  const contents = win.webContents
  const guardNavigation = (event: { preventDefault(): void }, url: string): void => {
    if (isRendererUrl(target, url)) return
    event.preventDefault()
    logger.warn({ url: url.slice(0, 200) }, 'window: blocked navigation away from the dashboard')
    if (externalLinkDecision(url) === 'open-external') void shell.openExternal(url)
  }
  contents.on('will-navigate', guardNavigation)
  contents.on('will-redirect', guardNavigation)
  contents.setWindowOpenHandler(({ url }) => {
    if (externalLinkDecision(url) === 'open-external') void shell.openExternal(url)
    return { action: 'deny' }
  })
  contents.on('will-attach-webview', (event) => event.preventDefault())
  contents.session.setPermissionRequestHandler((_contents, permission, callback) => callback(isPermissionAllowed(permission)))
  contents.session.setPermissionCheckHandler((_contents, permission) => isPermissionAllowed(permission))
}
