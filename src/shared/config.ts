// The one config schema: types, validation, defaults and migrations for the document
// described in DESIGN.md §4. Imported by main, preload and renderer, so it depends on zod only.
import { z } from 'zod'

export const CONFIG_VERSION = 1
export const DEFAULT_PORT = 7171
export const DEFAULT_MAX_BODY_BYTES = 32 * 1024 * 1024
/** What `apiKey` reads as outside the main process; sending it back means "keep the stored key". */
export const SECRET_MASK = '********'

/** Backend kinds; each is one adapter folder in src/main/gateway/providers/kinds/ (see its registry). */
export const PROVIDER_KINDS = ['openai-compatible', 'vllm', 'ollama', 'anthropic', 'llamacpp', 'gemini'] as const
/**
 * The wire dialects a provider can speak natively (the same list as the gateway's dialect codecs).
 * A provider's `dialects` adds the ones its kind speaks only in some versions or setups.
 */
export const PROVIDER_DIALECTS = ['openai-chat', 'anthropic-messages', 'openai-responses', 'gemini', 'ollama'] as const
export const STRATEGIES = [
  'round-robin',
  'weighted',
  'least-connections',
  'least-latency',
  'lowest-cost',
  'failover',
  'least-load',
  'cache-aware',
  'auto',
] as const

/**
 * What a route without `strategy` does (`auto`): its local targets (vLLM, Ollama, llama.cpp, LM
 * Studio, SGLang, any server on a loopback or private address) balanced `cache-aware`, its cloud
 * targets only after them, in config order.
 */
export const DEFAULT_STRATEGY = 'auto'
/** Bounded-load session affinity: a target takes a session while it holds under factor × the average load. */
export const DEFAULT_AFFINITY_LOAD_FACTOR = 1.25
/** How often local backends' load (vLLM /metrics, Ollama /api/ps) is read. */
export const DEFAULT_LOAD_INTERVAL_MS = 1_000

const id = z
  .string()
  .regex(/^[a-z0-9][a-z0-9._-]{0,63}$/i, 'use letters, digits, ".", "_" or "-" (at most 64)')
const positiveInt = z.number().int().positive()
const httpUrl = z
  .string()
  .url()
  .refine((u) => /^https?:\/\//i.test(u), 'must be an http:// or https:// URL')

const LimitsSchema = z.strictObject({
  rpm: positiveInt.optional(),
  tpm: positiveInt.optional(),
  maxConcurrent: positiveInt.optional(),
})

const QueueSchema = z.strictObject({
  maxSize: z.number().int().min(0).default(100),
  timeoutMs: positiveInt.default(30_000),
  overflow: z.enum(['reject-new', 'drop-oldest']).default('reject-new'),
})

const TimeoutsSchema = z.strictObject({
  connectMs: positiveInt.optional(),
  firstByteMs: positiveInt.optional(),
  idleMs: positiveInt.optional(),
})

const PriceSchema = z.strictObject({
  inputPerMTok: z.number().min(0),
  outputPerMTok: z.number().min(0),
  cachedInputPerMTok: z.number().min(0).optional(),
})

/** A key pool member's name: shown in the dashboard and the ledger (never the key). */
const keyLabel = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$/, 'use letters, digits, ".", "_", "@" or "-" (at most 64)')

const PooledKeySchema = z.strictObject({
  /** A literal key, an `env:NAME` reference, or (Electron) an encrypted `safe:` blob. */
  key: z.string().min(1).max(4096),
  label: keyLabel,
  /** Share of the requests (smooth weighted round-robin among the keys that can take one); 0 = only when no other can. */
  weight: z.number().min(0).max(1000).optional(),
  /** This key's own limits (its account's), besides the provider's. */
  limits: LimitsSchema.optional(),
})

