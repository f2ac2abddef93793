// Stage "prepare": what one attempt sends to one candidate. When the backend speaks the client's
// dialect the client's bytes go through untouched (or with the few edits forwarding needs: the
// upstream model's name, the usage chunk the ledger needs, unsigned thinking Anthropic refuses);
// otherwise the request is translated through the canonical model into the backend's dialect.
import { estimateRequestTokens } from '../admission/tokenEstimate'
import { withoutUnsignedThinking } from '../dialects/anthropicMessages/unsignedThinking'
import type { Dialect } from '../dialects/codec'
import { compactionAnswer, summaryRequest } from '../dialects/openaiResponses/compaction'
import { chooseTranslation, prepareTranslatedRequest, translateResponse, unsupportedUpstream, type ClientRequestInfo, type PrepareOptions, type Translation } from '../dialects/translation'
import { anthropicUpstreamHeaders } from '../providers/kinds/anthropic/upstream'
import type { ProviderRuntime, Upstream } from '../providers/providerRuntime'
import { upstreamRequestHeaders } from '../providers/requestHeaders'
import type { GatewayRequest } from './request'

export interface UpstreamCall {
  /** Where the request goes: the provider's base for the dialect it is sent in. */
  upstream: Upstream
  path: string
  headers: Record<string, string>
  body: Buffer
  translation: Translation
  /** The dialect the upstream answers in (what metering reads). */
  upstreamDialect: Dialect
  clientInfo?: ClientRequestInfo
  /** Passthrough non-streamed answers get the client's model name back. */
  rewriteModel?: string
  /** The gateway asked for a usage chunk the client did not (it is stripped from the stream). */
  injectedUsage: boolean
  /** A non-streamed answer made into another shape for the client (a compaction built from a summary). */
  mapAnswer?: (answer: unknown) => object
}

const USAGE_ENDPOINTS = new Set(['/chat/completions', '/completions'])
/** Endpoints whose requests are conversations (the others only pass through to an OpenAI-style backend). */
const CONVERSATIONS = new Set(['/chat/completions', '/v1/messages', '/responses', '/responses/compact', '/v1beta/generateContent', '/v1beta/streamGenerateContent', '/api/chat', '/api/generate'])

/**
 * `contextLength`: the upstream model's context window when known (vLLM reports it). Translated
 * requests then get their output limit capped to what fits: Claude Code asks for 32k output
 * tokens, which a local model with a small context rejects outright. `promptTokens`: the prompt's
 * size when admission already counted it (counting is the costly part for a long prompt).
 */
export function prepareUpstreamCall(
  req: GatewayRequest,
  provider: ProviderRuntime,
  upstreamModel: string,
  contextLength?: number,
  promptTokens?: number,
  /** A pooled key's auth headers for this attempt (ProviderRuntime.keys.pick). */
  keyHeaders?: Record<string, string>,
): UpstreamCall {
  const translation = chooseTranslation(req.dialect, provider.dialects.map((d) => d.dialect))
  const providerHeaders = keyHeaders ? { ...provider.upstream.headers, ...keyHeaders } : provider.upstream.headers
  if (translation === 'passthrough') return passthrough(req, provider, upstreamModel, providerHeaders)
  if (!CONVERSATIONS.has(req.endpoint)) throw unsupportedUpstream(req.endpoint, provider.config.id, translation.upstream)
  const maxTokensCap = contextLength ? outputRoom(req, contextLength, promptTokens) : undefined
  const options: PrepareOptions = { ...translationOptions(provider), upstreamModel, maxTokensCap }
  // A backend without /responses/compact is asked for a summary, which becomes the compaction.
  const compacting = req.endpoint === '/responses/compact'
  const prepared = prepareTranslatedRequest(translation, compacting ? summaryRequest(req.body) : req.body, options, req.target, req.responseFlags)
  const toAnthropic = translation.upstream === 'anthropic-messages'
  return {
    mapAnswer: compacting ? (answer) => compactionAnswer(JSON.parse(translateResponse(translation, answer, prepared.client).toString('utf8')), req.body) : undefined,
    path: prepared.path,
    upstream: upstreamFor(provider, translation.upstream),
    headers: toAnthropic ? anthropicUpstreamHeaders({}, providerHeaders, req.ctx.requestId) : upstreamRequestHeaders(req.ctx.req.headers, providerHeaders, req.ctx.requestId),
    body: prepared.body,
    translation,
    upstreamDialect: translation.upstream,
    clientInfo: prepared.client,
    injectedUsage: false,
  }
}

