// Prometheus metrics for `/metrics`, on a registry of our own (never prom-client's global one, so
// two gateways in one process — tests, Electron plus headless — do not collide). Label values are
// bounded: providers come from config, statuses are HTTP codes, and apps beyond the first
// `maxApps` distinct names fold into "other" (app names come from request headers).
import { collectDefaultMetrics, Gauge, Registry } from 'prom-client'
import { HotCounter, HotHistogram } from './hotMetrics'
import type { TokenUsage } from './types'

export interface MetricsOptions {
  maxApps?: number
  /** Also export Node process metrics (CPU, memory, event loop lag). */
  processMetrics?: boolean
}

export interface RequestObservation {
  provider: string
  app: string
  status: number
  /** How the request failed, also when its status was 200 (a stream cut short, an error event). */
  errorClass?: string
  /** The client-facing endpoint (`/chat/completions`, `/responses`, `/v1beta/streamGenerateContent`, `/api/chat`, …): it names the dialect. */
  endpoint?: string
  usage: TokenUsage
  /** Whole request, seconds. */
  durationSec?: number
  /** Time to the first byte from upstream, seconds. */
  ttftSec?: number
}

export const OTHER_APP = 'other'

// LLM latencies span from tens of milliseconds (cached, tiny) to many minutes (long generations,
// a local model loading): buckets reach 10 minutes.
const DURATION_BUCKETS = [0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 20, 30, 60, 120, 300, 600]
const TTFT_BUCKETS = [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60, 120, 300, 600]

export class GatewayMetrics {
  readonly registry = new Registry()
  private readonly requests: HotCounter
  private readonly errors: HotCounter
  private readonly endpoints: HotCounter
  private readonly tokens: HotCounter
  private readonly duration: HotHistogram
  private readonly ttft: HotHistogram
  private readonly queueDepth: Gauge<'provider'>
  private readonly upstreamUp: Gauge<'provider'>
  private readonly apps = new Set<string>()
  private readonly gaugeProviders = new Set<string>()
  private readonly maxApps: number

  constructor(opts: MetricsOptions = {}) {
    this.maxApps = opts.maxApps ?? 50
    const registers = [this.registry]
    this.requests = new HotCounter('switchyard_requests_total', 'Requests by provider, calling app and HTTP status.', this.registry)
    this.errors = new HotCounter('switchyard_request_errors_total', 'Failed requests by provider, calling app and error class (incomplete_stream, upstream_truncated, upstream_429, ...).', this.registry)
    this.endpoints = new HotCounter('switchyard_endpoint_requests_total', 'Requests by client endpoint (which names the dialect: OpenAI chat, Responses, Anthropic, Gemini, Ollama) and HTTP status, unknown paths included.', this.registry)
    this.tokens = new HotCounter('switchyard_tokens_total', 'Tokens by provider, app and kind (prompt, completion, cached, cache_creation, reasoning).', this.registry)
    this.duration = new HotHistogram('switchyard_request_duration_seconds', 'Request duration, from arrival to the last byte.', DURATION_BUCKETS, this.registry)
    this.ttft = new HotHistogram('switchyard_ttft_seconds', 'Time to first token: from dispatch to the first upstream body byte.', TTFT_BUCKETS, this.registry)
    this.queueDepth = new Gauge({ name: 'switchyard_queue_depth', help: 'Requests waiting for admission, per provider.', labelNames: ['provider'], registers })
    this.upstreamUp = new Gauge({ name: 'switchyard_upstream_up', help: '1 when the provider is healthy, 0 when not.', labelNames: ['provider'], registers })
    if (opts.processMetrics) collectDefaultMetrics({ register: this.registry, prefix: 'switchyard_' })
  }

  get contentType(): string {
    return this.registry.contentType
  }

  /** The exposition text for GET /metrics. */
  exposition(): Promise<string> {
    return this.registry.metrics()
  }

  observe(o: RequestObservation): void {
    const app = this.appLabel(o.app)
    const provider = o.provider || 'none'
    const status = o.status
    this.requests.inc(`${provider}\u0000${app}\u0000${status}`, () => ({ provider, app, status: String(status) }))
    const endpoint = endpointLabel(o.endpoint)
    this.endpoints.inc(`${endpoint}\u0000${status}`, () => ({ endpoint, status: String(status) }))
    const error = o.errorClass
    if (error !== undefined) this.errors.inc(`${provider}\u0000${app}\u0000${error}`, () => ({ provider, app, error }))
    const u = o.usage
    if (u.promptTokens > 0) this.countTokens(provider, app, 'prompt', u.promptTokens)
    if (u.completionTokens > 0) this.countTokens(provider, app, 'completion', u.completionTokens)
    if (u.cachedTokens > 0) this.countTokens(provider, app, 'cached', u.cachedTokens)
    if (u.cacheCreationTokens > 0) this.countTokens(provider, app, 'cache_creation', u.cacheCreationTokens)
    if (u.reasoningTokens > 0) this.countTokens(provider, app, 'reasoning', u.reasoningTokens)
    if (o.durationSec !== undefined && o.durationSec >= 0) this.duration.observe(provider, () => ({ provider }), o.durationSec)
    if (o.ttftSec !== undefined && o.ttftSec >= 0) this.ttft.observe(provider, () => ({ provider }), o.ttftSec)
  }

  private countTokens(provider: string, app: string, kind: string, n: number): void {
    this.tokens.inc(`${provider}\u0000${app}\u0000${kind}`, () => ({ provider, app, kind }), n)
  }

  setQueueDepth(provider: string, depth: number): void {
    this.gaugeProviders.add(provider)
    this.queueDepth.set({ provider }, depth)
  }

  setUpstreamUp(provider: string, up: boolean): void {
    this.gaugeProviders.add(provider)
    this.upstreamUp.set({ provider }, up ? 1 : 0)
  }

  /** Forget a provider removed from config, so its series stop being exported. */
  removeProvider(provider: string): void {
    this.queueDepth.remove({ provider })
    this.upstreamUp.remove({ provider })
    this.gaugeProviders.delete(provider)
  }

  /** Drops the gauges of every provider not in `current` (called before a scrape). */
  retainProviders(current: Iterable<string>): void {
    const keep = new Set(current)
    for (const p of [...this.gaugeProviders]) if (!keep.has(p)) this.removeProvider(p)
  }

  private appLabel(app: string): string {
    if (this.apps.has(app)) return app
    if (this.apps.size >= this.maxApps) return OTHER_APP
    this.apps.add(app)
    return app
  }
}

const KNOWN_ENDPOINTS = new Set([
  '/chat/completions',
  '/completions',
  '/embeddings',
  '/v1/messages',
  '/responses',
  '/responses/compact',
  '/v1beta/generateContent',
  '/v1beta/streamGenerateContent',
  '/v1beta/embedContent',
  '/v1beta/batchEmbedContents',
  '/api/chat',
  '/api/generate',
  '/api/embed',
  '/api/embeddings',
])

/** Endpoints are label values: anything a client made up (unknown paths) folds into "other". */
function endpointLabel(endpoint: string | undefined): string {
  if (endpoint === undefined) return 'none'
  return KNOWN_ENDPOINTS.has(endpoint) ? endpoint : 'other'
}