export const ProviderSchema = z.strictObject({
  id,
  name: z.string().max(100).optional(),
  kind: z.enum(PROVIDER_KINDS),
  baseUrl: httpUrl,
  /** A literal key, an `env:NAME` reference, or (Electron) an encrypted `safe:` blob. */
  apiKey: z.string().max(4096).optional(),
  /**
   * A key pool: several keys (accounts) for this provider, each with its weight, limits and
   * learned budget; a key is rested after 429 / 401 / 403 / 402. With `apiKey` too, that key
   * joins the pool as "default".
   */
  apiKeys: z.array(PooledKeySchema).max(64).optional(),
  enabled: z.boolean().default(true),
  weight: z.number().min(0).default(1),
  models: z.array(z.string().min(1)).default([]),
  defaultModel: z.string().min(1).optional(),
  modelMap: z.record(z.string(), z.string().min(1)).optional(),
  limits: LimitsSchema.default({}),
  queue: QueueSchema.default({ maxSize: 100, timeoutMs: 30_000, overflow: 'reject-new' }),
  timeouts: TimeoutsSchema.default({}),
  pricing: z.record(z.string(), PriceSchema).optional(),
  headers: z.record(z.string(), z.string()).optional(),
  defaultMaxTokens: positiveInt.optional(),
  /**
   * A GPU you run (balanced cache-aware by routes without a strategy) or a cloud API (used after
   * the local targets, as failover). Absent: decided by kind (vllm, ollama, llamacpp: local) and
   * host (loopback, private or LAN addresses: local).
   */
  local: z.boolean().optional(),
  /**
   * Dialects this provider speaks natively beyond what its kind always speaks (e.g. `openai-responses`
   * on an OpenAI-compatible server that serves /v1/responses, `anthropic-messages` on a vLLM, Ollama
   * or llama.cpp recent enough to serve /v1/messages): requests in them pass through untranslated.
   */
  dialects: z.array(z.enum(PROVIDER_DIALECTS)).optional(),
})

const TargetSchema = z.strictObject({
  provider: id,
  model: z.string().min(1).optional(),
  weight: z.number().min(0).optional(),
})

export const RouteSchema = z.strictObject({
  /** Client-facing model name or glob (`local`, `claude-*`, `*`). */
  model: z.string().min(1),
  /** Absent: `auto` (DEFAULT_STRATEGY). Configs written before `auto` existed name their strategy or meant `failover`. */
  strategy: z.enum(STRATEGIES).default(DEFAULT_STRATEGY),
  targets: z.array(TargetSchema).min(1),
  affinity: z.boolean().default(false),
  /**
   * Session affinity with bounded load: a session's target is passed over while it carries more
   * than this factor × the route's average in-flight requests (then the route's strategy picks
   * among the others). Default 1.25; 0 turns the bound off (stickiness always wins).
   */
  affinityLoadFactor: z.union([z.literal(0), z.number().min(1).max(100)]).optional(),
})

const RoutingSchema = z.strictObject({
  /** How often local backends report their load (vLLM /metrics, Ollama /api/ps); default 1000 ms. */
  loadIntervalMs: z.number().int().min(100).max(600_000).optional(),
})

/** An IANA time zone the runtime knows (`Europe/Berlin`, `UTC`). */
const timeZone = z.string().refine((tz) => {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz })
    return true
  } catch {
    return false
  }
}, 'not a time zone this system knows (use an IANA name such as "Europe/Berlin" or "UTC")')

export const DEFAULT_RETENTION_DAYS = 365

