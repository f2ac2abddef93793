// The provider adapter: everything that differs between backend kinds, declared once per kind in
// kinds/<kind>/ and registered in registry.ts. The rest of the gateway asks the adapter and knows
// no kind, host name or endpoint of its own. Everything here is data or a pure function over data;
// the side-channel I/O (probes, model lists, load) is done by the generic code, which hands the
// adapter a `get` to read with.
import type { ProviderConfig, ProviderKind } from '../../../shared/config'
import type { ProviderPreset } from '../../../shared/providerPresets'
import type { Dialect, EncodeRequestOptions } from '../dialects/codec'
import type { GetResult } from './backendClient'

export interface Timeouts {
  connectMs: number
  /** From dispatch until the first body byte: covers queueing and model loading upstream. */
  firstByteMs: number
  /** Largest gap allowed between two body chunks. */
  idleMs: number
}

/** Self-hosted kinds are GPUs you run wherever they are; the rest are local when their host is. */
export type Locality = 'local' | 'by-host'

/** What the side channels need to know about one provider (see backendTarget.ts). */
export interface SideTarget {
  id: string
  kind: ProviderKind
  baseUrl: string
  /** Auth and configured extra headers, sent with every side-channel request. */
  headers: Record<string, string>
}

/** A dialect a kind speaks natively, and where its requests go. */
export interface NativeDialect {
  readonly dialect: Dialect
  /** The URL this dialect codec's request paths are appended to, from the configured baseUrl. */
  base(baseUrl: string): URL
  /**
   * Whether a provider speaks it without saying so (default true). False: only when its config
   * lists the dialect in `dialects` (servers of the kind serve it from some version on). A
   * function decides per provider (OpenAI itself serves the Responses API; other hosts may not).
   */
  readonly byDefault?: boolean | ((config: Pick<ProviderConfig, 'baseUrl'>) => boolean)
}

/** What a kind may say about encoding a request for it (the model name and limits are the request's). */
export type DialectQuirks = Omit<EncodeRequestOptions, 'upstreamModel' | 'defaultMaxTokens' | 'maxTokensCap'>

/** A probe answer's meaning: up, up but refusing work for now, or down. */
export interface ProbeVerdict {
  ok: boolean
  busy?: boolean
  error?: string
}

/** The active health probe: one cheap, token-free GET. */
export interface HealthProbe {
  url(target: SideTarget): string
  judge(status: number): ProbeVerdict
}

/** A side-channel GET with the target's headers (see BackendClient). */
export type SideGet = (url: string, opts?: { maxBytes?: number }) => Promise<GetResult>

export interface DiscoveredModels {
  models: string[]
  /** Context window per model where the backend says (vLLM's `max_model_len`, llama.cpp's `n_ctx`). */
  contextLength: Record<string, number>
}

/** Model discovery: where the list is and how to read it (paging, extra endpoints). */
export interface ModelListing {
  url(target: SideTarget): string
  /** Throws with a short reason when the backend answers something that is not its list. */
  list(get: SideGet, target: SideTarget): Promise<DiscoveredModels>
}

/**
 * The load pages the gateway reads, by the name snapshots carry: queue reports (vLLM's /metrics,
 * llama.cpp's /metrics or /slots) and resident-model lists (Ollama's /api/ps, LM Studio's
 * /api/v0/models). A kind with a page of a new shape names it here.
 */
export type QueueSignal = 'vllm' | 'llamacpp'
export type ResidentSignal = 'ollama' | 'lmstudio'

/** A queue report: requests in the batch and waiting for it. */
export interface QueueReport {
  kind: QueueSignal
  running: number
  waiting: number
  /** 0..1; undefined when the server does not say. */
  kvCacheUsage?: number
  /** Served model names the page mentions. */
  models: string[]
  /** KV-cache size in tokens; undefined when the server does not say. */
  cacheCapacityTokens?: number
  /** False while the server has its weights off the GPU (vLLM sleep mode); undefined when it does not say. */
  awake?: boolean
  /** Requests the server runs at once (llama.cpp's slots); undefined when it does not say. */
  slots?: number
}

/** A model in memory. */
export interface ResidentModel {
  /** Names it answers to (`llama3.2:latest` also answers to `llama3.2`). */
  names: string[]
  /** Epoch ms at which the server unloads it if idle; undefined when unknown or never. */
  expiresAt?: number
  /** What the server says about it beyond that (Ollama's /api/ps), shown to clients that ask what runs. */
  described?: ResidentModelDescription
}

export interface ResidentModelDescription {
  /** The name as the server lists it. */
  name: string
  /** Bytes in memory, and the part of them in GPU memory. */
  size?: number
  sizeVram?: number
  digest?: string
  format?: string
  family?: string
  parameterSize?: string
  quantizationLevel?: string
}

/** Which models are in memory. */
export interface ResidentReport {
  kind: ResidentSignal
  loaded: ResidentModel[]
  /**
   * Every model the server has, when it lists them all (LM Studio): a model it does not list is
   * unknown there, not unloaded. Absent (Ollama lists only what is loaded): any other model is not loaded.
   */
  known?: string[]
}

export type LoadReport = QueueReport | ResidentReport

