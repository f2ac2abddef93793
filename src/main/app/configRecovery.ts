// Keeps the desktop app's config.json loadable. Before electron-store opens it: a file that is
// not JSON or does not pass the shared schema is moved aside as config.corrupt-<time>.json and
// the last good copy (config.last-good.json, written after every successful load and save) is
// put in its place, with a notice for the user. Older versions are migrated and written back.
import fs from 'node:fs'
import path from 'node:path'
import { CONFIG_VERSION, parseConfig, type Config } from '../../shared/config'
import type { Logger } from '../gateway'
import type { ConfigStore } from '../gateway'

export const CONFIG_FILE = 'config.json'
export const LAST_GOOD_FILE = 'config.last-good.json'

export interface RecoveryResult {
  /** What the user should be told (the file was damaged and replaced); undefined when all was well. */
  notice?: string
  /** Where the damaged file was moved. */
  quarantined?: string
}

/** `2026-05-01T10-20-30-123Z`: sortable and valid in file names on every OS. */
export function fileStamp(date: Date): string {
  return date.toISOString().replace(/[:.]/g, '-')
}

export function quarantineName(date: Date): string {
  return `config.corrupt-${fileStamp(date)}.json`
}

type Reading = { kind: 'missing' } | { kind: 'ok'; config: Config; migrated: boolean } | { kind: 'bad'; reason: string }

export function readConfigFile(file: string): Reading {
  let text: string
  try {
    text = fs.readFileSync(file, 'utf8')
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { kind: 'missing' }
    return { kind: 'bad', reason: (err as Error).message }
  }
  let raw: unknown
  try {
    raw = JSON.parse(text)
  } catch (err) {
    return { kind: 'bad', reason: `not valid JSON (${(err as Error).message})` }
  }
  const parsed = parseConfig(raw)
  if (!parsed.ok) return { kind: 'bad', reason: parsed.errors.slice(0, 3).join('; ') }
  const version = (raw as { version?: unknown }).version
  return { kind: 'ok', config: parsed.config, migrated: typeof version === 'number' && version < CONFIG_VERSION }
}

/** Write to a temporary file next to the target, then rename over it: readers never see half a file. */
export function writeFileAtomic(file: string, text: string): void {
  const tmp = `${file}.${process.pid}.${Date.now()}.tmp`
  fs.writeFileSync(tmp, text, { mode: 0o600 })
  try {
    fs.renameSync(tmp, file)
  } catch (err) {
    fs.rmSync(tmp, { force: true })
    throw err
  }
}

export function recoverConfigFile(dir: string, opts: { now?: () => Date; logger?: Logger } = {}): RecoveryResult {
  const now = opts.now ?? (() => new Date())
  const file = path.join(dir, CONFIG_FILE)
  const reading = readConfigFile(file)
  if (reading.kind === 'missing') return {}
  if (reading.kind === 'ok') {
    if (reading.migrated) {
      writeFileAtomic(file, JSON.stringify(reading.config, null, 2))
      opts.logger?.info({ file, version: CONFIG_VERSION }, 'config migrated to the current version')
    }
    return {}
  }

  const quarantined = path.join(dir, quarantineName(now()))
  fs.renameSync(file, quarantined)
  const lastGood = readConfigFile(path.join(dir, LAST_GOOD_FILE))
  const kept = `The damaged file was kept as ${path.basename(quarantined)}.`
  let notice: string
  if (lastGood.kind === 'ok') {
    writeFileAtomic(file, JSON.stringify(lastGood.config, null, 2))
    notice = `config.json could not be used (${reading.reason}), so the last good copy was restored. ${kept}`
  } else {
    notice = `config.json could not be used (${reading.reason}) and there is no good copy to restore, so Switchyard started without providers. ${kept}`
  }
  opts.logger?.error({ file, quarantined, reason: reading.reason, restored: lastGood.kind === 'ok' }, 'config file was damaged')
  return { notice, quarantined }
}

/** Writes config.last-good.json now and after every config the store publishes (saves and valid hand edits). */
export function keepLastGood(dir: string, store: Pick<ConfigStore, 'get' | 'subscribe'>, logger?: Logger): () => void {
  const file = path.join(dir, LAST_GOOD_FILE)
  const write = (config: Config): void => {
    try {
      writeFileAtomic(file, JSON.stringify(config, null, 2))
    } catch (err) {
      logger?.warn({ file, err: (err as Error).message }, 'cannot write the last good config copy')
    }
  }
  write(store.get())
  return store.subscribe(write)
}
