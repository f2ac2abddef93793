// Composition root of the gateway core: (configStore, secrets, dataDir, logger) -> Gateway.
// Runs identically inside Electron's main process and under plain Node.
import type { ApiHandlers, GatewayStatus, StatsSnapshot } from '../../shared/api'
import type { Config } from '../../shared/config'
import { Admission, type AdmissionOptions } from './admission/admission'
import { defaultTokenCounter } from './admission/tokenCounter'
import { createApiHandlers } from './api/handlers'
import { GatewayError } from './common/errors'
import { EventHub } from './common/events'
import { PoolRegistry } from './forward/poolRegistry'
import { BackendClient } from './providers/backendClient'
import type { Logger } from './common/log'
import { ThrottledLog } from './common/logThrottle'
import { authorizeCaller } from './server/ingress/readRequest'
import { createModelRequestHandler, recordRejection } from './server/ingress/modelRequest'
import type { KeepAliveTiming } from './pipeline/keepAlive'
import { createAnthropicHandlers } from './server/ingress/anthropic'
import { createOpenAIHandlers } from './server/ingress/openai'
import { usableModels } from './routing/candidates'
import { Router, type RouterOptions } from './routing/router'
import { buildRuntime, withBindHost, type Runtime } from './runtime/runtime'
import type { HostRoutes } from './pipeline/context'
import { isLoopbackHost } from './server/guard'
import { HttpServer } from './server/httpServer'
import { createRequestListener } from './server/requestListener'
import { LiveStats } from './stats/liveStats'
import type { ConfigStore, SecretResolver } from './common/types'
import { identifyApp } from './usage/identifyApp'
import { UsageService } from './usage/usageService'
import { serveMetrics } from './server/metricsRoute'

export interface GatewayOptions {
  configStore: ConfigStore
  secrets: SecretResolver
  dataDir: string
  logger: Logger
  version?: string
  /** Extra routes the host serves on the gateway's port (headless: web bridge and dashboard). */
  hostRoutes?: (gateway: Gateway) => HostRoutes
  /** Health probes, load metrics and model discovery against the backends (default on). */
  sideChannels?: boolean
  /**
   * Routing tunables passed to the Router: side-channel intervals, breaker/ejection options (via
   * `health`), failover policy, clock and randomness. Defaults are the product's; tests shorten them.
   */
  routing?: Omit<RouterOptions, 'inFlight' | 'sideChannels' | 'onModelsChanged'>
  /** Admission tunables (window length, clock, scheduler); defaults are the product's, tests shorten them. */
  admission?: Omit<AdmissionOptions, 'providers'>
  /** SSE keep-alive timing for streaming callers that wait (default: after 5 s, every 10 s). */
  keepAlive?: KeepAliveTiming
  /**
   * Path of the better-sqlite3 addon built for this host's ABI. The Electron app passes its own
   * build (src/main/app/nativeBinding.ts); plain Node leaves it out and uses node_modules'.
   */
  nativeBinding?: string
}

export interface ListenOverride {
  host?: string
  port?: number
}

export interface Gateway {
  readonly api: ApiHandlers
  readonly events: EventHub
  readonly stats: LiveStats
  readonly router: Router
  readonly admission: Admission
  readonly usage: UsageService
  readonly logger: Logger
  readonly dataDir: string
  start(override?: ListenOverride): Promise<GatewayStatus>
  /** Stops accepting, lets responses finish for up to graceMs, aborts the rest, flushes the ledger. */
  stop(graceMs?: number): Promise<void>
  status(): GatewayStatus
  setPaused(paused: boolean): void
  runtime(): Runtime
}

export const DEFAULT_GRACE_MS = 10_000
/** After the connections closed, how long the last rows may take (a first tokenizer load is ~1 s). */
const METER_DRAIN_MS = 5_000

