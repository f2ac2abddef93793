// Self-update from GitHub Releases (electron-updater), as a pure state machine plus a small
// controller that owns the schedule. The machine: unsupported (unpackaged runs, a deb without a
// feed, ...) | disabled (setting off) | idle -> checking -> available -> downloading -> downloaded,
// and error from any check or download. The controller checks shortly after start and then once
// a day (an hourly tick compares against the last check, so a laptop that slept catches up), and
// "Restart to update" drains the gateway and flushes the ledger before electron-updater quits and
// installs. electron-updater itself is passed in (AutoUpdaterLike), so all of this runs under Node.
import type { UpdateChannel, UpdateStatus } from '../../shared/api'
import { ApiFailure } from '../gateway'
import type { Logger } from '../gateway'

export const FIRST_CHECK_DELAY_MS = 15_000
export const CHECK_INTERVAL_MS = 24 * 60 * 60_000
export const TICK_MS = 60 * 60_000
const MAX_NOTES_CHARS = 4000

export interface UpdaterModel {
  enabled: boolean
  status: UpdateStatus
}

export type UpdaterEvent =
  | { type: 'configure'; enabled: boolean; channel: UpdateChannel }
  | { type: 'check-started' }
  | { type: 'update-available'; version: string; releaseNotes?: string }
  | { type: 'update-not-available'; at: number }
  | { type: 'download-progress'; percent: number }
  | { type: 'update-downloaded'; version: string; releaseNotes?: string; at: number }
  | { type: 'error'; message: string; at: number }

export function initialUpdater(opts: { currentVersion: string; unsupportedReason?: string; enabled: boolean; channel: UpdateChannel }): UpdaterModel {
  const base = { currentVersion: opts.currentVersion, channel: opts.channel }
  if (opts.unsupportedReason !== undefined) return { enabled: false, status: { ...base, state: 'unsupported', reason: opts.unsupportedReason } }
  return { enabled: opts.enabled, status: opts.enabled ? { ...base, state: 'idle' } : { ...base, state: 'disabled', reason: 'automatic updates are turned off' } }
}

/** The next model; events that make no sense in the current state leave it as it is. */
export function updaterReducer(model: UpdaterModel, event: UpdaterEvent): UpdaterModel {
  const { status } = model
  if (status.state === 'unsupported') return model
  // A downloaded update stays on offer whatever happens later (a failed re-check, turning checks off).
  const holding = status.state === 'downloaded'
  const resting = (enabled: boolean, extra: Partial<UpdateStatus> = {}): UpdateStatus => ({
    currentVersion: status.currentVersion,
    channel: status.channel,
    lastCheckAt: status.lastCheckAt,
    ...(enabled ? { state: 'idle' as const } : { state: 'disabled' as const, reason: 'automatic updates are turned off' }),
    ...extra,
  })
  switch (event.type) {
    case 'configure': {
      const channel = event.channel
      if (holding || status.state === 'checking' || status.state === 'downloading') return { enabled: event.enabled, status: { ...status, channel } }
      if (status.state === 'available' && event.enabled) return { enabled: true, status: { ...status, channel } }
      return { enabled: event.enabled, status: { ...resting(event.enabled), channel } }
    }
    case 'check-started':
      if (holding || status.state === 'checking' || status.state === 'downloading') return model
      return { ...model, status: { currentVersion: status.currentVersion, channel: status.channel, lastCheckAt: status.lastCheckAt, state: 'checking' } }
    case 'update-available':
      if (holding) return model
      return { ...model, status: { currentVersion: status.currentVersion, channel: status.channel, lastCheckAt: status.lastCheckAt, state: 'available', version: event.version, releaseNotes: event.releaseNotes } }
    case 'download-progress':
      if (holding) return model
      return {
        ...model,
        status: { ...status, state: 'downloading', reason: undefined, percent: clampPercent(event.percent) },
      }
    case 'update-downloaded':
      return {
        ...model,
        status: {
          currentVersion: status.currentVersion,
          channel: status.channel,
          state: 'downloaded',
          version: event.version,
          releaseNotes: event.releaseNotes ?? status.releaseNotes,
          lastCheckAt: event.at,
        },
      }
    case 'update-not-available':
      if (holding) return model
      return { ...model, status: resting(model.enabled, { lastCheckAt: event.at }) }
    case 'error':
      if (holding) return model
      return { ...model, status: { currentVersion: status.currentVersion, channel: status.channel, state: 'error', reason: event.message, lastCheckAt: event.at } }
  }
}

