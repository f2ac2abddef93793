// The app API: every operation the UI can call, declared once. Main's handlers, the preload
// bridge, the headless web bridge and the renderer client are all checked against this table,
// and the HTTP mapping of each operation (httpRequestFor / argsFromHttp below) is derived from it.
import { z } from 'zod'
import { EVENT_NAMES, ipcChannel, ipcEventChannel, OPERATION_NAMES, type EventName as ChannelEvent, type OperationName as ChannelOperation } from './apiChannels'
import type { HistoryPoint } from './statsHistory'
import { PROVIDER_KINDS, type Config, type ModelTier, type ProviderInput, type ProviderKind, type Strategy, type ToolModelRule } from './config'

export type GatewayState = 'starting' | 'listening' | 'paused' | 'error' | 'stopped'

export interface GatewayStatus {
  state: GatewayState
  /** Base URL clients use, e.g. http://127.0.0.1:7171 (undefined until listening). */
  url?: string
  host: string
  port: number
  error?: string
  activeProvider?: string
  version: string
  /** Where config.json, usage.db and logs live. */
  dataDir?: string
  /** Accounting is degraded (database locked or full): proxying goes on, rows wait in a bounded backlog. */
  ledgerWarning?: string
  /** Team mode: the shared state (Redis) is unreachable; proxying goes on, on local limits. */
  stateWarning?: string
  /** Team mode only: where shared state lives and how many instances share it. */
  team?: { backend: 'redis'; up: boolean; instances: number; failMode?: 'open' | 'closed' }
}

/** The URL a client on this machine uses: a wildcard bind (0.0.0.0, ::) is reached over loopback. */
export function clientBaseUrl(status: Pick<GatewayStatus, 'url' | 'host' | 'port'>): string {
  if (status.url && !/\/\/(0\.0\.0\.0|\[::\])(:|$)/.test(status.url)) return status.url.replace(/\/+$/, '')
  const host = status.host === '0.0.0.0' || status.host === '::' || status.host === '' ? '127.0.0.1' : status.host
  return `http://${host.includes(':') ? `[${host}]` : host}:${status.port}`
}

export type HealthState = 'closed' | 'open' | 'half-open'

export interface ProviderHealthView {
  state: HealthState
  available: boolean
  consecutiveFailures: number
  ejectedUntil?: number
  cooldownUntil?: number
  lastError?: { message: string; at: number }
  lastProbe?: { ok: boolean; at: number; latencyMs?: number }
}

export interface ProviderView {
  id: string
  name: string
  kind: ProviderKind
  baseUrl: string
  enabled: boolean
  active: boolean
  /** Whether a key is configured; the key itself never leaves the main process. */
  keySet: boolean
  models: string[]
  /** Models the backend reported (discovery), besides the configured ones. */
  discoveredModels: string[]
  defaultModel?: string
  weight: number
  health?: ProviderHealthView
}

export interface ProviderStats {
  requests: number
  inFlight: number
  errors: number
  queued: number
  /** Requests and tokens over the last 60 s, and the configured limits. */
  rpm: { used: number; limit?: number }
  tpm: { used: number; limit?: number }
  maxConcurrent?: number
  /** Recent request latency (ms) and queue wait (ms) percentiles. */
  latencyMs: { p50: number; p95: number }
  queueWaitMs: { p50: number; p95: number }
  admitted: number
  rejected: number
  health?: HealthState
  /** The last active probe failed and no request has succeeded since (down before the circuit opens). */
  probeFailing?: boolean
}

export interface StatsSnapshot {
  at: number
  uptimeMs: number
  requestsTotal: number
  errorsTotal: number
  inFlight: number
  /** Requests per second over the last 10 s. */
  requestsPerSec: number
  /** Tokens (prompt + completion) over the last 60 s. */
  tokensPerMin: number
  /** Share of failed requests over the last 60 s (0..1). */
  errorRate: number
  latencyMs: { p50: number; p95: number }
  providers: Record<string, ProviderStats>
}

export interface UsageTotals {
  requests: number
  promptTokens: number
  completionTokens: number
  totalTokens: number
  costUsd: number
}

/** What usage can be grouped by (`groupBy`: any comma-separated subset). */
export const USAGE_GROUP_KEYS = ['provider', 'app', 'model', 'hour', 'day'] as const
export type UsageGroupKey = (typeof USAGE_GROUP_KEYS)[number]

