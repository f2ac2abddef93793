// Composition root of the desktop app: Electron adapters (electron-store config, safeStorage
// secrets, a log file in userData) -> the gateway core -> tray, window and IPC around it.
import path from 'node:path'
import { app, clipboard, dialog, ipcMain, Menu, nativeImage, Notification, safeStorage, Tray, type NativeImage } from 'electron'
import ElectronStore from 'electron-store'
import type { ApiHandlers } from '../../shared/api'
import { confConfigStore, type ClosableConfigStore } from '../config/confConfigStore'
import { createGateway, type Gateway } from '../gateway/createGateway'
import { keepLastGood, recoverConfigFile } from './configRecovery'
import { createDesktopSettings } from './desktopSettings'
import { encryptingConfigStore, secretStorageKind } from './encryptingConfigStore'
import { createFileLogger } from './fileLogger'
import { forwardEvents, registerIpc } from './ipc'
import { launchCommand, loginItemControl } from './loginItem'
import { createNotifier } from './notifier'
import { safeStorageSecretResolver } from './safeSecrets'
import { isTrustedSender, rendererTarget } from './senderPolicy'
import { createTrayController } from './tray'
import { trayIconFile, trayIconState, type TrayIconState } from './trayIcon'
import { createWindowController, type WindowController } from './window'

export interface DesktopAppOptions {
  /** Directory of the built main bundle (out/main); preload and renderer sit next to it. */
  mainDir: string
  /** Start without opening the window (login items, `--hidden`). */
  hidden?: boolean
}

export interface DesktopApp {
  gateway: Gateway
  windows: WindowController
  /** Stops the gateway and releases everything; app.quit() calls this through before-quit. */
  shutdown(): Promise<void>
}