export function createGateway(opts: GatewayOptions): Gateway {
  const { configStore, secrets, logger } = opts
  const version = opts.version ?? '0.0.0'
  const stats = new LiveStats()
  const events = new EventHub()
  const pools = new PoolRegistry()
  const initialUsage = configStore.get().usage
  const usage = new UsageService({
    dataDir: opts.dataDir,
    logger,
    nativeBinding: opts.nativeBinding,
    timeZone: initialUsage?.timeZone,
    // A ledger that cannot write (locked, disk full) shows as status().ledgerWarning at once.
    ledger: { retentionDays: initialUsage?.retentionDays, onHealthChange: () => publishStatus() },
  })
  let override: ListenOverride = {}
  let runtime = buildRuntime(configStore.get(), secrets)
  const admission = new Admission({ onTokenLimits: () => void defaultTokenCounter.warmUp(), ...opts.admission, providers: admissionConfig(runtime.config) })
  const router = new Router({
    ...opts.routing,
    inFlight: (id) => stats.inFlightFor(id),
    sideChannels: opts.sideChannels ?? true,
    onModelsChanged: () => publishStatus(),
  })
  router.applyRuntime(runtime)
  let server: HttpServer | undefined
  let listening: { host: string; port: number } | undefined
  let state: GatewayStatus['state'] = 'stopped'
  let lastError: string | undefined
  let paused = false
  let stopping = false

  const status = (): GatewayStatus => {
    const cfg = runtime.config.server
    const host = listening?.host ?? override.host ?? cfg.host
    const port = listening?.port ?? override.port ?? cfg.port
    return {
      state: paused && state === 'listening' ? 'paused' : state,
      url: listening ? `http://${urlHost(host)}:${port}` : undefined,
      host,
      port,
      error: lastError,
      activeProvider: runtime.config.activeProvider,
      version,
      dataDir: opts.dataDir,
      ledgerWarning: ledgerWarning(),
    }
  }
  const ledgerWarning = (): string | undefined => {
    const h = usage.health()
    const lost = h.dropped > 0 ? `; ${h.dropped} request rows were lost` : ''
    // What happened at open (corrupt file moved aside, unwritable data dir) stays said for the whole run.
    const notice = h.notice ? `${h.notice}${lost}` : undefined
    if (h.state === 'degraded') return `usage accounting is degraded: ${h.lastError ?? 'the database is not writable'} (${h.backlog} rows waiting${lost})${h.notice ? `; ${h.notice}` : ''}`
    if (notice) return notice
    // Once writable again, accounting stays incomplete for this run: keep saying so.
    return lost ? `usage accounting is incomplete${lost} while usage.db was not writable` : undefined
  }
  const publishStatus = (): void => events.emit('status', status())

  // Beyond loopback, only app-key holders may use the gateway (DESIGN §7).
  const appKeyRequired = (): boolean => runtime.config.server.requireAppKey || !isLoopbackHost(listening?.host ?? runtime.config.server.host)
  const ingress = { appKeys: usage.appKeys, requireAppKey: appKeyRequired }
  const handle = createModelRequestHandler({
    pools,
    router,
    admission,
    usage,
    stats,
    logger,
    warnings: new ThrottledLog(logger),
    keepAlive: opts.keepAlive,
    shuttingDown: () => stopping,
    ...ingress,
  })
  const openai = createOpenAIHandlers(handle, (ctx) => listModels(ctx.runtime), (ctx) => void authorizeCaller(ctx, ingress))
  const anthropic = createAnthropicHandlers({ handle, router, pools, logger, ingress })
  let backendClient: BackendClient | undefined
  const statsSnapshot = (): StatsSnapshot =>
    stats.snapshot({
      admission: admission.snapshot(),
      health: new Map(router.status().map((s) => [s.providerId, s.health.state])),
      providerIds: runtime.config.providers.map((p) => p.id),
    })
  const api = createApiHandlers({
    configStore,
    secrets,
    status,
    setPaused: (next) => gateway.setPaused(next),
    stats: statsSnapshot,
    router,
    admission,
    usage,
    runtime: () => runtime,
    backendClient: () => (backendClient ??= new BackendClient()),
  })
  for (const app of usage.appKeys.list()) if (app.rpm !== undefined || app.tpm !== undefined) admission.setAppLimits(app.name, { rpm: app.rpm, tpm: app.tpm })

  const gateway: Gateway = {
    api,
    events,
    stats,
    router,
    admission,
    usage,
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
    anthropic,
    metrics: async (ctx) => {
      // Open on loopback (DESIGN §5a); where app keys are required, scrapers need one too.
      const who = identifyApp(ctx.req.headers, usage.appKeys)
      if (appKeyRequired() && (!who.ok || who.via !== 'app-key')) throw new GatewayError('unauthorized', 'metrics need an app key here')
      return serveMetrics(ctx, { usage, admission, router })
    },
    recordRejection: (ctx, err) => recordRejection(ctx, ctx.path.slice(0, 120), err, { usage, ...ingress }),
    health: () => {
      const ledger = usage.health()
      const warning = ledgerWarning()
      return { status: 'ok', ledger: { state: ledger.state, storage: ledger.storage, writer: ledger.writer, backlog: ledger.backlog, dropped: ledger.dropped }, warnings: warning ? [warning] : [] }
    },
    hostRoutes: opts.hostRoutes?.(gateway),
    refusal: () =>
      stopping
        ? new GatewayError('shutting_down', 'the gateway is shutting down', { retryAfterSec: 5 })
        : paused
          ? new GatewayError('gateway_paused', 'the gateway is paused; resume it from the Switchyard tray menu', { retryAfterSec: 5 })
          : undefined,
    logger,
  })

  let webhookKey: string | undefined
  /** The config's `usage` section: retention and day zone, and the webhook (restarted only when it changed). */
  function applyUsageConfig(config: Config): void {
    const section = config.usage
    usage.configure({ retentionDays: section?.retentionDays, timeZone: section?.timeZone, ledger: section?.ledger !== false })
    const hook = section?.webhook
    const headers: Record<string, string> = {}
    for (const [name, stored] of Object.entries(hook?.headers ?? {})) {
      const value = secrets.resolve(stored, 'usage.webhook')
      if (value !== undefined) headers[name] = value
    }
    const settings = hook && { url: hook.url, headers, batchSize: hook.batchSize, timeoutMs: hook.timeoutMs }
    const key = settings ? JSON.stringify(settings) : ''
    if (key === webhookKey) return
    webhookKey = key
    const providerBaseUrl = (id: string): string | undefined => runtime.providers.get(id)?.config.baseUrl
    usage.setWebhook(settings && { ...settings, providerBaseUrl }).catch((err: unknown) => logger.warn({ err: (err as Error).message }, 'usage webhook could not be (re)started'))
  }
  applyUsageConfig(configStore.get())

  const unsubscribe = configStore.subscribe((config) => void applyConfig(config))
  const statsTicker = setInterval(() => {
    if (events.count('stats') > 0) events.emit('stats', statsSnapshot())
  }, 1000)
  statsTicker.unref()

  function listModels(rt: Runtime): Array<{ id: string; ownedBy: string }> {
    const owners = new Map<string, string>()
    for (const id of usableModels(rt)) owners.set(id, rt.exactRoutes.has(id) ? 'switchyard' : (rt.modelOwners.get(id)?.[0]?.config.id ?? 'switchyard'))
    for (const id of router.catalog?.allModels() ?? []) if (!owners.has(id)) owners.set(id, router.catalog!.providersFor(id)[0] ?? 'switchyard')
    return [...owners].sort(([a], [b]) => a.localeCompare(b)).map(([id, ownedBy]) => ({ id, ownedBy }))
  }

  async function applyConfig(config: Config): Promise<void> {
    const previous = runtime
    try {
      runtime = buildRuntime(config, secrets, listening?.host ?? override.host)
    } catch (err) {
      logger.error({ err: (err as Error).message }, 'config rejected; keeping the previous one')
      return
    }
    applyUsageConfig(config)
    pools.retainOnly([...runtime.providers.values()].map((p) => p.upstream))
    admission.configure(admissionConfig(config))
    router.applyRuntime(runtime)
    server?.apply(config.server.http ?? {})
    const before = previous.config.server
    const after = config.server
    const moved = before.host !== after.host || before.port !== after.port
    if (server && override.host === undefined && override.port === undefined && (state === 'error' || (listening && moved))) {
      await rebind(after.host, after.port)
    }
    publishStatus()
  }

  async function rebind(host: string, port: number): Promise<void> {
    const next = new HttpServer(listener, runtime.config.server.http)
    try {
      listening = await next.listen(host, port)
    } catch (err) {
      lastError = `cannot listen on ${host}:${port}: ${(err as Error).message}`
      logger.error({ host, port }, lastError)
      return
    }
    const old = server
    server = next
    state = 'listening'
    lastError = undefined
    runtime = withBindHost(runtime, host)
    logger.info({ url: status().url }, 'listening')
    void old?.close(DEFAULT_GRACE_MS)
  }

  async function start(listen: ListenOverride = {}): Promise<GatewayStatus> {
    override = listen
    const cfg = runtime.config.server
    const host = listen.host ?? cfg.host
    const port = listen.port ?? cfg.port
    runtime = withBindHost(runtime, host)
    state = 'starting'
    server = new HttpServer(listener, runtime.config.server.http)
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

  async function stop(graceMs = runtime.config.server.shutdownGraceMs ?? DEFAULT_GRACE_MS): Promise<void> {
    stopping = true
    unsubscribe()
    clearInterval(statsTicker)
    // Waiting requests get a clean 503 now; those already dispatched get the grace period.
    admission.close()
    events.close() // dashboards' event streams end now instead of holding the grace period
    await server?.close(graceMs)
    // Streams cut at the deadline still finish their rows (an estimate may wait for the tokenizer).
    await usage.whenMetered(METER_DRAIN_MS)
    await Promise.all([pools.close(), router.close(), backendClient?.close()])
    await usage.close()
    listening = undefined
    state = 'stopped'
    publishStatus()
  }

  return gateway
}

function admissionConfig(config: Config) {
  return config.providers.map((p) => ({ id: p.id, limits: p.limits, queue: p.queue }))
}

function urlHost(host: string): string {
  if (host === '0.0.0.0' || host === '::') return '127.0.0.1'
  return host.includes(':') && !host.startsWith('[') ? `[${host}]` : host
}
