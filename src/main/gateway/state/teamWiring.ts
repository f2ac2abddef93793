// How a gateway joins its team: the pieces of createGateway that connect admission, health,
// app keys, the config and usage to the state store. With the embedded store every hook is a
// no-op, so a single machine runs the same code path and pays nothing.
import { createHash } from 'node:crypto'
import { parseConfig, type Config } from '../../../shared/config'
import type { Admission } from '../admission/admission'
import type { ConfigStore } from '../common/types'
import type { Logger } from '../common/log'
import type { HealthRegistry } from '../health/healthRegistry'
import type { UsageService } from '../usage/usageService'
import type { StateStore } from './stateStore'

/** The parts of the config a team shares; `server` and `state` stay each instance's own. */
const SHARED_KEYS = ['activeProvider', 'providers', 'routes', 'routing', 'usage'] as const

export function sharedPart(config: Config): { doc: Record<string, unknown>; hash: string } {
  const doc: Record<string, unknown> = {}
  for (const k of SHARED_KEYS) if (config[k] !== undefined) doc[k] = config[k]
  const hash = createHash('sha256').update(JSON.stringify(doc)).digest('hex').slice(0, 32)
  return { doc, hash }
}

export interface TeamDeps {
  state: StateStore
  admission: Admission
  health: HealthRegistry
  usage: UsageService
  configStore: ConfigStore
  logger: Logger
  /** Re-applies every app's limits to admission (after the team's app keys changed). */
  applyAppLimits(): void
}

/** Connects the gateway to its team; returns the disconnect. */
export function joinTeam(deps: TeamDeps): () => void {
  const { state, health, usage, configStore, logger } = deps
  if (state.backend === 'embedded') return () => undefined
  const off: Array<() => void> = []

  // A breaker that opens, closes or cools down here does so everywhere.
  off.push(health.onTransition((t) => state.health.publish(t)))
  off.push(state.health.onRemote((e) => health.applyShared(e)))

  // App keys: made or revoked anywhere, valid or refused everywhere (hashes only).
  off.push(
    usage.appKeys.onChange((change) => {
      if (change.kind === 'created') state.appKeys.created(change.record)
      else state.appKeys.revoked(change.name, change.keyHash)
    }),
  )
  off.push(
    state.appKeys.onChange((team) => {
      const merged = usage.appKeys.mergeTeam(team)
      for (const record of merged.onlyHere) state.appKeys.created(record)
      if (merged.changed) deps.applyAppLimits()
    }),
  )

  // Usage rollups: every finished request adds to the team's hourly totals.
  usage.tapRows((row) =>
    state.usage.record({
      ts: row.ts,
      provider: row.provider,
      app: row.app,
      model: row.upstreamModel || row.routeModel,
      ok: row.state === 'ok',
      promptTokens: row.promptTokens,
      completionTokens: row.completionTokens,
      costUsd: row.costUsd,
    }),
  )
  off.push(() => usage.tapRows(undefined))

  // The config: a change made on any instance applies on all (their server and state sections stay theirs).
  if (configStore.get().state?.shareConfig !== false) {
    const publish = (config: Config): void => {
      const { doc, hash } = sharedPart(config)
      state.config.publish(doc, hash)
    }
    publish(configStore.get())
    off.push(configStore.subscribe(publish))
    off.push(
      state.config.onRemote((doc, hash) => {
        const current = configStore.get()
        if (sharedPart(current).hash === hash) return
        const parsed = parseConfig({ ...current, ...doc, server: current.server, state: current.state, version: current.version })
        if (!parsed.ok) {
          logger.warn({ errors: parsed.errors.slice(0, 5) }, 'the team config does not validate here; keeping this instance\'s config')
          return
        }
        logger.info({ hash }, 'config changed by another instance of the team: applying it')
        configStore.replace(parsed.config).catch((err: unknown) => logger.warn({ err: (err as Error).message }, 'could not store the team config'))
      }),
    )
  }
  return () => off.forEach((f) => f())
}
