// Composition root of the desktop app: Electron adapters (electron-store config, safeStorage
// secrets, a log file in userData, the Electron build of better-sqlite3) -> the gateway core ->
// tray, window, IPC, updater and the quit/session-end lifecycle around it. A start-up failure
// never ends the app: it is logged, shown in a dialog naming the file and the fix, and the tray
// stays up in its error state with the dashboard able to repair the config (startupFailure.ts).
import { createRequire } from 'node:module'
import path from 'node:path'
import { app, clipboard, dialog, ipcMain, Menu, nativeImage, Notification, powerMonitor, protocol, safeStorage, shell, Tray, type NativeImage } from 'electron'
import ElectronStore from 'electron-store'
import type { ApiHandlers } from '../../shared/api'
import { defaultConfig } from '../../shared/config'
import { confConfigStore, type ClosableConfigStore } from '../config/confConfigStore'
import { createGateway, type Gateway } from '../gateway'
import { applicationMenuTemplate } from './appMenu'
import { APP_SCHEME, appProtocolResponse } from './appProtocol'
import { keepLastGood, recoverConfigFile } from './configRecovery'
import { createDesktopSettings } from './desktopSettings'
import { encryptingConfigStore, secretStorageKind } from './encryptingConfigStore'
import { createFailedGateway, type HostGateway } from './failedGateway'
import { createFileLogger } from './fileLogger'
import { forwardEvents, registerIpc } from './ipc'
import { createNotificationKeeper, createQuitWatchdog, handleSessionEnd, QUIT_WATCHDOG_MS, type SessionEndKind } from './lifecycle'
import { launchCommand, loginItemControl } from './loginItem'
import { resolveNativeBinding, verifyNativeBinding } from './nativeBinding'
import { createNotifier } from './notifier'
import { safeStorageSecretResolver } from './safeSecrets'
import { isTrustedSender, rendererTarget } from './senderPolicy'
import { configFailure, dialogChoice, failureDialog, failureLogFields, gatewayFailure, listenFailure, nativeFailure, type StartupFailure } from './startupFailure'
import { createTrayController } from './tray'
import { launchWindowDecision, trayBehaviour } from './trayBehaviour'
import { trayIconFile, trayIconState, type TrayIconState } from './trayIcon'
import { createUpdateController, type AutoUpdaterLike, type UpdateController } from './updater'
import { loadUpdater, nativeRuntime, openSettingsStore } from './desktopHost'
import { createWindowController, type WindowController } from './window'
import { watchWindowsSessionEnd } from './sessionGuard'

export interface DesktopAppOptions {
  /** Directory of the built main bundle (out/main); preload and renderer sit next to it. */
  mainDir: string
  /** Start without opening the window (login items, `--hidden`). */
  hidden?: boolean
  /** Loads the native addon once to check it (default: require). Tests pass their own. */
  loadNative?: (file: string) => unknown
  /** electron-updater's autoUpdater; imported lazily, and only where updates are supported. */
  loadUpdater?: () => Promise<AutoUpdaterLike>
  /** The gateway factory (tests inject failures the real one cannot be made to produce on demand). */
  createGateway?: typeof createGateway
}

export interface DesktopApp {
  gateway: HostGateway
  /** Why start-up stopped short, if it did. */
  failure?: StartupFailure
  windows: WindowController
  updates: UpdateController
  /** Stops the gateway and releases everything; app.quit() calls this through before-quit. */
  shutdown(): Promise<void>
}

