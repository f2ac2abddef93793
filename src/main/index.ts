// Electron entry: one instance per user, every renderer sandboxed and served from app://, then
// the desktop app. Whatever start-up meets is handled inside startDesktopApp (dialog, log, tray
// in its error state); the catch below is only for a defect in that handling itself.
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { app, dialog, protocol } from 'electron'
import { appUserModelId } from './app/appIdentity'
import { APP_SCHEME_PRIVILEGES } from './app/appProtocol'
import { startDesktopApp } from './app/desktopApp'
import { logFilePath } from './app/fileLogger'
import { HIDDEN_ARG } from './app/loginItem'

// Tests and side-by-side profiles point the app at another data directory. It must be set
// before the single-instance lock, which is keyed on userData.
if (process.env.SWITCHYARD_USER_DATA_DIR) app.setPath('userData', path.resolve(process.env.SWITCHYARD_USER_DATA_DIR))

app.enableSandbox()
// app:// must be declared before `ready` to be a standard, secure origin (ES modules, CSP 'self').
protocol.registerSchemesAsPrivileged([APP_SCHEME_PRIVILEGES])
// Windows files notifications and taskbar entries under this id; it must match the installer's shortcut.
if (process.platform === 'win32') app.setAppUserModelId(appUserModelId(app.isPackaged, process.execPath))

if (!app.requestSingleInstanceLock()) {
  // Another Switchyard owns the port and the config; it receives `second-instance` and shows its window.
  app.exit(0)
} else {
  startDesktopApp({
    mainDir: path.dirname(fileURLToPath(import.meta.url)),
    hidden: process.argv.includes(HIDDEN_ARG),
  }).catch((err: unknown) => {
    const text = (err as Error)?.stack ?? String(err)
    process.stderr.write(`switchyard: ${text}\n`)
    dialog.showErrorBox('Switchyard cannot start', `${(err as Error)?.message ?? String(err)}\n\nThe log may say more: ${logFilePath(app.getPath('userData'))}`)
    app.exit(1)
  })
}
