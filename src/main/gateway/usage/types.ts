// Shapes shared by the usage modules: normalized token counts and one ledger row per request.
// The row's fields are the ones the app API promises for the request log (src/shared/api.ts).
import type { RequestLogEntry } from '../../../shared/api'
import type { Dialect } from '../dialects/codec'

export type { AttemptStep } from '../../../shared/api'

/** Wire protocol a response body is read in. Ollama's `/v1` API and vLLM speak `openai`. */
export type UsageProtocol = 'openai' | 'anthropic' | 'ollama' | 'openai-responses' | 'gemini'

/** The protocol answers in a dialect are read in (what the usage scanner and body reader expect). */
const USAGE_PROTOCOLS: Record<Dialect, UsageProtocol> = {
  'openai-chat': 'openai',
  'openai-responses': 'openai-responses',
  'anthropic-messages': 'anthropic',
  gemini: 'gemini',
  ollama: 'ollama',
}

export function usageProtocolOf(dialect: Dialect): UsageProtocol {
  return USAGE_PROTOCOLS[dialect]
}

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

/** What the pipeline records once a request is over: the app API's request log entry, with a known state. */
export interface UsageRow extends TokenUsage, Omit<RequestLogEntry, 'state'> {
  state: RequestState
}

/** What is known when a request starts; written as an in-flight marker through the same batch. */
export type InFlightRow = Pick<UsageRow, 'requestId' | 'ts' | 'app' | 'provider' | 'routeModel' | 'upstreamModel' | 'endpoint' | 'stream'>

export type LedgerState = UsageRow['state'] | 'in_flight'

/** A ledger row as queries return it. */
export interface StoredUsageRow extends Omit<UsageRow, 'state'> {
  id: number
  state: LedgerState
  exported: boolean
}