export async function startDesktopApp(opts: DesktopAppOptions): Promise<DesktopApp | undefined> {
  // Registered before `ready`: a second launch may arrive while we are still starting.
  let showRequested = false
  const rememberShowRequest = (): void => {
    showRequested = true
  }
  app.on('second-instance', rememberShowRequest)

  await app.whenReady()
  const userData = app.getPath('userData')
  const log = createFileLogger(userData)
  const { logger, file: logFile } = log
  logger.info({ version: app.getVersion(), userData }, 'starting')

  let configStore: ClosableConfigStore
  let recoveryNotice: string | undefined
  try {
    // A damaged config.json is moved aside and the last good copy put back before the store reads it.
    recoveryNotice = recoverConfigFile(userData, { logger }).notice
    const store = new ElectronStore<Record<string, unknown>>({
      name: 'config',
      clearInvalidConfig: false, // never wipe the user's providers: recovery above keeps the file instead
      watch: true,
      accessPropertiesByDotNotation: false,
    })
    // Keys typed into the dashboard are encrypted with safeStorage before they reach the file.
    configStore = encryptingConfigStore(confConfigStore(store, logger), safeStorage)
  } catch (err) {
    logger.error({ err: (err as Error).message }, 'cannot load the config')
    log.flush()
    dialog.showErrorBox('Switchyard cannot start', `${(err as Error).message}\n\nFix the file and start Switchyard again.`)
    app.exit(1)
    return undefined
  }

  const stopLastGood = keepLastGood(userData, configStore, logger)
  const secretStorage = secretStorageKind(safeStorage)
  if (secretStorage === 'basic_text') logger.warn('no OS keyring: API keys saved from the dashboard are only obfuscated (safeStorage basic_text)')
  const settings = createDesktopSettings({
    store: new ElectronStore<Record<string, unknown>>({ name: 'settings', defaults: { notifications: false }, accessPropertiesByDotNotation: false }),
    loginItem: loginItemControl({ app, command: launchCommand(process.env, process.execPath, app.isPackaged, app.getAppPath()), logger }),
    secretStorage,
    notices: recoveryNotice ? [recoveryNotice] : [],
    logger,
  })

  const gateway = createGateway({
    configStore,
    secrets: safeStorageSecretResolver(safeStorage, logger),
    dataDir: userData,
    logger,
    version: app.getVersion(),
  })

  // Packaged builds copy resources/ next to app.asar (extraResources): native image loaders cannot read inside the archive.
  const resources = app.isPackaged ? path.join(process.resourcesPath, 'resources') : path.join(app.getAppPath(), 'resources')
  const target = rendererTarget({
    devServerUrl: process.env.ELECTRON_RENDERER_URL,
    isPackaged: app.isPackaged,
    rendererDir: path.join(opts.mainDir, '../renderer'),
  })
  const windowController = createWindowController({
    preloadPath: path.join(opts.mainDir, '../preload/index.cjs'),
    target,
    icon: path.join(resources, 'icon.png'),
    logger,
  })
  app.off('second-instance', rememberShowRequest)
  app.on('second-instance', () => windowController.show())

  const handlers: ApiHandlers = { ...gateway.api, ...settings.handlers }
  const disposeIpc = registerIpc(ipcMain, handlers, (event) => isTrustedSender(event, windowController.current(), target), logger)
  const stopForwarding = forwardEvents(gateway.events, (channel, payload) => windowController.send(channel, payload))

  // macOS tints "…Template" images for light and dark menu bars; elsewhere the coloured glyph reads on both.
  const icons = new Map<TrayIconState, NativeImage>()
  const icon = (state: TrayIconState): NativeImage => {
    let image = icons.get(state)
    if (!image) icons.set(state, (image = nativeImage.createFromPath(trayIconFile(resources, state, process.platform))))
    return image
  }
  const tray = new Tray(icon(trayIconState(gateway.status(), [])))
  const trayController = createTrayController({
    tray,
    buildMenu: (template) => Menu.buildFromTemplate(template),
    icon,
    gateway,
    configStore,
    settings,
    copyText: (text) => clipboard.writeText(text),
    openDashboard: () => windowController.show(),
    quit: () => app.quit(),
    logger,
  })
  const stopNotifier = createNotifier({
    events: gateway.events,
    configStore,
    enabled: () => settings.notificationsEnabled() && Notification.isSupported(),
    show: (notice) => {
      const n = new Notification({ title: notice.title, body: notice.body, silent: notice.kind === 'up' })
      n.on('click', () => windowController.show())
      n.show()
    },
    logger,
  })
  // Windows and most Linux trays: a plain click opens the dashboard and the menu is on right click.
  // On macOS a click opens the menu, so opening the window as well would be one thing too many.
  if (process.platform !== 'darwin') tray.on('click', () => windowController.show())

  app.on('activate', () => windowController.show()) // macOS: clicking the Dock icon
  // The app lives in the tray: closing the last window must not quit it.
  app.on('window-all-closed', () => undefined)

  let stopped: Promise<void> | undefined
  const shutdown = (): Promise<void> =>
    (stopped ??= (async () => {
      windowController.allowClose()
      trayController.dispose()
      stopNotifier()
      stopLastGood()
      stopForwarding()
      disposeIpc()
      try {
        await gateway.stop()
      } catch (err) {
        logger.error({ err: (err as Error)?.message }, 'gateway did not stop cleanly')
      }
      configStore.close()
      tray.destroy()
      logger.info('stopped')
      await log.close()
    })())

  let quitReady = false
  app.on('before-quit', (event) => {
    windowController.allowClose()
    if (quitReady) return
    // Hold the quit until in-flight requests finished and the ledger is flushed.
    event.preventDefault()
    void shutdown().then(() => {
      quitReady = true
      app.quit()
    })
  })

  try {
    await gateway.start()
  } catch (err) {
    // The gateway published an `error` status (e.g. port in use): the tray shows it, the app stays up.
    logger.error({ err: (err as Error).message, logFile }, 'gateway did not start')
  }

  // macOS has no login-item arguments; it tells us instead that it opened the app at login.
  const openedAtLogin = process.platform === 'darwin' && app.getLoginItemSettings().wasOpenedAtLogin
  if ((!opts.hidden && !openedAtLogin) || showRequested) windowController.show()
  if (recoveryNotice) {
    void dialog.showMessageBox({ type: 'warning', title: 'Switchyard', message: 'Your configuration was restored', detail: recoveryNotice, buttons: ['OK'] })
  }
  return { gateway, windows: windowController, shutdown }
}