/** Whether the daily check is due: on, not busy, and a day since the last finished check. */
export function checkDue(model: UpdaterModel, now: number, intervalMs = CHECK_INTERVAL_MS): boolean {
  if (!model.enabled) return false
  if (!['idle', 'error', 'available'].includes(model.status.state)) return false
  return model.status.lastCheckAt === undefined || now - model.status.lastCheckAt >= intervalMs
}

/** electron-updater's release notes (HTML from GitHub, or one entry per version) as plain text. */
export function releaseNotesText(notes: unknown): string | undefined {
  let text: string
  if (typeof notes === 'string') text = notes
  else if (Array.isArray(notes)) {
    text = notes
      .map((n) => (n && typeof n === 'object' ? `${(n as { version?: string }).version ?? ''}\n${(n as { note?: string | null }).note ?? ''}` : ''))
      .join('\n\n')
  } else return undefined
  const plain = text
    .replace(/<(br|\/p|\/li|\/h\d)\s*\/?>/gi, '\n')
    .replace(/<li[^>]*>/gi, '• ')
    .replace(/<[^>]*>/g, '')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&nbsp;/g, ' ')
    .replace(/&amp;/g, '&')
    .replace(/[ \t]+\n/g, '\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim()
  if (!plain) return undefined
  return plain.length > MAX_NOTES_CHARS ? `${plain.slice(0, MAX_NOTES_CHARS - 1)}…` : plain
}

/** The part of electron-updater's AppUpdater used here. */
export interface AutoUpdaterLike {
  autoDownload: boolean
  autoInstallOnAppQuit: boolean
  allowPrerelease: boolean
  allowDowngrade: boolean
  channel: string | null
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- electron-updater's events carry different payloads
  on(event: string, listener: (...args: any[]) => void): unknown
  checkForUpdates(): Promise<unknown>
  quitAndInstall(isSilent?: boolean, isForceRunAfter?: boolean): void
}

export interface UpdateTimers {
  setTimeout(fn: () => void, ms: number): unknown
  setInterval(fn: () => void, ms: number): unknown
  clear(handle: unknown): void
}

const nodeTimers: UpdateTimers = {
  setTimeout: (fn, ms) => setTimeout(fn, ms).unref(),
  setInterval: (fn, ms) => setInterval(fn, ms).unref(),
  clear: (h) => clearTimeout(h as NodeJS.Timeout),
}

export interface UpdateControllerDeps {
  /** Undefined where updates cannot work; `unsupportedReason` says why. */
  updater?: AutoUpdaterLike
  unsupportedReason?: string
  currentVersion: string
  settings: { autoUpdate(): boolean; channel(): UpdateChannel }
  /** Drains the gateway and flushes the ledger; resolves when it is safe to quit. */
  prepareRestart(): Promise<void>
  onChange?(status: UpdateStatus): void
  logger?: Logger
  now?: () => number
  timers?: UpdateTimers
  firstCheckDelayMs?: number
  tickMs?: number
  intervalMs?: number
}

export interface UpdateController {
  status(): UpdateStatus
  /** Checks now (a manual check works while automatic checks are off). */
  check(): Promise<UpdateStatus>
  /** Restarts into the downloaded update. */
  install(): Promise<UpdateStatus>
  /** Re-reads the settings (after the user changed them). */
  applySettings(): void
  dispose(): void
}

