// Shapes shared by the usage modules: normalized token counts and one ledger row per request.

/** Wire protocol a response body is read in. Ollama's `/v1` API and vLLM speak `openai`. */
export type UsageProtocol = 'openai' | 'anthropic' | 'ollama'

/**
 * Token counts normalized across protocols. `promptTokens` counts every input token, cached and
 * cache-written ones included (OpenAI's meaning), so totals compare across backends; Anthropic's
 * `input_tokens` (which excludes both) is `promptTokens - cachedTokens - cacheCreationTokens`.
 * `completionTokens` includes `reasoningTokens`, as every backend bills them.
 */
export interface TokenUsage {
  promptTokens: number
  completionTokens: number
  cachedTokens: number
  cacheCreationTokens: number
  reasoningTokens: number
}

export const ZERO_USAGE: Readonly<TokenUsage> = Object.freeze({
  promptTokens: 0,
  completionTokens: 0,
  cachedTokens: 0,
  cacheCreationTokens: 0,
  reasoningTokens: 0,
})

/** How a request ended. `interrupted`: the gateway died while it was in flight. */
export type RequestState = 'ok' | 'error' | 'aborted' | 'interrupted'

/** What the pipeline records once a request is over. */
export interface UsageRow extends TokenUsage {
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
  state: RequestState
  costUsd: number
  latencyMs: number | null
  ttftMs: number | null
  attempts: number
  errorClass: string | null
  /** Token counts were estimated (a stream cut short before the backend reported usage). */
  estimated: boolean
  /** The attempts, when there was more than one or the request failed (the request log shows the path). */
  path?: AttemptStep[]
}

/** One upstream attempt as the request log shows it. */
export interface AttemptStep {
  provider: string
  model: string
  outcome: string
  status?: number
  latencyMs: number
}

/** What is known when a request starts; written as an in-flight marker through the same batch. */
export interface InFlightRow {
  requestId: string
  ts: number
  app: string
  provider: string
  routeModel: string
  upstreamModel: string
  endpoint: string
  stream: boolean
}

export type LedgerState = UsageRow['state'] | 'in_flight'

/** A ledger row as queries return it. */
export interface StoredUsageRow extends Omit<UsageRow, 'state'> {
  id: number
  state: LedgerState
  exported: boolean
}
