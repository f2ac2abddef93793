// What the desktop app says when it cannot start all the way, as pure functions: which file is
// at fault and what fixes it (a dialog, a log line, the tray's error line and the dashboard all
// say the same), and what the app does next. It never exits: the tray stays up in its error
// state and the dashboard can repair the config.
import path from 'node:path'
import { describeLoadError, fixFor, type NativeBindingResolution } from './nativeBinding'

/** Where start-up stopped. */
export type StartupPhase = 'config' | 'native' | 'gateway' | 'listen'

export interface StartupFailure {
  phase: StartupPhase
  /** The one-line headline (dialog title / tray line). */
  summary: string
  /** What happened, naming the file. */
  message: string
  /** The file to look at or move. */
  file: string
  /** What to do, in a sentence (with the exact command when there is one). */
  fix: string
}

export interface StartupContext {
  userData: string
  logFile: string
  isPackaged: boolean
}

export const configFile = (ctx: Pick<StartupContext, 'userData'>): string => path.join(ctx.userData, 'config.json')
export const usageDbFile = (ctx: Pick<StartupContext, 'userData'>): string => path.join(ctx.userData, 'usage.db')

/** The native binding could not be found or loaded. */
export function nativeFailure(resolution: Extract<NativeBindingResolution, { ok: false }>): StartupFailure {
  return {
    phase: 'native',
    summary: 'The SQLite module for Electron is missing or does not match',
    message: resolution.message,
    file: resolution.file,
    fix: resolution.fix,
  }
}

/** config.json could not be opened (electron-store threw). */
export function configFailure(err: unknown, ctx: StartupContext): StartupFailure {
  const file = configFile(ctx)
  const code = errorCode(err)
  const access = code === 'EACCES' || code === 'EPERM' || code === 'EROFS'
  return {
    phase: 'config',
    summary: 'Switchyard cannot open its configuration',
    message: `${file} cannot be ${access ? 'read or written' : 'opened'}: ${firstLine(err)}.`,
    file,
    fix: access
      ? `Give your user read and write access to ${ctx.userData} and ${file}, then start Switchyard again.`
      : `Move ${file} somewhere else (Switchyard then starts without providers) or fix it by hand, then start Switchyard again.`,
  }
}

/** createGateway threw: usage.db, the SQLite addon, or something unforeseen. */
export function gatewayFailure(err: unknown, ctx: StartupContext & { nativeFile?: string; abi?: string; electron?: string }): StartupFailure {
  const text = firstLine(err)
  const code = errorCode(err)
  if (ctx.nativeFile && isNativeLoadError(err)) {
    const { problem, message } = describeLoadError(err, ctx.nativeFile, { abi: ctx.abi ?? '', electron: ctx.electron })
    return { phase: 'native', summary: 'The SQLite module for Electron does not load', message, file: ctx.nativeFile, fix: fixFor(ctx, problem) }
  }
  const db = usageDbFile(ctx)
  if (code.startsWith('SQLITE_') || /usage\.db|database/i.test(text)) {
    const corrupt = code === 'SQLITE_CORRUPT' || code === 'SQLITE_NOTADB' || /malformed|not a database/i.test(text)
    const access = code.startsWith('SQLITE_READONLY') || code.startsWith('SQLITE_CANTOPEN') || code === 'SQLITE_PERM' || code === 'EACCES' || code === 'EPERM'
    return {
      phase: 'gateway',
      summary: 'Switchyard cannot open its usage database',
      message: `${db} ${corrupt ? 'is damaged' : 'cannot be opened'}: ${text}.`,
      file: db,
      fix: corrupt
        ? `Quit Switchyard, move ${db} (with usage.db-wal and usage.db-shm beside it) to another folder, and start again: a new, empty usage database is created. Your configuration is not affected.`
        : access
          ? `Give your user read and write access to ${ctx.userData} (and the usage.db files in it), then start Switchyard again.`
          : `Check that ${ctx.userData} is on a writable disk with free space, then start Switchyard again.`,
    }
  }
  return {
    phase: 'gateway',
    summary: 'The gateway could not be started',
    message: `The gateway failed while starting: ${text}.`,
    file: ctx.logFile,
    fix: `The log file ${ctx.logFile} has the details; fix the configuration in the dashboard, or report the log lines if it keeps happening.`,
  }
}