export function createUpdateController(deps: UpdateControllerDeps): UpdateController {
  const now = deps.now ?? Date.now
  const timers = deps.timers ?? nodeTimers
  const updater = deps.updater
  let model = initialUpdater({
    currentVersion: deps.currentVersion,
    unsupportedReason: updater ? undefined : (deps.unsupportedReason ?? 'updates are not available in this build'),
    enabled: deps.settings.autoUpdate(),
    channel: deps.settings.channel(),
  })
  let installing = false
  const dispatch = (event: UpdaterEvent): void => {
    const next = updaterReducer(model, event)
    if (next === model) return
    model = next
    deps.onChange?.(model.status)
  }
  const handles: unknown[] = []

  const configureUpdater = (): void => {
    if (!updater) return
    const beta = model.status.channel === 'beta'
    updater.autoDownload = true // in the background; installing waits for the user (or the next quit)
    updater.autoInstallOnAppQuit = true
    updater.allowDowngrade = false
    updater.allowPrerelease = beta
    updater.channel = beta ? 'beta' : 'latest'
  }

  let running: Promise<UpdateStatus> | undefined
  const check = (): Promise<UpdateStatus> => {
    if (!updater) return Promise.resolve(model.status)
    if (running) return running
    dispatch({ type: 'check-started' })
    running = updater
      .checkForUpdates()
      .then(
        () => model.status,
        (err: unknown) => {
          // electron-updater also emits `error`; this covers a rejection without one.
          if (model.status.state === 'checking') dispatch({ type: 'error', message: errorText(err), at: now() })
          return model.status
        },
      )
      .finally(() => {
        running = undefined
      })
    return running
  }

  if (updater) {
    configureUpdater()
    updater.on('checking-for-update', () => dispatch({ type: 'check-started' }))
    updater.on('update-available', (info: { version: string; releaseNotes?: unknown }) =>
      dispatch({ type: 'update-available', version: info.version, releaseNotes: releaseNotesText(info.releaseNotes) }),
    )
    updater.on('update-not-available', () => dispatch({ type: 'update-not-available', at: now() }))
    updater.on('download-progress', (progress: { percent: number }) => dispatch({ type: 'download-progress', percent: progress.percent }))
    updater.on('update-downloaded', (info: { version: string; releaseNotes?: unknown }) => {
      deps.logger?.info({ version: info.version }, 'update downloaded; it installs on restart')
      dispatch({ type: 'update-downloaded', version: info.version, releaseNotes: releaseNotesText(info.releaseNotes), at: now() })
    })
    updater.on('error', (err: unknown) => {
      deps.logger?.warn({ err: errorText(err) }, 'update check or download failed')
      dispatch({ type: 'error', message: errorText(err), at: now() })
    })
    const maybeCheck = (): void => {
      if (checkDue(model, now(), deps.intervalMs)) void check()
    }
    handles.push(timers.setTimeout(maybeCheck, deps.firstCheckDelayMs ?? FIRST_CHECK_DELAY_MS))
    handles.push(timers.setInterval(maybeCheck, deps.tickMs ?? TICK_MS))
  }

  return {
    status: () => model.status,
    check,
    async install() {
      if (!updater || model.status.state !== 'downloaded') {
        throw new ApiFailure('conflict', 'no update has been downloaded yet')
      }
      if (installing) return model.status
      installing = true
      deps.logger?.info({ version: model.status.version }, 'restarting to install the update')
      try {
        await deps.prepareRestart()
      } catch (err) {
        deps.logger?.error({ err: errorText(err) }, 'could not stop cleanly before the update; installing anyway')
      }
      updater.quitAndInstall(false, true)
      return model.status
    },
    applySettings() {
      dispatch({ type: 'configure', enabled: deps.settings.autoUpdate(), channel: deps.settings.channel() })
      configureUpdater()
    },
    dispose() {
      handles.forEach((h) => timers.clear(h))
      handles.length = 0
    },
  }
}

function clampPercent(p: number): number {
  return Number.isFinite(p) ? Math.max(0, Math.min(100, Math.round(p))) : 0
}

function errorText(err: unknown): string {
  const text = err instanceof Error ? err.message : String(err)
  // electron-updater puts whole HTTP responses into some messages; the first line says enough.
  return (text.split('\n')[0] ?? text).slice(0, 300)
}

/**
 * Why this run cannot update itself, or undefined when it can. Development runs never update;
 * neither does a build without a feed (app-update.yml is written only when publishing is
 * configured: named dev builds have none) nor a Linux install that is neither AppImage nor deb.
 */
export function updateSupport(rt: {
  isPackaged: boolean
  platform: NodeJS.Platform
  env: NodeJS.ProcessEnv
  /** app-update.yml exists in resources/. */
  hasFeed: boolean
  /** resources/package-type as electron-builder writes it for deb/rpm/pacman installs. */
  packageType?: string
}): string | undefined {
  if (!rt.isPackaged) return 'updates are installed only in packaged builds; this is a development run'
  if (rt.env.SWITCHYARD_DISABLE_UPDATES === '1') return 'updates are turned off by SWITCHYARD_DISABLE_UPDATES'
  if (!rt.hasFeed) return 'this build has no update feed (a development build)'
  if (rt.platform === 'linux' && !rt.env.APPIMAGE && rt.packageType !== 'deb') return 'only the AppImage and the .deb update themselves; update this installation with its package manager'
  return undefined
}
