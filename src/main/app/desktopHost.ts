// The Electron-side services desktopApp.ts composes, each a small function over Electron's app:
// facts about the running Electron for the native-binding check, the settings store (with a
// fallback when userData is unwritable), and electron-updater, loaded only where updates work.
import fs from 'node:fs'
import { createRequire } from 'node:module'
import path from 'node:path'
import { app } from 'electron'
import ElectronStore from 'electron-store'
import type { Logger } from '../gateway'
import type { SettingsStoreLike } from './desktopSettings'
import type { NativeRuntime } from './nativeBinding'
import { updateSupport, type AutoUpdaterLike } from './updater'

/** What the native-binding check needs to know about the running Electron. */
export function nativeRuntime(): NativeRuntime {
  let moduleVersion: string | undefined
  try {
    moduleVersion = (createRequire(import.meta.url)('better-sqlite3/package.json') as { version: string }).version
  } catch {
    moduleVersion = undefined
  }
  return {
    isPackaged: app.isPackaged,
    appRoot: app.getAppPath(),
    resourcesPath: process.resourcesPath,
    platform: process.platform,
    arch: process.arch,
    abi: process.versions.modules,
    electron: process.versions.electron,
    moduleVersion,
  }
}

/** Where updates cannot work, why; else electron-updater's autoUpdater (loaded only then). */
export async function loadUpdater(opts: { loadUpdater?: () => Promise<AutoUpdaterLike> }, logger: Logger): Promise<{ updater?: AutoUpdaterLike; unsupportedReason: string }> {
  const unsupportedReason = updateSupport({
    isPackaged: app.isPackaged,
    platform: process.platform,
    env: process.env,
    hasFeed: app.isPackaged && fs.existsSync(path.join(process.resourcesPath, 'app-update.yml')),
    packageType: app.isPackaged ? readText(path.join(process.resourcesPath, 'package-type')) : undefined,
  })
  if (unsupportedReason !== undefined) return { unsupportedReason }
  try {
    const updater = await (opts.loadUpdater ?? loadElectronUpdater)()
    ;(updater as AutoUpdaterLike & { logger?: unknown }).logger = updaterLogger(logger)
    return { updater, unsupportedReason: '' }
  } catch (err) {
    logger.warn({ err: (err as Error).message }, 'electron-updater could not be loaded; updates are off')
    return { unsupportedReason: `the updater could not be loaded (${(err as Error).message})` }
  }
}

/** settings.json; an unwritable userData must not stop the app, so it falls back to memory. */
export function openSettingsStore(logger: Logger): SettingsStoreLike {
  try {
    return new ElectronStore<Record<string, unknown>>({ name: 'settings', defaults: { notifications: false }, accessPropertiesByDotNotation: false })
  } catch (err) {
    logger.warn({ err: (err as Error).message }, 'settings.json cannot be opened; desktop settings last only for this run')
    const values = new Map<string, unknown>()
    return { get: (k) => values.get(k), set: (k, v) => void values.set(k, v) }
  }
}

async function loadElectronUpdater(): Promise<AutoUpdaterLike> {
  // electron-updater is CommonJS: its exports arrive as the default export of the ESM namespace.
  const mod = (await import('electron-updater')) as unknown as { autoUpdater?: AutoUpdaterLike; default?: { autoUpdater: AutoUpdaterLike } }
  const updater = mod.default?.autoUpdater ?? mod.autoUpdater
  if (!updater) throw new Error('electron-updater has no autoUpdater')
  return updater
}

function updaterLogger(logger: Logger): Record<'info' | 'warn' | 'error' | 'debug', (message: unknown) => void> {
  const text = (m: unknown): string => (m instanceof Error ? m.message : String(m)).split('\n')[0]!.slice(0, 300)
  return {
    info: (m) => logger.info({ updater: text(m) }, 'updater'),
    warn: (m) => logger.warn({ updater: text(m) }, 'updater'),
    error: (m) => logger.error({ updater: text(m) }, 'updater'),
    debug: () => undefined,
  }
}

function readText(file: string): string | undefined {
  try {
    return fs.readFileSync(file, 'utf8').trim()
  } catch {
    return undefined
  }
}