/** The port could not be opened (in use, no permission, address not on this machine). */
export function listenFailure(status: { host: string; port: number; error?: string }, ctx: StartupContext): StartupFailure {
  const file = configFile(ctx)
  const reason = status.error ?? `cannot listen on ${status.host}:${status.port}`
  const inUse = /EADDRINUSE/.test(reason)
  const denied = /EACCES/.test(reason)
  const notHere = /EADDRNOTAVAIL/.test(reason)
  return {
    phase: 'listen',
    summary: `The gateway cannot listen on ${status.host}:${status.port}`,
    message: `${reason}.`,
    file,
    fix: inUse
      ? `Another program (or another copy of Switchyard) uses port ${status.port}. Stop it, or open the dashboard (Settings → Server) and choose another port; Switchyard starts listening as soon as the change is saved.`
      : denied
        ? `This system does not let Switchyard use port ${status.port}. Choose a port above 1023 in the dashboard (Settings → Server).`
        : notHere
          ? `${status.host} is not an address of this machine. Choose 127.0.0.1 in the dashboard (Settings → Server).`
          : `Change the address or port in the dashboard (Settings → Server), or in server.host / server.port of ${file}.`,
  }
}

/** What the gateway status and the tray show while the failure lasts. */
export function failureLine(failure: StartupFailure): string {
  return `${failure.message} ${failure.fix}`
}

export type DialogChoice = 'open-dashboard' | 'show-log' | 'dismiss'
export const DIALOG_BUTTONS: readonly { label: string; choice: DialogChoice }[] = [
  { label: 'Open Dashboard', choice: 'open-dashboard' },
  { label: 'Show Log File', choice: 'show-log' },
  { label: 'Close', choice: 'dismiss' },
]

/** The dialog (Electron's showMessageBox options) for a failure. */
export function failureDialog(failure: StartupFailure, logFile: string): { type: 'error'; title: string; message: string; detail: string; buttons: string[]; defaultId: number; cancelId: number; noLink: true } {
  return {
    type: 'error',
    title: 'Switchyard',
    message: failure.summary,
    detail: [failure.message, '', `File: ${failure.file}`, '', `Fix: ${failure.fix}`, '', `Switchyard keeps running in the tray. The log is ${logFile}.`].join('\n'),
    buttons: DIALOG_BUTTONS.map((b) => b.label),
    defaultId: 0,
    cancelId: DIALOG_BUTTONS.length - 1,
    noLink: true,
  }
}

export function dialogChoice(response: number): DialogChoice {
  return DIALOG_BUTTONS[response]?.choice ?? 'dismiss'
}

/** The log record (JSON fields) for a failure. */
export function failureLogFields(failure: StartupFailure, err?: unknown): Record<string, unknown> {
  return { phase: failure.phase, file: failure.file, fix: failure.fix, err: err === undefined ? undefined : firstLine(err) }
}

export function isNativeLoadError(err: unknown): boolean {
  const text = err instanceof Error ? err.message : String(err)
  const code = errorCode(err)
  return code === 'ERR_DLOPEN_FAILED' || /NODE_MODULE_VERSION|did not self-register|invalid ELF header|not a valid Win32 application|better_sqlite3\.node/.test(text)
}

function errorCode(err: unknown): string {
  const code = (err as { code?: unknown } | undefined)?.code
  return typeof code === 'string' ? code : ''
}

function firstLine(err: unknown): string {
  const text = err instanceof Error ? err.message : String(err)
  return (text.split('\n')[0] ?? text).trim().replace(/\.$/, '').slice(0, 300)
}