export async function startDesktopApp(opts: DesktopAppOptions): Promise<DesktopApp> {
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
  logger.info({ version: app.getVersion(), userData, packaged: app.isPackaged }, 'starting')
  const ctx = { userData, logFile, isPackaged: app.isPackaged }

  const template = applicationMenuTemplate({ platform: process.platform, isPackaged: app.isPackaged, appName: app.getName?.() ?? 'Switchyard' })
  Menu.setApplicationMenu(template ? Menu.buildFromTemplate(template) : null)

  const target = rendererTarget({ devServerUrl: process.env.ELECTRON_RENDERER_URL, isPackaged: app.isPackaged, rendererDir: path.join(opts.mainDir, '../renderer') })
  if (target.kind === 'app') protocol.handle(APP_SCHEME, (request) => appProtocolResponse(request, target.rendererDir))

  let failure: StartupFailure | undefined
  let configStore: ClosableConfigStore | undefined
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
    failure = configFailure(err, ctx)
    logger.error(failureLogFields(failure, err), failure.summary)
  }

  const stopLastGood = configStore ? keepLastGood(userData, configStore, logger) : () => undefined
  const secretStorage = secretStorageKind(safeStorage)
  if (secretStorage === 'basic_text') logger.warn('no OS keyring: API keys saved from the dashboard are only obfuscated (safeStorage basic_text)')
  const settings = createDesktopSettings({
    store: openSettingsStore(logger),
    loginItem: loginItemControl({ app, command: launchCommand(process.env, process.execPath, app.isPackaged, app.getAppPath()), logger }),
    secretStorage,
    notices: recoveryNotice ? [recoveryNotice] : [],
    logger,
  })

  let gateway: Gateway | undefined
  if (!failure && configStore) {
    const rt = nativeRuntime()
    const native = verifyNativeBinding(resolveNativeBinding(rt), rt, opts.loadNative ?? createRequire(import.meta.url))
    if (!native.ok) {
      failure = nativeFailure(native)
      logger.error(failureLogFields(failure), failure.summary)
    } else {
      try {
        gateway = (opts.createGateway ?? createGateway)({
          configStore,
          secrets: safeStorageSecretResolver(safeStorage, logger),
          dataDir: userData,
          logger,
          version: app.getVersion(),
          nativeBinding: native.file,
        })
      } catch (err) {
        failure = gatewayFailure(err, { ...ctx, nativeFile: native.file, abi: rt.abi, electron: rt.electron })
        logger.error(failureLogFields(failure, err), failure.summary)
      }
    }
  }
  const host: HostGateway = gateway ?? createFailedGateway({ failure: failure!, configStore, version: app.getVersion(), dataDir: userData })

  // Packaged builds copy resources/ next to app.asar (extraResources): native image loaders cannot read inside the archive.
  const resources = app.isPackaged ? path.join(process.resourcesPath, 'resources') : path.join(app.getAppPath(), 'resources')
  let allowClose = (): void => undefined
  const sessionEnd = (kind: SessionEndKind, event?: { preventDefault?(): void }): void =>
    handleSessionEnd(kind, event, {
      log: (k) => logger.warn({ event: k }, 'the session is ending: flushing the ledger'),
      allowClose: () => allowClose(),
      flushNow: () => {
        gateway?.usage.ledger.flushAll()
        log.flush()
      },
      beginShutdown: () => void shutdown(),
      quit: () => app.quit(),
    })
  const windowController = createWindowController({
    preloadPath: path.join(opts.mainDir, '../preload/index.cjs'),
    target,
    icon: path.join(resources, 'icon.png'),
    devTools: !app.isPackaged,
    logger,
  })
  allowClose = () => windowController.allowClose()
  app.off('second-instance', rememberShowRequest)
  app.on('second-instance', () => windowController.show())

  let shutdown: () => Promise<void> = async () => undefined
  const updates = createUpdateController({
    ...(await loadUpdater(opts, logger)),
    currentVersion: app.getVersion(),
    settings: { autoUpdate: () => settings.autoUpdate(), channel: () => settings.updateChannel() },
    // "Restart to update" drains the gateway and flushes the ledger before electron-updater quits.
    prepareRestart: () => shutdown(),
    onChange: (status) => host.events.emit('update', status),
    logger,
  })
  const handlers: ApiHandlers = {
    ...host.api,
    ...settings.handlers,
    async updateDesktopSettings(patch) {
      const next = await settings.handlers.updateDesktopSettings(patch)
      if (patch.autoUpdate !== undefined || patch.updateChannel !== undefined) updates.applySettings()
      return next
    },
    getUpdateStatus: async () => updates.status(),
    checkForUpdates: () => updates.check(),
    installUpdate: () => updates.install(),
  }
  const disposeIpc = registerIpc(ipcMain, handlers, (event) => isTrustedSender(event, windowController.current(), target), logger)
  const stopForwarding = forwardEvents(host.events, (channel, payload) => windowController.send(channel, payload))
  const updateListeners = new Set<() => void>()
  const updateEvents = { status: () => updates.status(), check: () => updates.check(), install: () => updates.install(), onChange: (l: () => void) => (updateListeners.add(l), () => void updateListeners.delete(l)) }
  host.events.on('update', () => updateListeners.forEach((l) => l()))

  // macOS tints "…Template" images for light and dark menu bars; elsewhere the coloured glyph reads on both.
  const behaviour = trayBehaviour(process.platform)
  const icons = new Map<TrayIconState, NativeImage>()
  const icon = (state: TrayIconState): NativeImage => {
    let image = icons.get(state)
    if (!image) icons.set(state, (image = nativeImage.createFromPath(trayIconFile(resources, state, process.platform))))
    return image
  }
  const tray = new Tray(icon(trayIconState(host.status(), [])))
  let trayTemplate: Parameters<typeof Menu.buildFromTemplate>[0] = []
  const trayController = createTrayController({
    tray,
    buildMenu: (items) => Menu.buildFromTemplate((trayTemplate = items)),
    icon,
    gateway: host,
    configStore: configStore ?? { get: () => defaultConfig(), subscribe: () => () => undefined },
    settings,
    copyText: (text) => clipboard.writeText(text),
    openDashboard: (view) => windowController.show(view),
    quit: () => app.quit(),
    updates: updateEvents,
    openDashboardFirst: behaviour.openDashboardFirst,
    startupFailed: failure !== undefined,
    showLog: () => shell.showItemInFolder(logFile),
    restartApp: () => {
      app.relaunch()
      app.quit()
    },
    logger,
  })
  if (behaviour.clickOpensDashboard) tray.on('click', () => windowController.show())
  // The Electron e2e (tests/e2e/electron.spec.ts) reads the tray menu through app.evaluate; the OS
  // offers no way to open a tray menu from a test. Development runs only.
  if (process.env.SWITCHYARD_E2E === '1' && !app.isPackaged) {
    ;(globalThis as { __switchyardE2E?: unknown }).__switchyardE2E = {
      trayLabels: () => trayTemplate.map((item) => item.label ?? `(${item.type ?? 'normal'})`),
      clickTray: (label: string) => (trayTemplate.find((item) => item.label === label)?.click as (() => void) | undefined)?.(),
      status: () => host.status(),
      failure: () => failure,
    }
  }

  const keeper = createNotificationKeeper<Notification>()
  const stopNotifier = createNotifier({
    events: host.events,
    configStore: configStore ?? { get: () => defaultConfig() },
    enabled: () => settings.notificationsEnabled() && Notification.isSupported(),
    show: (notice) => {
      const n = new Notification({ title: notice.title, body: notice.body, silent: notice.kind === 'up' })
      n.on('click', () => windowController.show())
      keeper.show(n) // held until clicked or closed, so the click is not lost to garbage collection
    },
    logger,
  })

  app.on('activate', () => windowController.show()) // macOS: clicking the Dock icon
  // The app lives in the tray: closing the last window must not quit it.
  app.on('window-all-closed', () => undefined)
  powerMonitor.on('shutdown', ((event?: { preventDefault?(): void }) => sessionEnd('shutdown', event)) as () => void)
  const stopSessionGuard = process.platform === 'win32' ? watchWindowsSessionEnd(sessionEnd) : () => undefined

  const watchdog = createQuitWatchdog({
    onExpire: () => {
      logger.error({ timeoutMs: QUIT_WATCHDOG_MS }, 'quit watchdog: the graceful stop hung; exiting now')
      log.flush()
      app.exit(0)
    },
  })
  let stopped: Promise<void> | undefined
  let shutdownDone = false
  shutdown = (): Promise<void> =>
    (stopped ??= (async () => {
      watchdog.arm()
      windowController.allowClose()
      updates.dispose()
      trayController.dispose()
      stopNotifier()
      stopLastGood()
      stopForwarding()
      disposeIpc()
      stopSessionGuard()
      if (target.kind === 'app') protocol.unhandle(APP_SCHEME)
      try {
        await gateway?.stop() // drains requests (config's shutdownGraceMs), then flushes and closes the ledger
      } catch (err) {
        logger.error({ err: (err as Error)?.message }, 'gateway did not stop cleanly')
      }
      configStore?.close()
      tray.destroy()
      logger.info('stopped')
      await log.close()
      shutdownDone = true
      watchdog.disarm()
    })())

  app.on('before-quit', (event) => {
    windowController.allowClose()
    if (shutdownDone) return
    // Hold the quit until in-flight requests finished and the ledger is flushed; the watchdog ends a hang.
    event.preventDefault()
    watchdog.arm()
    void shutdown().then(() => app.quit())
  })

  if (gateway) {
    try {
      await gateway.start()
    } catch (err) {
      // The gateway published an `error` status (e.g. port in use): the tray shows it, the app stays up,
      // and a port or address changed in the dashboard makes it listen at once.
      failure = listenFailure(gateway.status(), ctx)
      logger.error(failureLogFields(failure, err), failure.summary)
    }
  }

  // macOS has no login-item arguments; it tells us instead that it opened the app at login.
  const openedAtLogin = process.platform === 'darwin' && app.getLoginItemSettings().wasOpenedAtLogin
  const launch = launchWindowDecision({ hidden: opts.hidden === true, openedAtLogin, showRequested, firstLaunchDone: settings.firstLaunchDone() })
  if (launch.markFirstLaunchDone) settings.markFirstLaunchDone()
  if (launch.showWindow) windowController.show()
  if (failure) {
    const shown = failure
    void dialog.showMessageBox(failureDialog(shown, logFile)).then(({ response }) => {
      const choice = dialogChoice(response)
      if (choice === 'open-dashboard') windowController.show()
      if (choice === 'show-log') shell.showItemInFolder(logFile)
    })
  } else if (recoveryNotice) {
    void dialog.showMessageBox({ type: 'warning', title: 'Switchyard', message: 'Your configuration was restored', detail: recoveryNotice, buttons: ['OK'] })
  }
  updates.applySettings()
  return { gateway: host, failure, windows: windowController, updates, shutdown }
}