export interface UsageRow extends UsageTotals {
  provider?: string
  app?: string
  model?: string
  hour?: string
  day?: string
}

export interface TodayUsage extends UsageTotals {
  day: string
  providers: Record<string, UsageTotals>
  /** Per calling app (app key name, X-Switchyard-App, user agent; `unknown` when none told). */
  apps?: Record<string, UsageTotals>
}

/** One upstream attempt of a request. */
export interface AttemptStep {
  provider: string
  model: string
  outcome: string
  status?: number
  latencyMs: number
}

/** One request as the ledger recorded it. */
export interface RequestLogEntry {
  requestId: string
  /** Request start, ms since the epoch (UTC). */
  ts: number
  app: string
  /** Provider id. */
  provider: string
  /** Model name the client asked for. */
  routeModel: string
  /** Model the provider actually ran. */
  upstreamModel: string
  endpoint: string
  stream: boolean
  status: number
  state: string
  promptTokens: number
  completionTokens: number
  cachedTokens: number
  /** Prompt tokens written to a prompt cache (Anthropic's cache_creation_input_tokens). */
  cacheCreationTokens: number
  reasoningTokens: number
  costUsd: number
  latencyMs: number | null
  ttftMs: number | null
  /**
   * How long the request waited in the queue for its first lease (0: admitted at once); null for
   * rows written before it was recorded and requests that never reached admission.
   */
  queueWaitMs?: number | null
  attempts: number
  errorClass: string | null
  /** Token counts were estimated (a stream cut short before the backend reported usage). */
  estimated: boolean
  /** Every attempt when the request failed over or failed: which provider, what happened, how long. */
  path?: AttemptStep[]
  /** The label of the provider's pooled key that served it (key pools only; never the key). */
  keyLabel?: string | null
}

/** Status classes the request explorer filters on; `errors` = any failed request (HTTP error, stream error, aborted). */
export const REQUEST_STATUS_CLASSES = ['2xx', '4xx', '5xx', 'errors'] as const
export type RequestStatusClass = (typeof REQUEST_STATUS_CLASSES)[number]

/** The request explorer's query: every field optional; without any, the newest requests. */
export interface RequestQuery {
  /** Page size (default 100, at most 1000). */
  limit?: number
  /** The previous page's `nextCursor`: the next, older page. */
  cursor?: string
  status?: RequestStatusClass
  app?: string
  provider?: string
  /** The model name the client asked for. */
  model?: string
  /** The path called, e.g. /v1/messages (which also names the dialect). */
  endpoint?: string
  /** ISO 8601 (or ms since the epoch): from inclusive, to exclusive. */
  from?: string
  to?: string
  /** A request id, or its first characters. */
  requestId?: string
}

export interface RequestFacets {
  apps: string[]
  providers: string[]
  models: string[]
  endpoints: string[]
}

export interface AppKeyView {
  name: string
  /** The first characters of the key, to tell keys apart in a list. */
  prefix: string
  /** ms since the epoch */
  createdAt: number
  lastUsedAt?: number
  rpm?: number
  tpm?: number
  priority: 'high' | 'normal'
}

/** One instance of a team (or this one alone). */
export interface TeamInstanceView {
  id: string
  host: string
  version: string
  url?: string
  startedAt: number
  /** ms since it was last heard of. */
  seenAgoMs?: number
  self: boolean
}

/** One key of a provider's key pool: its state here, and its usage in this instance's ledger (24 h). */
export interface PooledKeyView {
  label: string
  weight: number
  available: boolean
  /** Why it rests (after 429, 401/403, 402). */
  trouble?: 'rate-limited' | 'auth' | 'quota'
  troubleStatus?: number
  cooldownUntil?: number
  inFlight: number
  rpm: { used: number; limit?: number }
  tpm: { used: number; limit?: number }
  requests24h: number
  tokens24h: number
  errors24h: number
}

export interface TeamProviderView {
  provider: string
  /** Who decides its limits right now: the team's shared store, or this instance alone. */
  decidedBy: 'team' | 'instance'
  /** The team's use of its limits (team mode, while the store is up). */
  team?: { rpmUsed: number; tpmUsed: number; inFlight: number }
  keys: PooledKeyView[]
}

