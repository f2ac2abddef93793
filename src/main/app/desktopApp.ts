// Composition root of the desktop app: Electron adapters (electron-store config, safeStorage
// secrets, a log file in userData) -> the gateway core -> tray, window and IPC around it.
import path from 'node:path'
import { app, dialog, ipcMain, Menu, nativeImage, safeStorage, Tray } from 'electron'
import ElectronStore from 'electron-store'
import { confConfigStore, type ClosableConfigStore } from '../config/confConfigStore'
import { createGateway, DEFAULT_GRACE_MS, type Gateway } from '../gateway/createGateway'
import { createFileLogger } from './fileLogger'
import { forwardEvents, registerIpc } from './ipc'
import { safeStorageSecretResolver } from './safeSecrets'
import { isTrustedSender, rendererTarget } from './senderPolicy'
import { createTrayController } from './tray'
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
  try {
    const store = new ElectronStore<Record<string, unknown>>({
      name: 'config',
      clearInvalidConfig: false, // a hand-edited typo must not wipe the user's providers
      watch: true,
      accessPropertiesByDotNotation: false,
    })
    configStore = confConfigStore(store, logger)
  } catch (err) {
    logger.error({ err: (err as Error).message }, 'cannot load the config')
    log.flush()
    dialog.showErrorBox('Switchyard cannot start', `${(err as Error).message}\n\nFix the file and start Switchyard again.`)
    app.exit(1)
    return undefined
  }

  const gateway = createGateway({
    configStore,
    secrets: safeStorageSecretResolver(safeStorage, logger),
    dataDir: userData,
    logger,
    version: app.getVersion(),
  })

  const resources = path.join(app.getAppPath(), 'resources')
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

  const disposeIpc = registerIpc(ipcMain, gateway.api, (event) => isTrustedSender(event, windowController.current(), target), logger)
  const stopForwarding = forwardEvents(gateway.events, (channel, payload) => windowController.send(channel, payload))

  // macOS tints "…Template" images for light and dark menu bars; elsewhere the coloured glyph reads on both.
  const trayImage = nativeImage.createFromPath(path.join(resources, process.platform === 'darwin' ? 'trayTemplate.png' : 'tray.png'))
  const tray = new Tray(trayImage)
  const trayController = createTrayController({
    tray,
    buildMenu: (template) => Menu.buildFromTemplate(template),
    gateway,
    configStore,
    openDashboard: () => windowController.show(),
    quit: () => app.quit(),
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
      stopForwarding()
      disposeIpc()
      try {
        await gateway.stop(DEFAULT_GRACE_MS)
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

  if (!opts.hidden || showRequested) windowController.show()
  return { gateway, windows: windowController, shutdown }
}
