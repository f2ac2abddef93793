// Composition root of the gateway core: (configStore, secrets, dataDir, logger) -> Gateway.
// Runs identically inside Electron's main process and under plain Node.
import type { ApiHandlers, GatewayStatus } from '../../shared/api'
import type { Config } from '../../shared/config'
import { createApiHandlers } from './api/handlers'
import { GatewayError } from './errors'
import { EventHub } from './events'
import { PoolRegistry } from './forward/poolRegistry'
import type { Logger } from './log'
import { createOpenAIHandlers } from './protocols/openai/handler'
import { buildRuntime, type Runtime } from './runtime'
import type { HostRoutes } from './server/context'
import { HttpServer } from './server/httpServer'
import { createRequestListener } from './server/requestListener'
import { LiveStats } from './stats/liveStats'
import type { ConfigStore, SecretResolver } from './types'

export interface GatewayOptions {
  configStore: ConfigStore
  secrets: SecretResolver
  dataDir: string
  logger: Logger
  version?: string
  /** Extra routes the host serves on the gateway's port (headless: web bridge and dashboard). */
  hostRoutes?: (gateway: Gateway) => HostRoutes
}

export interface ListenOverride {
  host?: string
  port?: number
}

export interface Gateway {
  readonly api: ApiHandlers
  readonly events: EventHub
  readonly stats: LiveStats
  readonly logger: Logger
  readonly dataDir: string
  start(override?: ListenOverride): Promise<GatewayStatus>
  /** Stops accepting, lets responses finish for up to graceMs, then aborts the rest. */
  stop(graceMs?: number): Promise<void>
  status(): GatewayStatus
  setPaused(paused: boolean): void
  runtime(): Runtime
}

export const DEFAULT_GRACE_MS = 10_000

export function createGateway(opts: GatewayOptions): Gateway {
  const { configStore, secrets, logger } = opts
  const version = opts.version ?? '0.0.0'
  const stats = new LiveStats()
  const events = new EventHub()
  const pools = new PoolRegistry()
  let runtime = buildRuntime(configStore.get(), secrets)
  let server: HttpServer | undefined
  let listening: { host: string; port: number } | undefined
  let override: ListenOverride = {}
  let state: GatewayStatus['state'] = 'stopped'
  let lastError: string | undefined
  let paused = false
  let stopping = false

  const status = (): GatewayStatus => {
    const server = runtime.config.server
    const host = listening?.host ?? override.host ?? server.host
    const port = listening?.port ?? override.port ?? server.port
    return {
      state: paused && state === 'listening' ? 'paused' : state,
      url: listening ? `http://${urlHost(host)}:${port}` : undefined,
      host,
      port,
      error: lastError,
      activeProvider: runtime.config.activeProvider,
      version,
    }
  }
  const publishStatus = (): void => events.emit('status', status())

  const openai = createOpenAIHandlers({ pools, stats, logger })
  const api = createApiHandlers({ configStore, stats, status })

  const gateway: Gateway = {
    api,
    events,
    stats,
    logger,
    dataDir: opts.dataDir,
    start,
    stop,
    status,
    setPaused(next) {
      paused = next
      publishStatus()
    },
    runtime: () => runtime,
  }

  const listener = createRequestListener({
    runtime: () => runtime,
    openai,
    hostRoutes: opts.hostRoutes?.(gateway),
    refusal: () =>
      stopping
        ? new GatewayError('shutting_down', 'the gateway is shutting down', { retryAfterSec: 5 })
        : paused
          ? new GatewayError('gateway_paused', 'the gateway is paused; resume it from the Switchyard tray menu', { retryAfterSec: 5 })
          : undefined,
    onRejected: () => stats.rejected(),
    logger,
  })

  const unsubscribe = configStore.subscribe((config) => void applyConfig(config))
  const statsTicker = setInterval(() => {
    if (events.count('stats') > 0) events.emit('stats', stats.snapshot())
  }, 1000)
  statsTicker.unref()

  async function applyConfig(config: Config): Promise<void> {
    const previous = runtime
    try {
      runtime = buildRuntime(config, secrets)
    } catch (err) {
      logger.error({ err: (err as Error).message }, 'config rejected; keeping the previous one')
      return
    }
    pools.retainOnly([...runtime.providers.values()].map((p) => p.upstream))
    const before = previous.config.server
    const after = config.server
    if (server && listening && (before.host !== after.host || before.port !== after.port) && override.host === undefined && override.port === undefined) {
      await rebind(after.host, after.port)
    }
    publishStatus()
  }

  async function rebind(host: string, port: number): Promise<void> {
    const next = new HttpServer(listener)
    try {
      listening = await next.listen(host, port)
    } catch (err) {
      lastError = `cannot listen on ${host}:${port}: ${(err as Error).message}`
      logger.error({ host, port }, lastError)
      return
    }
    const old = server
    server = next
    lastError = undefined
    logger.info({ url: status().url }, 'listening')
    void old?.close(DEFAULT_GRACE_MS)
  }

  async function start(listen: ListenOverride = {}): Promise<GatewayStatus> {
    override = listen
    const cfg = runtime.config.server
    const host = listen.host ?? cfg.host
    const port = listen.port ?? cfg.port
    state = 'starting'
    server = new HttpServer(listener)
    try {
      listening = await server.listen(host, port)
    } catch (err) {
      state = 'error'
      lastError = `cannot listen on ${host}:${port}: ${(err as Error).message}`
      publishStatus()
      throw new Error(lastError)
    }
    state = 'listening'
    lastError = undefined
    logger.info({ url: status().url }, 'listening')
    publishStatus()
    return status()
  }

  async function stop(graceMs = DEFAULT_GRACE_MS): Promise<void> {
    stopping = true
    unsubscribe()
    clearInterval(statsTicker)
    await server?.close(graceMs)
    await pools.close()
    listening = undefined
    state = 'stopped'
    publishStatus()
  }

  return gateway
}

function urlHost(host: string): string {
  if (host === '0.0.0.0' || host === '::') return '127.0.0.1'
  return host.includes(':') && !host.startsWith('[') ? `[${host}]` : host
}
