import path from 'node:path'
import Conf from 'conf'
import { ConfigFileError, confConfigStore, type ClosableConfigStore } from '../config/confConfigStore'
import type { Logger } from '../gateway'

/** Headless config: the --config file, or `<data-dir>/config.json`, through `conf`. */
export function openFileConfigStore(file: string, logger: Logger): ClosableConfigStore {
  const ext = path.extname(file)
  let conf: Conf<Record<string, unknown>>
  try {
    conf = new Conf<Record<string, unknown>>({
      cwd: path.dirname(file),
      configName: path.basename(file, ext),
      fileExtension: ext.replace(/^\./, ''),
      watch: true,
      clearInvalidConfig: false,
      accessPropertiesByDotNotation: false,
    })
  } catch (err) {
    throw new ConfigFileError(`cannot read config ${file}: ${(err as Error).message}`)
  }
  return confConfigStore(conf, logger)
}