/** Where and how a backend reports its own load. */
export interface LoadSignal {
  /** Where it is read; undefined when this provider reports none. */
  url(target: SideTarget): string | undefined
  /**
   * One reading. `memo` is this target's own scratch space across readings (e.g. which endpoint
   * answered). Throws with a short reason (`/metrics answered 500`) when it cannot read one.
   */
  read(get: SideGet, target: SideTarget, memo: Record<string, unknown>): Promise<LoadReport>
  /** Stop asking after a first reading fails: the server may not have this API at all (LM Studio's). */
  readonly tentative?: boolean
}

/** How a kind tells its rate limits, so the gateway stops before a 429 and cools down after one. */
export interface RateLimitLearning {
  /**
   * The rate-limit headers its answers carry, learned into the provider's budget on every answer
   * (`x-ratelimit-*` or `anthropic-ratelimit-*`); undefined: none (local servers send none).
   */
  readonly headers?: 'openai' | 'anthropic'
  /** How long a refusal (429/503) asks to wait when its body says so rather than its headers. */
  retryDelayFromBody?(status: number, body: Buffer): number | undefined
}

/** USD per million tokens. */
export interface ModelPrice {
  inputPerMTok: number
  outputPerMTok: number
  /** Cache hits (OpenAI cached input, Anthropic cache reads, Gemini context cache); the input price when absent. */
  cachedInputPerMTok?: number
  /** Anthropic cache writes (5-minute TTL); 1.25 x input when absent. */
  cacheWritePerMTok?: number
}

/** How discovery tells a server of this kind on a port, by its own API. */
export interface Fingerprint {
  /** GET path under the server root. */
  path: string
  /** Whether the answer is this kind's (status and parsed JSON, or the text when not JSON). */
  matches(status: number, body: unknown): boolean
  /** The baseUrl to configure for a server found at `origin`. */
  baseUrl(origin: string): string
  /** A preset of the kind this server is (LM Studio among OpenAI-compatible servers). */
  presetId?: string
  /** Matches servers of other kinds too (any OpenAI-compatible /v1/models): tried after every specific one. */
  generic?: boolean
}

export interface ProviderAdapter {
  readonly kind: ProviderKind
  readonly locality: Locality
  /**
   * Dialects spoken natively, in priority order: a request in one of them passes through; any
   * other is translated to the first. The first one's base is where inference requests go.
   */
  readonly dialects: readonly NativeDialect[]
  /** The configured key as this kind's API wants it. */
  authHeaders(apiKey: string | undefined): Record<string, string>
  /** Side-channel headers from the provider's request headers (Anthropic: x-api-key and a version). */
  sideChannelHeaders?(headers: Record<string, string>): Record<string, string>
  readonly defaultTimeouts: Timeouts
  /** Undefined: watched passively (a metered cloud API gains nothing from probing). */
  readonly probe?: HealthProbe
  readonly models: ModelListing
  readonly load?: LoadSignal
  readonly rateLimits: RateLimitLearning
  /** Shipped prices by model name (a dated snapshot prices as its alias); config overrides them. */
  readonly prices: Readonly<Record<string, ModelPrice>>
  /** Per-backend quirks of the dialect a request is translated into (where reasoning goes, …). */
  encodeOptions(config: ProviderConfig): DialectQuirks
  /** Anthropic's `count_tokens` is answered by the provider itself (else counted locally). */
  readonly countsTokens?: boolean
  /** How discovery recognises a server of this kind (none for cloud APIs). */
  readonly fingerprints?: readonly Fingerprint[]
  /** The dashboard's presets for this kind (src/shared/providerPresets.ts). */
  readonly presets: readonly ProviderPreset[]
}

export const LOCAL_TIMEOUTS: Timeouts = { connectMs: 10_000, firstByteMs: 600_000, idleMs: 120_000 }
export const CLOUD_TIMEOUTS: Timeouts = { connectMs: 10_000, firstByteMs: 120_000, idleMs: 120_000 }

export function trimTrailingSlashes(path: string): string {
  return path.replace(/\/+$/, '')
}

/** `origin + path` of a URL without trailing slash: a base to append paths to. */
export function baseString(url: URL): string {
  return url.origin + trimTrailingSlashes(url.pathname)
}

export function bearerAuth(apiKey: string | undefined): Record<string, string> {
  return apiKey ? { authorization: `Bearer ${apiKey}` } : {}
}

/**
 * The usual reading of a probe's status. `anyAnswerIsUp`: the probe path is an API endpoint that
 * may not exist on every server (`/models`), so any answer below 500 proves it up, but a rejected
 * key does not. `busyOn503`: a 503 means loading or overloaded, not down (vLLM's /health answers
 * 503 only when its engine is dead).
 */
export function judgeProbe(status: number, opts: { anyAnswerIsUp?: boolean; busyOn503?: boolean } = {}): ProbeVerdict {
  if (status >= 200 && status < 300) return { ok: true }
  if (status === 429) return { ok: true, busy: true }
  if (opts.anyAnswerIsUp) {
    if (status === 401 || status === 403) return { ok: false, error: `key rejected (${status})` }
    if (status < 500) return { ok: true }
  }
  if (status === 503 && opts.busyOn503 !== false) return { ok: true, busy: true }
  return { ok: false, error: `answered ${status}` }
}