function passthrough(req: GatewayRequest, provider: ProviderRuntime, upstreamModel: string, providerHeaders: Record<string, string>): UpstreamCall {
  const { headers: clientHeaders } = req.ctx.req
  const requestId = req.ctx.requestId
  const modelChanges = upstreamModel !== req.model
  let path: string = req.endpoint
  let headers: Record<string, string> | undefined
  let body = req.raw
  let injectedUsage = false
  switch (req.dialect) {
    case 'anthropic-messages': {
      const cleaned = withoutUnsignedThinking(req.raw, req.body)
      if (cleaned || modelChanges) body = Buffer.from(JSON.stringify({ ...(cleaned ?? req.body), model: upstreamModel }))
      path = '/v1/messages'
      headers = anthropicUpstreamHeaders(clientHeaders, providerHeaders, requestId)
      break
    }
    case 'gemini': {
      // The model lives in the path; the caller's key (?key=) is never forwarded.
      const method = req.target?.method ?? (req.stream ? 'streamGenerateContent' : 'generateContent')
      path = `/v1beta/models/${encodeURIComponent(upstreamModel)}:${method}${req.stream && req.target?.sse !== false ? '?alt=sse' : ''}`
      break
    }
    case 'openai-chat': {
      injectedUsage = req.stream && USAGE_ENDPOINTS.has(req.endpoint) && !asksForUsage(req.body)
      if (injectedUsage) body = Buffer.from(JSON.stringify({ ...req.body, model: upstreamModel, stream_options: { ...objectOr(req.body.stream_options), include_usage: true } }))
      else if (modelChanges) body = Buffer.from(JSON.stringify({ ...req.body, model: upstreamModel }))
      break
    }
    default: {
      // Responses (/responses, /responses/compact) and Ollama carry the model in the body like chat, and need nothing else changed.
      if (modelChanges) body = Buffer.from(JSON.stringify({ ...req.body, model: upstreamModel }))
    }
  }
  // One object literal of a fixed shape: the spread of a shared `common` part cost a copy per request.
  return {
    translation: 'passthrough',
    upstreamDialect: req.dialect,
    upstream: upstreamFor(provider, req.dialect),
    rewriteModel: !req.stream && modelChanges ? req.model : undefined,
    path,
    headers: headers ?? upstreamRequestHeaders(clientHeaders, providerHeaders, requestId),
    body,
    injectedUsage,
  }
}

/** The provider's base for a dialect it speaks (Ollama's native API lives at the root, next to `/v1`). */
function upstreamFor(provider: ProviderRuntime, dialect: Dialect): Upstream {
  return provider.dialects.find((d) => d.dialect === dialect)?.upstream ?? provider.upstream
}

/** Output tokens left in a context window after the prompt (estimated), never below 1. */
function outputRoom(req: GatewayRequest, contextLength: number, promptTokens: number | undefined): number {
  const shape = req.dialect === 'anthropic-messages' ? 'anthropic-messages' : req.dialect === 'openai-chat' ? 'chat' : 'json'
  const prompt = promptTokens ?? estimateRequestTokens(req.body, { shape, model: req.model, defaultMaxTokens: 0 }).input
  // A few percent of slack: our tokenizer is not the model's.
  return Math.max(1, Math.floor(contextLength - prompt * 1.05 - 64))
}

function asksForUsage(body: Record<string, unknown>): boolean {
  const options = body.stream_options as { include_usage?: unknown; continuous_usage_stats?: unknown } | null | undefined
  return options?.include_usage === true || options?.continuous_usage_stats === true
}

function objectOr(value: unknown): Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : {}
}

/** Per-backend quirks of the dialect a request is translated into (its kind's adapter says which). */
function translationOptions(provider: ProviderRuntime): Omit<PrepareOptions, 'upstreamModel'> {
  return { ...provider.adapter.encodeOptions(provider.config), defaultMaxTokens: provider.config.defaultMaxTokens }
}
