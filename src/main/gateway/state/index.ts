// The state/ folder's entry: pick the store a config asks for.
import type { Config } from '../../../shared/config'
import type { Logger } from '../common/log'
import type { SecretResolver } from '../common/types'
import { RedisStateStore } from './redisStateStore'
import { EmbeddedStateStore, type StateStore } from './stateStore'

export type { StateStore, StateStatus, InstanceInfo, HealthEvent, SharedAppKey } from './stateStore'
export { EmbeddedStateStore } from './stateStore'

export interface StateStoreOptions {
  version: string
  logger: Logger
  secrets: SecretResolver
  /** Tests shorten the RPM/TPM window; the store must use the same one as admission. */
  windowMs?: number
  leaseTtlMs?: number
  usageRetentionDays?: () => number
}

/** `state.redis` set (and resolvable): the team's Redis store; otherwise the embedded one. */
export function createStateStore(config: Config, opts: StateStoreOptions): StateStore {
  const section = config.state
  const url = section?.redis === undefined ? undefined : opts.secrets.resolve(section.redis, 'state')
  if (!url) {
    if (section?.redis !== undefined) opts.logger.warn({ redis: section.redis }, 'state.redis does not resolve (unset environment variable?): running alone, nothing is shared')
    return new EmbeddedStateStore(opts.version)
  }
  return new RedisStateStore({
    url,
    prefix: section?.prefix,
    failMode: section?.failMode,
    commandTimeoutMs: section?.timeoutMs,
    version: opts.version,
    logger: opts.logger,
    windowMs: opts.windowMs,
    leaseTtlMs: opts.leaseTtlMs,
    usageRetentionDays: opts.usageRetentionDays,
  })
}
