// A ConfigStore on top of a `conf` instance (electron-store is one too): validated with the
// shared schema, written atomically by conf, and reloaded live when the file is edited by hand.
import type Conf from 'conf'
import { parseConfig, type Config } from '../../shared/config'
import type { ConfigStore } from '../gateway'
import type { Logger } from '../gateway'

export class ConfigFileError extends Error {}

export type ClosableConfigStore = ConfigStore & { close(): void }

export function confConfigStore(conf: Conf<Record<string, unknown>>, logger: Logger): ClosableConfigStore {
  const file = conf.path
  let raw: unknown
  try {
    raw = conf.store
  } catch (err) {
    throw new ConfigFileError(`cannot read config ${file}: ${(err as Error).message}`)
  }
  const initial = parseConfig(raw)
  if (!initial.ok) throw new ConfigFileError(`invalid config ${file}:\n  ${initial.errors.join('\n  ')}`)
  let current = initial.config
  let lastWritten = JSON.stringify(current)
  const listeners = new Set<(config: Config) => void>()
  const publish = (): void => listeners.forEach((l) => l(current))

  const stopWatching = conf.onDidAnyChange(() => {
    let raw: unknown
    try {
      raw = conf.store
    } catch (err) {
      logger.error({ file, err: (err as Error).message }, 'config file is not valid JSON; keeping the previous config')
      return
    }
    if (JSON.stringify(raw) === lastWritten) return // our own write coming back
    const parsed = parseConfig(raw)
    if (!parsed.ok) {
      logger.error({ file, errors: parsed.errors }, 'edited config is invalid; keeping the previous config')
      return
    }
    current = parsed.config
    lastWritten = JSON.stringify(current)
    logger.info({ file }, 'config reloaded from disk')
    publish()
  })

  return {
    get: () => current,
    async replace(next) {
      const parsed = parseConfig(next)
      if (!parsed.ok) throw new ConfigFileError(`invalid config: ${parsed.errors.join('; ')}`)
      current = parsed.config
      lastWritten = JSON.stringify(current)
      conf.store = current as unknown as Record<string, unknown>
      publish()
    },
    subscribe(listener) {
      listeners.add(listener)
      return () => listeners.delete(listener)
    },
    close() {
      stopWatching()
      conf._closeWatcher()
    },
  }
}