export interface TeamStatusView {
  backend: 'embedded' | 'redis'
  up: boolean
  /** Redacted. */
  url?: string
  failMode?: 'open' | 'closed'
  warning?: string
  downSince?: number
  instances: TeamInstanceView[]
  providers: TeamProviderView[]
}

export interface ProviderTestResult {
  ok: boolean
  latencyMs?: number
  models: string[]
  error?: string
}

export interface ResolutionView {
  model: string
  via?: 'route' | 'provider' | 'active'
  route?: string
  strategy?: Strategy
  candidates: Array<{ provider: string; upstreamModel: string; available: boolean }>
  error?: string
  /** A tool's model name nothing served, mapped (Routes → Tool model names): to which model, by which rule and tier. */
  toolModel?: { model: string; rule: string; tier?: ModelTier; custom: boolean }
}

/** The tool model names table: the tiers in effect, the rules, and where sample names go now. */
export interface ToolModelsView {
  enabled: boolean
  /** The model of each tier now (configured, else picked from served models). */
  tiers: { large?: string; default?: string; small?: string }
  /** The tiers as configured (empty: picked automatically). */
  configuredTiers: { large?: string; default?: string; small?: string }
  rules: Array<ToolModelRule & { custom: boolean }>
  /** Names tools send and what each resolves to now (the target, or why not). */
  samples: Array<{ name: string; model?: string; provider?: string; tier?: ModelTier; rule?: string; note?: string }>
  /** Served models to choose from. */
  available: string[]
  activeProvider?: string
}

/** One target of a route, as routing and the ledger saw it. */
export interface RouteTargetInsight {
  provider: string
  upstreamModel: string
  /** A GPU the user runs (cache-aware balancing by default) rather than a cloud API (failover). */
  local: boolean
  enabled: boolean
  /** Conversations whose last request (within 10 min) went here. */
  conversations: number
  /** Requests the router sent here through this route since the gateway started. */
  requests: number
  /** Share of prompt tokens the router's prefix-cache model expected to be cached here (since start). */
  expectedCacheHit?: number
  /** From the ledger, last 24 h. */
  requests24h: number
  promptTokens24h: number
  /** Prompt tokens the backend reported served from its cache (`prompt_tokens_details.cached_tokens`). */
  cachedTokens24h: number
  /** cachedTokens24h / promptTokens24h; undefined while the backend reports no cached tokens at all. */
  cacheHit24h?: number
}

/** A conversation and the backend its last request went to. */
export interface ConversationPinView {
  /** What identified it: `session …` (X-Switchyard-Session), `cache key …`, `user …`, else `prompt #…` (a digest of its opening). */
  conversation: string
  provider: string
  upstreamModel: string
  turns: number
  /** Turns that went to another backend than the turn before. */
  moves: number
  /** ms since the epoch */
  lastAt: number
}

export interface RouteInsight {
  route: string
  strategy: Strategy
  affinity: boolean
  targets: RouteTargetInsight[]
  /** Most recent first (at most 50). */
  pins: ConversationPinView[]
  /** Start of the ledger window (ms since the epoch). */
  since: number
}

export interface ExportFile {
  filename: string
  contentType: string
  body: string
}

/** Settings of the desktop app itself (not the gateway config); headless mode has none. */
export interface DesktopSettings {
  /** False in headless mode: the dashboard hides what belongs to the desktop app. */
  available: boolean
  launchAtLogin?: boolean
  /** Whether this OS lets the app change launch at login. */
  launchAtLoginSupported?: boolean
  /** Native notifications when a provider goes down / comes back or a limit is saturated (opt-in). */
  notifications?: boolean
  /** How typed-in provider keys are kept: the OS keychain, Linux's obfuscation-only fallback, or not at all. */
  secretStorage?: 'os' | 'basic_text' | 'unavailable'
  /** Things the user should know, e.g. that a damaged config file was replaced by the last good copy. */
  notices: string[]
  /** Check for, download and offer updates from GitHub Releases (packaged builds only). */
  autoUpdate?: boolean
  /** `beta` also offers pre-releases. */
  updateChannel?: UpdateChannel
}

export type UpdateChannel = 'stable' | 'beta'

export type UpdateState = 'unsupported' | 'disabled' | 'idle' | 'checking' | 'available' | 'downloading' | 'downloaded' | 'error'

