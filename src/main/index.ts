// Electron entry: one instance per user, every renderer sandboxed, then the desktop app.
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { app } from 'electron'
import { startDesktopApp } from './app/desktopApp'
import { HIDDEN_ARG } from './app/loginItem'

// Tests and side-by-side profiles point the app at another data directory. It must be set
// before the single-instance lock, which is keyed on userData.
if (process.env.SWITCHYARD_USER_DATA_DIR) app.setPath('userData', path.resolve(process.env.SWITCHYARD_USER_DATA_DIR))

app.enableSandbox()

if (!app.requestSingleInstanceLock()) {
  // Another Switchyard owns the port and the config; it receives `second-instance` and shows its window.
  app.exit(0)
} else {
  startDesktopApp({
    mainDir: path.dirname(fileURLToPath(import.meta.url)),
    hidden: process.argv.includes(HIDDEN_ARG),
  }).catch((err: unknown) => {
    process.stderr.write(`switchyard: ${(err as Error)?.stack ?? String(err)}\n`)
    app.exit(1)
  })
}
