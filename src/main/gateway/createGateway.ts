// Composition root of the gateway core: (configStore, secrets, dataDir, logger) -> Gateway.
// Runs identically inside Electron's main process and under plain Node.
import { createHash } from 'node:crypto'
import os from 'node:os'
import { clientBaseUrl, type ApiHandlers, type GatewayStatus, type StatsSnapshot } from '../../shared/api'
import { keyPoolOf, type Config } from '../../shared/config'
import { isProbeFailing } from '../../shared/providerHealth'
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
import { createGeminiIngress } from './server/ingress/gemini'
import { createOllamaIngress } from './server/ingress/ollama'
import { runningOllamaModels } from './server/ingress/ollamaRunning'
import { createResponsesHandlers, responsesIngress } from './server/ingress/responses'
import type { IngressMatcher } from './server/ingress/route'
import { ResponseStore } from './store/responseStore'
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
import type { RequestContext } from './pipeline/context'
import { identifyApp } from './usage/identifyApp'
import { UsageService } from './usage/usageService'
import { serveMetrics } from './server/metricsRoute'
import { ToolConnector } from './toolConnect/connector'
import { HISTORY_POINTS, pointOf, type HistoryPoint } from '../../shared/statsHistory'
import { discoveryPortsFromEnv, DiscoveryScanner, type ScannerOptions } from './discovery/scanner'
import { createStateStore, type StateStore } from './state'
import { registerStateMetrics } from './state/stateMetrics'
import { joinTeam } from './state/teamWiring'

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
   * Where shared state lives: by default from the config (`state.redis`: the team's Redis; absent:
   * embedded). Tests may pass a store; `team` shortens its timings.
   */
  state?: StateStore
  team?: { leaseTtlMs?: number; connectTimeoutMs?: number }
  /**
   * Path of the better-sqlite3 addon built for this host's ABI. The Electron app passes its own
   * build (src/main/app/nativeBinding.ts); plain Node leaves it out and uses node_modules'.
   */
  nativeBinding?: string
  /** Home folder whose tool configs "Connect a tool" writes (default: the user's home). */
  toolHome?: string
  /** Local-server discovery (ports to probe, timeouts); the host reads SWITCHYARD_DISCOVERY_PORTS. */
  discovery?: ScannerOptions
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
  readonly state: StateStore
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
/** How long start() waits for the team's Redis before listening on local limits (it keeps trying). */
const TEAM_CONNECT_MS = 3_000
/** After the connections closed, how long the last rows may take (a first tokenizer load is ~1 s). */
const METER_DRAIN_MS = 5_000