/** Where the desktop app's self-update stands (headless: always `unsupported`). */
export interface UpdateStatus {
  state: UpdateState
  /** Why updates are off (`unsupported`, `disabled`), or what went wrong (`error`). */
  reason?: string
  currentVersion: string
  /** The version offered (available, downloading, downloaded). */
  version?: string
  /** Release notes of the offered version as plain text. */
  releaseNotes?: string
  /** 0..100 while downloading. */
  percent?: number
  /** ms since the epoch of the last finished check. */
  lastCheckAt?: number
  channel: UpdateChannel
}

/** What the dashboard and the tray may change of the desktop settings. */
export interface DesktopSettingsPatch {
  launchAtLogin?: boolean
  notifications?: boolean
  autoUpdate?: boolean
  updateChannel?: UpdateChannel
}

/** A local LLM server found on a loopback port, identified by its own API. */
export interface DiscoveredServer {
  /** The provider kind it is added as. */
  kind: ProviderKind
  /** What answered: Ollama, LM Studio, vLLM, llama.cpp, SGLang, OpenAI-compatible server. */
  server: string
  version?: string
  /** The provider baseUrl to use (Ollama: its root; the others: the /v1 base). */
  baseUrl: string
  models: string[]
  /** Ollama reports model sizes (bytes): the larger, the stronger tier. */
  modelSizes?: Record<string, number>
  /** The configured provider on the same port, if any. */
  configuredAs?: string
}

export interface DiscoveryView {
  scanning: boolean
  scannedAt?: number
  /** Ports probed by the last scan. */
  ports?: number[]
  items: DiscoveredServer[]
}

/** Coding tools Switchyard can point at itself (the "Connect a tool" screen and tray submenu). */
export const TOOL_IDS = ['claude-code', 'codex', 'gemini-cli', 'opencode', 'continue', 'qwen-code', 'aider', 'cursor'] as const
export type ToolId = (typeof TOOL_IDS)[number]

/** One step of a manual setup (Cursor): what to do, and the value to paste if any. */
export interface ToolStep {
  text: string
  value?: string
}

export interface ToolView {
  id: ToolId
  name: string
  /** A config folder or the tool's command was found. */
  installed: boolean
  /** What showed it: "~/.claude", "claude on PATH". */
  evidence: string[]
  /** 'file': Switchyard writes the tool's config file; 'manual': steps to follow in the tool. */
  mode: 'file' | 'manual'
  /** The config file Switchyard writes, as a person would type it (`~/.claude/settings.json`). */
  configPath?: string
  /** connected: the file points at this gateway; changed: Switchyard connected it, but the file points elsewhere now. */
  connection: 'none' | 'connected' | 'changed'
  /** Where the file sends the tool now, when set (another gateway, another port). */
  pointsAt?: string
  connectedAt?: number
  /** The app key's name: the tool's usage shows under it. */
  appName?: string
  /** Model name written for tools that need one. */
  model?: string
  /** Whether the tool's config names a model (opencode, Continue, Aider, qwen-code). */
  usesModel: boolean
  /** A restore puts the file back as it was before Switchyard (removes it if there was none). */
  canRestore: boolean
  /** What to know: a caveat or the one step left in the tool. */
  note?: string
  /** Manual tools: the steps, with the values to paste (the key shows as a placeholder until connected). */
  steps?: ToolStep[]
}

export interface ToolConnectResult {
  tool: ToolView
  /** The file as it was, kept for restore (absent: there was none). */
  backupPath?: string
  /** Manual tools only: the new app key, shown this once (file tools get it written into the file). */
  key?: string
}

export interface ApiError {
  code: string
  message: string
}
export type ApiResult<T> = { ok: true; value: T } | { ok: false; error: ApiError }

type HttpMethod = 'GET' | 'POST' | 'PUT' | 'DELETE'

export interface OperationSpec<Args, Result> {
  http: {
    method: HttpMethod
    /** Path under the web bridge; `:name` segments become args fields. */
    path: string
    /**
     * Where a JSON body goes: 'args' = it is the whole argument; a field name = it becomes that
     * field, the others coming from the path. Without `body`, args come from path and query.
     */
    body?: 'args' | string
    /** The result is a file (ExportFile): the web bridge sends its body raw, as a download. */
    file?: true
  }
  args: z.ZodType<Args>
  /** Phantom field carrying the result type; never set at runtime. */
  result?: Result
}