const UsageWebhookSchema = z.strictObject({
  /** Ledger rows are POSTed here in batches (JSON `{ records: [...] }`). */
  url: httpUrl,
  /** Extra headers for the receiver (its own auth); values may be `env:NAME` references. */
  headers: z.record(z.string().regex(/^[A-Za-z0-9!#$%&'*+.^_`|~-]+$/, 'not a valid header name'), z.string().max(4096)).optional(),
  /** Rows per POST (default 100). */
  batchSize: z.number().int().min(1).max(1000).optional(),
  /**
   * How long one POST may take before it counts as failed and the same batch (same
   * Idempotency-Key) is sent again later (default 10 000 ms, at most 10 minutes).
   */
  timeoutMs: z.number().int().min(100).max(600_000).optional(),
})

const UsageSchema = z.strictObject({
  /** Days of per-request ledger rows kept (hourly rollups are kept forever); 0 keeps every row. */
  retentionDays: z.number().int().min(0).max(36_500).default(DEFAULT_RETENTION_DAYS),
  /** Zone of the `day` buckets in usage queries and of "today"; the machine's own when absent. */
  timeZone: timeZone.optional(),
  webhook: UsageWebhookSchema.optional(),
  /**
   * Write one ledger row per request to usage.db (absent = true). false: metering, /metrics and
   * live stats still count every request, but no row is stored (nor sent to the webhook).
   */
  ledger: z.boolean().optional(),
})

/**
 * Limits of the gateway's own HTTP server (all optional; see DEFAULT_HTTP_LIMITS). None of them
 * bounds a response: a stream may run for as long as its upstream keeps sending.
 */
const HttpLimitsSchema = z.strictObject({
  /** Time a client has to send its request headers (slow-header clients are cut). */
  headersTimeoutMs: positiveInt.optional(),
  /** Time a client has to send its whole request, body included; 0 = no limit. */
  requestTimeoutMs: z.number().int().min(0).optional(),
  /** How long an idle keep-alive connection stays open. */
  keepAliveTimeoutMs: positiveInt.optional(),
  /** Open client connections at most; more are refused until some close. */
  maxConnections: positiveInt.optional(),
  /** Request header bytes at most (applies from the next start). */
  maxHeaderBytes: z.number().int().min(1024).max(1024 * 1024).optional(),
})

export const DEFAULT_HTTP_LIMITS = {
  headersTimeoutMs: 20_000,
  requestTimeoutMs: 120_000,
  keepAliveTimeoutMs: 30_000,
  maxConnections: 4096,
  maxHeaderBytes: 64 * 1024,
} as const satisfies Required<z.infer<typeof HttpLimitsSchema>>

export const DEFAULT_SHUTDOWN_GRACE_MS = 10_000

/**
 * A bind address: an IPv4 or IPv6 address, or a host name (letters, digits, hyphens, dots).
 * Refused otherwise, so a typo never reaches the next start as an address it cannot listen on.
 */
export function isValidHost(host: string): boolean {
  const h = host.trim()
  if (h === '' || h.length > 253) return false
  if (/^\d{1,3}(\.\d{1,3}){3}$/.test(h)) return h.split('.').every((n) => Number(n) <= 255)
  if (h.includes(':')) return /^\[?[0-9a-f:.]+(%[\w.-]+)?\]?$/i.test(h) && (h.match(/::/g) ?? []).length <= 1
  return h.split('.').every((label) => /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/i.test(label))
}

/**
 * Team mode: several instances share limits, concurrency, learned budgets, breakers, app keys,
 * the config and usage rollups through one Redis. Absent: this instance alone (embedded state).
 */
const StateSchema = z.strictObject({
  /** `redis://[user:password@]host:6379[/db]`, `rediss://` for TLS, or `env:NAME`. */
  redis: z
    .string()
    .max(2048)
    .refine((v) => /^rediss?:\/\//i.test(v) || v.startsWith('env:'), 'must be a redis:// or rediss:// URL, or env:NAME')
    .optional(),
  /**
   * While Redis is unreachable: `closed` (default) each instance enforces its share of every
   * limit (limit / live instances), so the team stays within it; `open` the whole limit each.
   * Proxying never stops either way.
   */
  failMode: z.enum(['open', 'closed']).optional(),
  /** Key and channel prefix, to keep several teams (or environments) apart on one Redis; default `switchyard`. */
  prefix: z.string().regex(/^[\w.-]{1,64}$/, 'letters, digits, ".", "_" or "-" (at most 64)').optional(),
  /** Longest a Redis command may take before the instance decides alone (default 500 ms). */
  timeoutMs: z.number().int().min(20).max(10_000).optional(),
  /** Share the config's providers, routes, active provider, routing and usage sections (default true). */
  shareConfig: z.boolean().optional(),
})

const ServerSchema = z.strictObject({
  host: z.string().min(1).refine(isValidHost, 'not an IP address or host name').default('127.0.0.1'),
  port: z.number().int().min(0).max(65535).default(DEFAULT_PORT),
  allowedOrigins: z.array(z.string()).default([]),
  requireAppKey: z.boolean().default(false),
  maxBodyBytes: positiveInt.default(DEFAULT_MAX_BODY_BYTES),
  http: HttpLimitsSchema.optional(),
  /** On SIGTERM/quit: how long requests under way may take to finish before they are cut. */
  shutdownGraceMs: z.number().int().min(0).max(600_000).optional(),
  /**
   * A second port that speaks only what Ollama serves, for tools that take a host without a path
   * (11434 belongs to a real Ollama; 11435 is a good choice). Off when absent.
   */
  ollamaPort: z.number().int().min(0).max(65535).optional(),
})

/** The OpenAI Responses API's stored responses (`store`, `previous_response_id`), kept locally. */
const ResponsesSchema = z.strictObject({
  /** Keep responses so that `previous_response_id` and GET /v1/responses/{id} work (default true). */
  store: z.boolean().optional(),
  /** Most responses kept (default 10000); the oldest go first. */
  maxResponses: positiveInt.optional(),
  /** Days a response is kept (default 30). */
  retentionDays: z.number().int().min(1).max(3650).optional(),
})

export const MODEL_TIERS = ['large', 'default', 'small'] as const
export type ModelTier = (typeof MODEL_TIERS)[number]

const ToolModelRuleSchema = z.strictObject({
  /** A model name or glob a tool sends (`claude-*haiku*`, `gpt-4o`). */
  match: z.string().min(1).max(256),
  /** Send it to this tier's model... */
  tier: z.enum(MODEL_TIERS).optional(),
  /** ...or to this model. */
  model: z.string().min(1).max(256).optional(),
})

/**
 * Model names coding tools hard-code (claude-* tiers, gpt-*, gemini-*, o*) mapped to models this
 * gateway serves, used only when no route and no provider serves the name. Absent: the built-in
 * rules with tiers picked from the served models.
 */
const ToolModelsSchema = z.strictObject({
  enabled: z.boolean().optional(),
  /** The model of each tier; absent: the largest / the active provider's default / the smallest served model. */
  tiers: z.strictObject({ large: z.string().min(1).optional(), default: z.string().min(1).optional(), small: z.string().min(1).optional() }).optional(),
  /** Tried in order before the built-in rules. */
  rules: z.array(ToolModelRuleSchema).max(200).optional(),
})

export const ConfigSchema = z
  .strictObject({
    version: z.literal(CONFIG_VERSION).default(CONFIG_VERSION),
    server: ServerSchema.default({
      host: '127.0.0.1',
      port: DEFAULT_PORT,
      allowedOrigins: [],
      requireAppKey: false,
      maxBodyBytes: DEFAULT_MAX_BODY_BYTES,
    }),
    activeProvider: id.optional(),
    providers: z.array(ProviderSchema).default([]),
    routes: z.array(RouteSchema).default([]),
    /** Gateway-wide routing tunables (all optional). */
    routing: RoutingSchema.optional(),
    usage: UsageSchema.default({ retentionDays: DEFAULT_RETENTION_DAYS }),
    responses: ResponsesSchema.optional(),
    toolModels: ToolModelsSchema.optional(),
    /** Team mode (shared state on Redis); absent: embedded. */
    state: StateSchema.optional(),
  })
  .superRefine((config, ctx) => {
    const ids = new Set<string>()
    config.providers.forEach((p, i) => {
      if (ids.has(p.id)) ctx.addIssue({ code: 'custom', path: ['providers', i, 'id'], message: `duplicate provider id "${p.id}"` })
      ids.add(p.id)
      const labels = new Set<string>(p.apiKey !== undefined && p.apiKeys?.length ? [DEFAULT_KEY_LABEL] : [])
      p.apiKeys?.forEach((k, j) => {
        if (labels.has(k.label)) ctx.addIssue({ code: 'custom', path: ['providers', i, 'apiKeys', j, 'label'], message: `duplicate key label "${k.label}"` })
        labels.add(k.label)
      })
    })
    if (config.activeProvider !== undefined && !ids.has(config.activeProvider)) {
      ctx.addIssue({ code: 'custom', path: ['activeProvider'], message: `no provider with id "${config.activeProvider}"` })
    }
    const routeNames = new Set<string>()
    config.routes.forEach((r, i) => {
      if (routeNames.has(r.model)) ctx.addIssue({ code: 'custom', path: ['routes', i, 'model'], message: `duplicate route "${r.model}"` })
      routeNames.add(r.model)
      r.targets.forEach((t, j) => {
        if (!ids.has(t.provider)) {
          ctx.addIssue({ code: 'custom', path: ['routes', i, 'targets', j, 'provider'], message: `no provider with id "${t.provider}"` })
        }
      })
    })
  })

/** The label `apiKey` takes when it joins a provider's `apiKeys` pool. */
export const DEFAULT_KEY_LABEL = 'default'

export type Config = z.output<typeof ConfigSchema>
export type StateConfig = z.output<typeof StateSchema>
export type PooledKeyConfig = z.output<typeof PooledKeySchema>
export type ConfigInput = z.input<typeof ConfigSchema>
export type ProviderConfig = z.output<typeof ProviderSchema>
export type ProviderInput = z.input<typeof ProviderSchema>
export type RouteConfig = z.output<typeof RouteSchema>
export type RoutingConfig = z.output<typeof RoutingSchema>

/**
 * A provider's key pool: its `apiKeys`, with `apiKey` (if also set) as the key labelled
 * "default"; empty when the provider has no pool (then `apiKey` alone is used, as always).
 */
export function keyPoolOf(p: Pick<ProviderConfig, 'apiKey' | 'apiKeys'>): PooledKeyConfig[] {
  if (!p.apiKeys || p.apiKeys.length === 0) return []
  return p.apiKey !== undefined && p.apiKey !== '' ? [{ key: p.apiKey, label: DEFAULT_KEY_LABEL }, ...p.apiKeys] : [...p.apiKeys]
}

/** Whether a route's `model` is a pattern (`*` any run, `?` one character) rather than a name. */
export function isGlob(pattern: string): boolean {
  return pattern.includes('*') || pattern.includes('?')
}
export type UsageConfig = z.output<typeof UsageSchema>
export type ToolModelsConfig = z.output<typeof ToolModelsSchema>
export type ToolModelRule = z.output<typeof ToolModelRuleSchema>
export type UsageWebhookConfig = z.output<typeof UsageWebhookSchema>
export type ProviderKind = (typeof PROVIDER_KINDS)[number]
export type ProviderDialect = (typeof PROVIDER_DIALECTS)[number]
export type Strategy = (typeof STRATEGIES)[number]

/** Upgrades older documents step by step; index n turns version n into n + 1. */
const migrations: Record<number, (doc: Record<string, unknown>) => Record<string, unknown>> = {}

export type ConfigResult = { ok: true; config: Config } | { ok: false; errors: string[] }

export function parseConfig(raw: unknown): ConfigResult {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    return { ok: false, errors: ['config must be a JSON object'] }
  }
  let doc = raw as Record<string, unknown>
  let version = doc.version === undefined ? CONFIG_VERSION : doc.version
  if (typeof version !== 'number' || !Number.isInteger(version) || version < 1) {
    return { ok: false, errors: ['version: must be a positive integer'] }
  }
  if (version > CONFIG_VERSION) {
    return { ok: false, errors: [`version: ${version} was written by a newer Switchyard (this one reads up to ${CONFIG_VERSION})`] }
  }
  while (version < CONFIG_VERSION) {
    const step = migrations[version]
    if (!step) return { ok: false, errors: [`version: no migration from ${version}`] }
    doc = { ...step(doc), version: version + 1 }
    version += 1
  }
  const parsed = ConfigSchema.safeParse(doc)
  if (parsed.success) return { ok: true, config: parsed.data }
  return { ok: false, errors: parsed.error.issues.map(formatIssue) }
}

export function parseProvider(raw: unknown): { ok: true; provider: ProviderConfig } | { ok: false; errors: string[] } {
  const parsed = ProviderSchema.safeParse(raw)
  if (parsed.success) return { ok: true, provider: parsed.data }
  return { ok: false, errors: parsed.error.issues.map(formatIssue) }
}

function formatIssue(issue: z.core.$ZodIssue): string {
  const path = issue.path
    .map((p, i) => (typeof p === 'number' ? `[${p}]` : `${i === 0 ? '' : '.'}${String(p)}`))
    .join('')
  return path ? `${path}: ${issue.message}` : issue.message
}

export function defaultConfig(): Config {
  const result = parseConfig({})
  if (!result.ok) throw new Error('default config does not validate')
  return result.config
}

export function isSecretReference(value: string): boolean {
  return value.startsWith('env:')
}

/**
 * Provider header values that are plain settings, shown in clear in the UI and the admin API.
 * Every other configured provider header (`x-goog-api-key`, Azure's `api-key`, `authorization`,
 * `cookie`, `x-whatever-token`, ...) is treated as a secret: masked like `apiKey`, and scrubbed
 * from upstream error bodies. An allowlist, because a header name that carries a credential
 * cannot be recognised reliably, while the harmless ones are few and well known.
 */
export const PLAIN_PROVIDER_HEADERS: ReadonlySet<string> = new Set([
  'accept',
  'anthropic-beta',
  'anthropic-version',
  'content-type',
  'http-referer',
  'openai-beta',
  'referer',
  'user-agent',
  'x-title',
])

/** Whether a configured provider header's value is a secret (see PLAIN_PROVIDER_HEADERS). */
export function isSecretHeader(name: string): boolean {
  return !PLAIN_PROVIDER_HEADERS.has(name.toLowerCase())
}

// `scheme://userinfo@host...`: the greedy run stops at the last `@` of the authority, as URL parsers do.
const USERINFO = /^([a-z][a-z0-9+.-]*:\/\/)([^/?#]*)@/i

/** The password of a URL's userinfo as written (percent-encoded), or undefined when it has none. */
export function urlPassword(url: string): string | undefined {
  const userinfo = USERINFO.exec(url)?.[2]
  const colon = userinfo === undefined ? -1 : userinfo.indexOf(':')
  return colon === -1 ? undefined : userinfo!.slice(colon + 1)
}

/** The URL with the password of its userinfo replaced (undefined: removed); everything else byte for byte. */
function withUrlPassword(url: string, password: string | undefined): string {
  return url.replace(USERINFO, (_all, scheme: string, userinfo: string) => {
    const colon = userinfo.indexOf(':')
    const user = colon === -1 ? userinfo : userinfo.slice(0, colon)
    return `${scheme}${user}${password === undefined ? '' : `:${password}`}@`
  })
}

function maskUrlPassword(url: string): string {
  const password = urlPassword(url)
  return password === undefined || password === '' ? url : withUrlPassword(url, SECRET_MASK)
}

/** A masked password comes back as the stored one (removed if none is stored: never send the mask). */
function restoreUrlPassword(incoming: string, stored: string | undefined): string {
  if (urlPassword(incoming) !== SECRET_MASK) return incoming
  const password = stored === undefined ? undefined : urlPassword(stored)
  return withUrlPassword(incoming, password)
}

/** A provider's base URL as the UI and the admin API may see it (a password in it masked). */
export function maskedBaseUrl(baseUrl: string): string {
  return maskUrlPassword(baseUrl)
}

function maskValue(value: string): string {
  return isSecretReference(value) ? value : SECRET_MASK
}

function maskProvider(p: ProviderConfig): ProviderConfig {
  const out: ProviderConfig = { ...p, baseUrl: maskUrlPassword(p.baseUrl) }
  if (p.apiKey !== undefined) out.apiKey = maskValue(p.apiKey)
  if (p.apiKeys) out.apiKeys = p.apiKeys.map((k) => ({ ...k, key: maskValue(k.key) }))
  if (p.headers) out.headers = mapValues(p.headers, (v, k) => (isSecretHeader(k) ? maskValue(v) : v))
  return out
}

/**
 * The config as the UI and the admin API may see it: literal provider keys, secret provider
 * header values (see isSecretHeader), passwords in base URLs, and webhook header values replaced
 * by SECRET_MASK. `env:NAME` references are not secrets and stay visible.
 */
export function maskSecrets(config: Config): Config {
  const webhook = config.usage?.webhook
  const state = config.state
  return {
    ...config,
    providers: config.providers.map(maskProvider),
    ...(state?.redis ? { state: { ...state, redis: maskUrlPassword(state.redis) } } : {}),
    ...(webhook
      ? { usage: { ...config.usage, webhook: { ...webhook, url: maskUrlPassword(webhook.url), ...(webhook.headers ? { headers: mapValues(webhook.headers, maskValue) } : {}) } } }
      : {}),
  }
}

function mapValues(record: Record<string, string>, f: (v: string, k: string) => string): Record<string, string> {
  return Object.fromEntries(Object.entries(record).map(([k, v]) => [k, f(v, k)]))
}

/** Headers whose masked values take the stored value of the same (case-insensitive) name; dropped when none is stored. */
function restoreHeaders(incoming: Record<string, string>, stored: Record<string, string> | undefined): Record<string, string> {
  const byName = new Map(Object.entries(stored ?? {}).map(([k, v]) => [k.toLowerCase(), v]))
  return Object.fromEntries(
    Object.entries(incoming).flatMap(([k, v]) => {
      if (v !== SECRET_MASK) return [[k, v]]
      const kept = byName.get(k.toLowerCase())
      return kept === undefined ? [] : [[k, kept]]
    }),
  )
}

/** Pooled keys sent back masked take the stored key of the same label; dropped when none is stored. */
function restoreKeys(incoming: PooledKeyConfig[], stored: PooledKeyConfig[] | undefined): PooledKeyConfig[] {
  const byLabel = new Map((stored ?? []).map((k) => [k.label, k.key]))
  return incoming.flatMap((k) => {
    if (k.key !== SECRET_MASK) return [k]
    const kept = byLabel.get(k.label)
    return kept === undefined ? [] : [{ ...k, key: kept }]
  })
}

/**
 * Puts back the stored secrets wherever an incoming config carries SECRET_MASK for the same
 * provider id (its key, a header value, the password in its base URL) or for the webhook: a
 * config read from the admin API and sent back unchanged keeps every real secret.
 */
export function restoreMaskedSecrets(incoming: Config, current: Config): Config {
  const stored = new Map(current.providers.map((p) => [p.id, p]))
  const webhook = incoming.usage?.webhook
  const storedHook = current.usage?.webhook
  return {
    ...incoming,
    providers: incoming.providers.map((p) => {
      const before = stored.get(p.id)
      const out: ProviderConfig = { ...p, baseUrl: restoreUrlPassword(p.baseUrl, before?.baseUrl) }
      if (p.apiKey === SECRET_MASK) out.apiKey = before?.apiKey
      if (p.apiKeys) out.apiKeys = restoreKeys(p.apiKeys, before?.apiKeys)
      if (p.headers) out.headers = restoreHeaders(p.headers, before?.headers)
      return out
    }),
    ...(incoming.state?.redis ? { state: { ...incoming.state, redis: restoreUrlPassword(incoming.state.redis, current.state?.redis) } } : {}),
    ...(webhook
      ? {
          usage: {
            ...incoming.usage,
            webhook: { ...webhook, url: restoreUrlPassword(webhook.url, storedHook?.url), ...(webhook.headers ? { headers: restoreHeaders(webhook.headers, storedHook?.headers) } : {}) },
          },
        }
      : {}),
  }
}