export function createGateway(opts: GatewayOptions): Gateway {
  const { configStore, secrets, logger } = opts
  const version = opts.version ?? '0.0.0'
  // Admission owns the in-flight counts; live stats and the router read them from there.
  const stats = new LiveStats({ inFlightOf: (id) => admission.limiter(id)?.inFlightCount() ?? 0 })
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
  const state =
    opts.state ??
    createStateStore(configStore.get(), {
      version,
      logger,
      secrets,
      windowMs: opts.admission?.windowMs,
      leaseTtlMs: opts.team?.leaseTtlMs,
      usageRetentionDays: () => runtime.config.usage?.retentionDays ?? 365,
    })
  state.onStatus(() => publishStatus())
  registerStateMetrics(usage.metrics.registry, state)
  const admission = new Admission({
    onTokenLimits: () => defaultTokenCounter.warmUpCount(),
    ...opts.admission,
    shared: state.limits,
    failMode: configStore.get().state?.failMode,
    providers: admissionConfig(runtime.config),
  })
  const router = new Router({
    ...opts.routing,
    inFlight: (id) => stats.inFlightFor(id),
    sideChannels: opts.sideChannels ?? true,
    onModelsChanged: () => publishStatus(),
  })
  router.applyRuntime(runtime)
  let server: HttpServer | undefined
  let ollamaServer: HttpServer | undefined
  let listening: { host: string; port: number } | undefined
  let gatewayState: GatewayStatus['state'] = 'stopped'
  let lastError: string | undefined
  let paused = false
  let stopping = false

  const status = (): GatewayStatus => {
    const cfg = runtime.config.server
    const host = listening?.host ?? override.host ?? cfg.host
    const port = listening?.port ?? override.port ?? cfg.port
    return {
      state: paused && gatewayState === 'listening' ? 'paused' : gatewayState,
      url: listening ? `http://${urlHost(host)}:${port}` : undefined,
      host,
      port,
      error: lastError,
      activeProvider: runtime.config.activeProvider,
      version,
      dataDir: opts.dataDir,
      ledgerWarning: ledgerWarning(),
      ...teamStatus(),
    }
  }
  const teamStatus = (): Pick<GatewayStatus, 'stateWarning' | 'team'> => {
    const s = state.status()
    if (s.backend === 'embedded') return {}
    return { stateWarning: s.warning, team: { backend: s.backend, up: s.up, instances: s.instances.length, failMode: s.failMode } }
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
  let responseStore: ResponseStore | undefined
  const responseStoreFor = (config: Config): ResponseStore | undefined => {
    const settings = config.responses
    if (settings?.store === false) return undefined
    responseStore ??= new ResponseStore({ dataDir: opts.dataDir, nativeBinding: opts.nativeBinding })
    responseStore.configure({ maxResponses: settings?.maxResponses, retentionDays: settings?.retentionDays })
    return responseStore
  }
  const responses = createResponsesHandlers({ handle, store: () => responseStoreFor(runtime.config), ingress })
  const modelNames = (ctx: RequestContext): string[] => listModels(ctx.runtime).map((m) => m.id)
  const dialectIngress: IngressMatcher[] = [
    responsesIngress(responses),
    createGeminiIngress({ handle, ingress, models: (ctx) => modelNames(ctx).map((id) => ({ id })) }),
    createOllamaIngress({
      handle,
      ingress,
      models: (ctx) => modelNames(ctx).map((name) => ({ name })),
      loaded: (ctx) => runningOllamaModels(ollamaProviderIds(ctx.runtime.config), (id) => router.loads?.snapshot(id), Date.now()),
    }),
  ]
  let backendClient: BackendClient | undefined
  const statsSnapshot = (): StatsSnapshot => {
    const health = router.status()
    return stats.snapshot({
      admission: admission.snapshot(),
      health: new Map(health.map((s) => [s.providerId, s.health.state])),
      probeFailing: new Set(health.filter((s) => isProbeFailing(s.health)).map((s) => s.providerId)),
      providerIds: runtime.config.providers.map((p) => p.id),
    })
  }
  const discovery = new DiscoveryScanner(opts.discovery ?? { ports: discoveryPortsFromEnv(process.env) })
  const api = createApiHandlers({
    configStore,
    secrets,
    status,
    setPaused: (next) => gateway.setPaused(next),
    stats: statsSnapshot,
    statsHistory: () => [...history],
    router,
    admission,
    usage,
    state,
    runtime: () => runtime,
    backendClient: () => (backendClient ??= new BackendClient()),
    tools: new ToolConnector({
      home: opts.toolHome ?? os.homedir(),
      env: process.env,
      platform: process.platform,
      dataDir: opts.dataDir,
      appKeys: usage.appKeys,
      root: () => clientBaseUrl(status()),
      models: () => toolModels(runtime),
    }),
    discovery,
  })
  const appLimits = new Set<string>()
  const applyAppLimits = (): void => {
    const now = new Set<string>()
    for (const app of usage.appKeys.list()) {
      if (app.rpm === undefined && app.tpm === undefined) continue
      now.add(app.name)
      admission.setAppLimits(app.name, { rpm: app.rpm, tpm: app.tpm })
    }
    for (const name of appLimits) if (!now.has(name)) admission.setAppLimits(name, undefined)
    appLimits.clear()
    for (const name of now) appLimits.add(name)
  }
  applyAppLimits()
  const leaveTeam = joinTeam({ state, admission, health: router.health, usage, configStore, logger, applyAppLimits })

  const gateway: Gateway = {
    api,
    events,
    stats,
    router,
    admission,
    usage,
    state,
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
    ingress: dialectIngress,
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
      const shared = state.status()
      const warnings = [warning, shared.warning].filter((w): w is string => w !== undefined)
      return {
        status: 'ok',
        ledger: { state: ledger.state, storage: ledger.storage, writer: ledger.writer, backlog: ledger.backlog, dropped: ledger.dropped },
        warnings,
        state: { backend: shared.backend, up: shared.up, instances: shared.instances.length, failMode: shared.failMode, downSince: shared.downSince },
      }
    },
    hostRoutes: opts.hostRoutes?.(gateway),
    refusal: () =>
      stopping
        ? new GatewayError('shutting_down', 'the gateway is shutting down', { retryAfterSec: 5 })
        : paused
          ? new GatewayError('gateway_paused', 'the gateway is paused; resume it in the Switchyard dashboard (or its tray menu)', { retryAfterSec: 5 })
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
  // Every second: a point for the live charts' history (kept for HISTORY_POINTS seconds, so a
  // reloaded dashboard starts with the last minutes), and the stats event for open dashboards.
  const history: HistoryPoint[] = []
  const statsTicker = setInterval(() => {
    const snapshot = statsSnapshot()
    history.push(pointOf(snapshot))
    if (history.length > HISTORY_POINTS) history.splice(0, history.length - HISTORY_POINTS)
    if (events.count('stats') > 0) events.emit('stats', snapshot)
  }, 1000)
  statsTicker.unref()

  /** For tools whose config names a model: the active provider's default, else a model someone serves. */
  function toolModels(rt: Runtime): { suggested: string; all: string[] } {
    const all = listModels(rt).map((m) => m.id)
    const active = rt.active
    const activeModels = active ? [...(active.config.defaultModel ? [active.config.defaultModel] : []), ...active.config.models, ...(router.catalog?.models(active.config.id) ?? [])] : []
    return { suggested: activeModels[0] ?? all[0] ?? 'default', all: all.slice(0, 50) }
  }

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
    if (JSON.stringify(previous.config.state ?? {}) !== JSON.stringify(config.state ?? {})) {
      logger.warn({}, 'the config\'s state section (team mode) changed: it applies at the next start')
    }
    pools.retainOnly([...runtime.providers.values()].map((p) => p.upstream))
    admission.configure(admissionConfig(config))
    router.applyRuntime(runtime)
    server?.apply(config.server.http ?? {})
    const before = previous.config.server
    const after = config.server
    const moved = before.host !== after.host || before.port !== after.port
    if (server && override.host === undefined && override.port === undefined && (gatewayState === 'error' || (listening && moved))) {
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
    gatewayState = 'listening'
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
    gatewayState = 'starting'
    // A team instance starts on shared limits when Redis answers in time, else on local ones (and joins when it does).
    await state.whenReady(opts.team?.connectTimeoutMs ?? TEAM_CONNECT_MS)
    server = new HttpServer(listener, runtime.config.server.http)
    try {
      listening = await server.listen(host, port)
    } catch (err) {
      gatewayState = 'error'
      lastError = `cannot listen on ${host}:${port}: ${(err as Error).message}`
      publishStatus()
      throw new Error(lastError)
    }
    gatewayState = 'listening'
    lastError = undefined
    logger.info({ url: status().url }, 'listening')
    state.setUrl(status().url)
    await startOllamaListener(host)
    publishStatus()
    // A first start (no providers yet): look for local servers in the background, for the dashboard to offer.
    if (runtime.config.providers.length === 0 && opts.sideChannels !== false) void discovery.scan(runtime.config)
    return status()
  }

  /** The optional second port for Ollama-only tools: the same listener, so the same pipeline. */
  async function startOllamaListener(host: string): Promise<void> {
    const port = runtime.config.server.ollamaPort
    if (port === undefined) return
    const extra = new HttpServer(listener, runtime.config.server.http)
    try {
      const bound = await extra.listen(host, port)
      ollamaServer = extra
      logger.info({ url: `http://${urlHost(host)}:${bound.port}` }, 'listening for Ollama clients')
    } catch (err) {
      // The main port serves every Ollama path anyway: a taken second port is worth a warning only.
      logger.warn({ host, port, err: (err as Error).message }, 'cannot listen on server.ollamaPort; Ollama clients can use the main port')
    }
  }

  async function stop(graceMs = runtime.config.server.shutdownGraceMs ?? DEFAULT_GRACE_MS): Promise<void> {
    stopping = true
    unsubscribe()
    clearInterval(statsTicker)
    // Waiting requests get a clean 503 now; those already dispatched get the grace period.
    admission.close()
    events.close() // dashboards' event streams end now instead of holding the grace period
    await Promise.all([server?.close(graceMs), ollamaServer?.close(graceMs)])
    // Streams cut at the deadline still finish their rows (an estimate may wait for the tokenizer).
    await usage.whenMetered(METER_DRAIN_MS)
    await Promise.all([pools.close(), router.close(), backendClient?.close()])
    leaveTeam()
    await state.close() // after the last releases and rows: they reach the team first
    await usage.close()
    responseStore?.close()
    listening = undefined
    gatewayState = 'stopped'
    publishStatus()
  }

  return gateway
}

function admissionConfig(config: Config) {
  return config.providers.map((p) => {
    const pool = keyPoolOf(p)
    const keys = pool.length > 0 ? pool.map((k) => ({ label: k.label, weight: k.weight, limits: k.limits, fingerprint: fingerprint(k.key) })) : undefined
    return { id: p.id, limits: p.limits, queue: p.queue, keys }
  })
}

/** Tells a changed key from the same one without keeping it (a key's state starts over when it changes). */
function fingerprint(stored: string): string {
  return createHash('sha256').update(stored).digest('hex').slice(0, 16)
}

function urlHost(host: string): string {
  if (host === '0.0.0.0' || host === '::') return '127.0.0.1'
  return host.includes(':') && !host.startsWith('[') ? `[${host}]` : host
}

/** The enabled Ollama providers (GET /api/ps lists what they report loaded). */
function ollamaProviderIds(config: Config): string[] {
  return config.providers.filter((p) => p.enabled && p.kind === 'ollama').map((p) => p.id)
}
