// Opening usage.db so that accounting trouble degrades accounting, never proxying (issue 11):
// - a corrupt file is moved aside (timestamped, next to it) and a fresh ledger is started;
// - a data dir or file that cannot be written leaves the ledger in memory for this run (a copy
//   of what the old file holds when it can still be read, so app keys and history keep working),
//   with a persistent warning.
import fs from 'node:fs'
import path from 'node:path'
import Database from 'better-sqlite3'

export type LedgerStorage = 'file' | 'memory'

export interface OpenedLedgerFile<T> {
  db: Database.Database
  prepared: T
  storage: LedgerStorage
  /** Something the user must hear about for as long as this run lasts (logged once here). */
  notice?: string
}

export interface LedgerFileLogger {
  warn(obj: object, msg: string): void
  error(obj: object, msg: string): void
}

const CORRUPT = /^SQLITE_(NOTADB|CORRUPT)/
const UNWRITABLE = /^(EACCES|EPERM|EROFS|ENOTDIR|EISDIR|ENOSPC|SQLITE_CANTOPEN|SQLITE_READONLY|SQLITE_FULL|SQLITE_PERM|SQLITE_AUTH|SQLITE_IOERR)/

function codeOf(err: unknown): string {
  const code = (err as { code?: unknown } | undefined)?.code
  return typeof code === 'string' ? code : ''
}

/**
 * Opens `file` and runs `prepare` on it (schema, reconciliation); on a corrupt or unwritable
 * database recovers as described above. Anything else is a bug and is thrown.
 */
export function openLedgerFile<T>(file: string, prepare: (db: Database.Database) => T, logger?: LedgerFileLogger, now = Date.now, nativeBinding?: string): OpenedLedgerFile<T> {
  const options: Database.Options | undefined = nativeBinding ? { nativeBinding } : undefined
  let failure: unknown
  try {
    fs.mkdirSync(path.dirname(file), { recursive: true })
    return { ...openWith(file, prepare, options), storage: 'file' }
  } catch (err) {
    failure = err
  }
  if (CORRUPT.test(codeOf(failure))) {
    const aside = moveAside(file, now())
    const notice = `usage.db was corrupt (${codeOf(failure)}); it was moved to ${aside} and a fresh ledger was started at ${file}`
    logger?.warn({ file, movedTo: aside, err: (failure as Error).message }, notice)
    try {
      return { ...openWith(file, prepare, options), storage: 'file', notice }
    } catch (err) {
      failure = err
    }
  }
  if (CORRUPT.test(codeOf(failure)) || UNWRITABLE.test(codeOf(failure))) {
    const notice = `usage is not being saved: ${file} cannot be written (${codeOf(failure)}: ${(failure as Error).message}); this run's usage is kept in memory only. Fix the data directory's permissions or free space and restart`
    logger?.error({ file, err: (failure as Error).message }, notice)
    const db = new Database(readableCopy(file, options) ?? ':memory:', options)
    return { db, prepared: prepare(db), storage: 'memory', notice }
  }
  throw failure
}

function openWith<T>(file: string, prepare: (db: Database.Database) => T, options: Database.Options | undefined): { db: Database.Database; prepared: T } {
  const db = new Database(file, options)
  try {
    return { db, prepared: prepare(db) }
  } catch (err) {
    db.close()
    throw err
  }
}

/** usage.db (and its WAL and shared-memory files) -> usage.db.corrupt-<time>; returns the new name. */
function moveAside(file: string, at: number): string {
  const stamp = new Date(at).toISOString().replace(/[:.]/g, '-')
  const aside = `${file}.corrupt-${stamp}`
  for (const suffix of ['', '-wal', '-shm', '-journal']) {
    if (fs.existsSync(file + suffix)) fs.renameSync(file + suffix, aside + suffix)
  }
  return aside
}

/** The old database's content as an in-memory image, when it can still be read. */
function readableCopy(file: string, options: Database.Options | undefined): Buffer | undefined {
  try {
    const source = new Database(file, { ...options, readonly: true, fileMustExist: true })
    try {
      source.pragma('schema_version')
      return source.serialize()
    } finally {
      source.close()
    }
  } catch {
    return undefined
  }
}