function operation<Args, Result>(spec: OperationSpec<Args, Result>): OperationSpec<Args, Result> {
  return spec
}

const noArgs = z.undefined().or(z.strictObject({})).transform(() => undefined)
const providerId = z.string().min(1).max(64)
const isoTime = z.string().max(40).optional()
const groupKey = `(${USAGE_GROUP_KEYS.join('|')})`
const groupBy = z.string().regex(new RegExp(`^${groupKey}(,${groupKey})*$`), `comma-separated: ${USAGE_GROUP_KEYS.join(', ')}`).optional()
const appName = z.string().min(1).max(64)
/** Provider drafts are validated by the config schema where the stored secrets are; here only their shape. */
const providerDraft = z.object({ kind: z.enum(PROVIDER_KINDS), baseUrl: z.string().max(2048) }).loose()

export const api = {
  getStatus: operation<undefined, GatewayStatus>({ http: { method: 'GET', path: '/status' }, args: noArgs }),
  setPaused: operation<{ paused: boolean }, GatewayStatus>({ http: { method: 'POST', path: '/pause', body: 'args' }, args: z.strictObject({ paused: z.boolean() }) }),
  getConfig: operation<undefined, Config>({ http: { method: 'GET', path: '/config' }, args: noArgs }),
  // The config is validated by the shared config schema in the handler, where the stored secrets are.
  replaceConfig: operation<unknown, Config>({ http: { method: 'PUT', path: '/config', body: 'args' }, args: z.unknown() }),
  listProviders: operation<undefined, { items: ProviderView[] }>({ http: { method: 'GET', path: '/providers' }, args: noArgs }),
  upsertProvider: operation<{ id: string; provider: ProviderInput }, ProviderView>({
    http: { method: 'PUT', path: '/providers/:id', body: 'provider' },
    args: z.strictObject({ id: providerId, provider: providerDraft as unknown as z.ZodType<ProviderInput> }),
  }),
  removeProvider: operation<{ id: string }, { items: ProviderView[] }>({ http: { method: 'DELETE', path: '/providers/:id' }, args: z.strictObject({ id: providerId }) }),
  testProvider: operation<{ id: string }, ProviderTestResult>({ http: { method: 'POST', path: '/providers/:id/test' }, args: z.strictObject({ id: providerId }) }),
  /** Tests a provider that is not saved yet (the add/edit form). */
  testProviderDraft: operation<ProviderInput, ProviderTestResult>({
    http: { method: 'POST', path: '/providers/test', body: 'args' },
    args: providerDraft as unknown as z.ZodType<ProviderInput>,
  }),
  discoverModels: operation<{ id: string }, { models: string[] }>({ http: { method: 'POST', path: '/providers/:id/discover' }, args: z.strictObject({ id: providerId }) }),
  setActiveProvider: operation<{ id: string }, GatewayStatus>({
    http: { method: 'POST', path: '/active-provider', body: 'args' },
    args: z.strictObject({ id: providerId }),
  }),
  getToolModels: operation<undefined, ToolModelsView>({ http: { method: 'GET', path: '/tool-models' }, args: noArgs }),
  resolveModel: operation<{ model: string }, ResolutionView>({ http: { method: 'GET', path: '/resolve' }, args: z.strictObject({ model: z.string().min(1).max(256) }) }),
  /** Per route: where conversations are pinned and the prefix-cache hit rate per target. */
  getRouteInsights: operation<undefined, { items: RouteInsight[] }>({ http: { method: 'GET', path: '/routes/insights' }, args: noArgs }),
  getStats: operation<undefined, StatsSnapshot>({ http: { method: 'GET', path: '/stats' }, args: noArgs }),
  /** The last minutes of 1 Hz stats points, oldest first: the live charts' start after a reload. */
  getStatsHistory: operation<undefined, { points: HistoryPoint[] }>({ http: { method: 'GET', path: '/stats/history' }, args: noArgs }),

  /** `scope=team`: the whole team's hourly totals (team mode); default this instance's ledger. */
  getUsage: operation<{ from?: string; to?: string; groupBy?: string; scope?: 'instance' | 'team' }, { rows: UsageRow[] }>({
    http: { method: 'GET', path: '/usage' },
    args: z.strictObject({ from: isoTime, to: isoTime, groupBy, scope: z.enum(['instance', 'team']).optional() }),
  }),
  /** Team mode: shared state, live instances, who decides each provider's limits; key pools (with or without a team). */
  getTeamStatus: operation<undefined, TeamStatusView>({ http: { method: 'GET', path: '/team' }, args: noArgs }),
  getTodayUsage: operation<undefined, TodayUsage>({ http: { method: 'GET', path: '/usage/today' }, args: noArgs }),
  exportUsage: operation<{ format: 'csv' | 'json'; from?: string; to?: string }, ExportFile>({
    http: { method: 'GET', path: '/usage/export', file: true },
    args: z.strictObject({ format: z.enum(['csv', 'json']), from: isoTime, to: isoTime }),
  }),
  listRequests: operation<RequestQuery, { items: RequestLogEntry[]; nextCursor?: string }>({
    http: { method: 'GET', path: '/requests' },
    args: z
      .strictObject({
        limit: z.coerce.number().int().min(1).max(1000).optional(),
        cursor: z.string().max(40).optional(),
        status: z.enum(REQUEST_STATUS_CLASSES).optional(),
        app: z.string().max(256).optional(),
        provider: z.string().max(256).optional(),
        model: z.string().max(256).optional(),
        endpoint: z.string().max(256).optional(),
        from: isoTime,
        to: isoTime,
        requestId: z.string().min(1).max(128).optional(),
      })
      .or(noArgs) as unknown as z.ZodType<RequestQuery>,
  }),
  getRequestFacets: operation<undefined, RequestFacets>({ http: { method: 'GET', path: '/requests/facets' }, args: noArgs }),
  listApps: operation<undefined, { items: AppKeyView[] }>({ http: { method: 'GET', path: '/apps' }, args: noArgs }),
  createApp: operation<{ name: string; rpm?: number; tpm?: number; priority?: 'high' | 'normal' }, { name: string; key: string }>({
    http: { method: 'POST', path: '/apps', body: 'args' },
    args: z.strictObject({
      name: appName,
      rpm: z.number().int().positive().optional(),
      tpm: z.number().int().positive().optional(),
      priority: z.enum(['high', 'normal']).optional(),
    }),
  }),
  revokeApp: operation<{ name: string }, { items: AppKeyView[] }>({ http: { method: 'DELETE', path: '/apps/:name' }, args: z.strictObject({ name: appName }) }),
  /** What the last scan of local servers found (the gateway scans on a first start in the background). */
  getDiscovery: operation<undefined, DiscoveryView>({ http: { method: 'GET', path: '/discovery' }, args: noArgs }),
  /** Probes the usual local ports (and configured providers' ports) now; bounded to a few seconds. */
  scanDiscovery: operation<undefined, DiscoveryView>({ http: { method: 'POST', path: '/discovery/scan' }, args: noArgs }),
  /** Adds a found server as a provider (its largest chat model as default); the first provider added becomes active. */
  addDiscovered: operation<{ baseUrl: string }, { provider: ProviderView; active: boolean }>({
    http: { method: 'POST', path: '/discovery/add', body: 'args' },
    args: z.strictObject({ baseUrl: z.string().min(1).max(2048) }),
  }),
  listTools: operation<undefined, { items: ToolView[] }>({ http: { method: 'GET', path: '/tools' }, args: noArgs }),
  /** Writes the tool's config (backup kept) with a new app key of its own; manual tools get the key and steps. */
  connectTool: operation<{ id: ToolId; model?: string }, ToolConnectResult>({
    http: { method: 'POST', path: '/tools/:id/connect' },
    args: z.strictObject({ id: z.enum(TOOL_IDS), model: z.string().min(1).max(256).optional() }),
  }),
  /** Puts the tool's config file back byte for byte as it was before Switchyard, and revokes its key. */
  restoreTool: operation<{ id: ToolId }, ToolView>({ http: { method: 'POST', path: '/tools/:id/restore' }, args: z.strictObject({ id: z.enum(TOOL_IDS) }) }),
  getDesktopSettings: operation<undefined, DesktopSettings>({ http: { method: 'GET', path: '/desktop-settings' }, args: noArgs }),
  updateDesktopSettings: operation<DesktopSettingsPatch, DesktopSettings>({
    http: { method: 'PUT', path: '/desktop-settings', body: 'args' },
    args: z.strictObject({
      launchAtLogin: z.boolean().optional(),
      notifications: z.boolean().optional(),
      autoUpdate: z.boolean().optional(),
      updateChannel: z.enum(['stable', 'beta']).optional(),
    }),
  }),
  getUpdateStatus: operation<undefined, UpdateStatus>({ http: { method: 'GET', path: '/update' }, args: noArgs }),
  /** Checks now (also when automatic checks are off); the result arrives as `update` events. */
  checkForUpdates: operation<undefined, UpdateStatus>({ http: { method: 'POST', path: '/update/check' }, args: noArgs }),
  /** "Restart to update": drains the gateway, flushes the ledger, then installs and restarts. */
  installUpdate: operation<undefined, UpdateStatus>({ http: { method: 'POST', path: '/update/install' }, args: noArgs }),
} as const

export type Api = typeof api
export type OperationName = keyof Api
export type ArgsOf<K extends OperationName> = Api[K] extends OperationSpec<infer A, unknown> ? A : never
export type ResultOf<K extends OperationName> = Api[K] extends OperationSpec<unknown, infer R> ? R : never

/** What main implements once and both IPC and the web bridge call. */
export type ApiHandlers = { [K in OperationName]: (args: ArgsOf<K>) => Promise<ResultOf<K>> }

/** What the renderer calls, whichever transport carries it. */
export type ApiClient = {
  [K in OperationName]: ArgsOf<K> extends undefined ? () => Promise<ResultOf<K>> : (args: ArgsOf<K>) => Promise<ResultOf<K>>
}

/** Pushed from main to the UI. */
export interface ApiEvents {
  stats: StatsSnapshot
  status: GatewayStatus
  /** Desktop only: the updater moved (checking, progress, downloaded, ...). */
  update: UpdateStatus
}
export type EventName = keyof ApiEvents
export const apiEventNames = EVENT_NAMES
// The zod-free name lists (apiChannels.ts) and this file must name the same operations and events.
type SameSet<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false
const operationListsAgree: SameSet<ChannelOperation, keyof Api> = true
const eventListsAgree: SameSet<ChannelEvent, keyof ApiEvents> = true
void operationListsAgree
void eventListsAgree

export const WEB_BRIDGE_PREFIX = '/admin/api'
export const WEB_EVENTS_PATH = '/events'
export { ipcChannel, ipcEventChannel }

export const operationNames: readonly OperationName[] = OPERATION_NAMES

/** The surface the preload script exposes on `window.switchyard`. */
export interface PreloadBridge {
  invoke: { [K in OperationName]: (args?: unknown) => Promise<ApiResult<ResultOf<K>>> }
  on<E extends EventName>(event: E, listener: (payload: ApiEvents[E]) => void): () => void
}

/** How one call travels over HTTP: shared by the renderer's client and the web bridge. */
export function httpRequestFor(name: OperationName, args: unknown): { method: HttpMethod; path: string; query: Record<string, string>; body?: unknown } {
  const spec = api[name].http
  const fields: Record<string, unknown> = args !== null && typeof args === 'object' && !Array.isArray(args) ? { ...(args as Record<string, unknown>) } : {}
  const path = spec.path.replace(/:([A-Za-z0-9_]+)/g, (_m, key: string) => {
    const value = fields[key]
    delete fields[key]
    return encodeURIComponent(String(value ?? ''))
  })
  if (spec.body === 'args') return { method: spec.method, path, query: {}, body: args ?? null }
  if (spec.body !== undefined) return { method: spec.method, path, query: {}, body: fields[spec.body] ?? null }
  const query: Record<string, string> = {}
  for (const [key, value] of Object.entries(fields)) if (value !== undefined) query[key] = String(value)
  return { method: spec.method, path, query }
}

/** The arguments of a call that arrived over HTTP (before validation with the operation's schema). */
export function argsFromHttp(name: OperationName, params: Record<string, string>, query: Record<string, string>, body: unknown): unknown {
  const spec = api[name].http
  if (spec.body === 'args') return body
  if (spec.body !== undefined) return { ...params, [spec.body]: body }
  const fields = { ...query, ...params }
  return Object.keys(fields).length > 0 ? fields : undefined
}
