// Stage "prepare": what one attempt sends to one candidate. When the backend speaks the client's
// dialect the client's bytes go through untouched (or with the few edits forwarding needs: the
// upstream model's name, the usage chunk the ledger needs, unsigned thinking Anthropic refuses);
// otherwise the request is translated through the canonical model into the backend's dialect.
import { estimateRequestTokens } from '../admission/tokenEstimate'
import { GatewayError } from '../common/errors'
import { withoutUnsignedThinking } from '../dialects/anthropicMessages/unsignedThinking'
import type { Dialect } from '../dialects/codec'
import { chooseTranslation, prepareTranslatedRequest, unsupportedOnAnthropic, type ClientRequestInfo, type PrepareOptions, type Translation } from '../dialects/translation'
import { anthropicUpstreamHeaders } from '../providers/anthropicUpstream'
import type { ProviderRuntime } from '../providers/providerRuntime'
import { upstreamRequestHeaders } from '../providers/requestHeaders'
import type { GatewayRequest } from './request'

export interface UpstreamCall {
  path: string
  /** The API base the path goes under, when not the provider's default one (a native API at the server root). */
  basePath?: string
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
}

const USAGE_ENDPOINTS = new Set(['/chat/completions', '/completions'])
/** Endpoints whose requests are conversations (the others only pass through to an OpenAI-style backend). */
const CONVERSATIONS = new Set(['/chat/completions', '/v1/messages', '/responses', '/v1beta/generateContent', '/v1beta/streamGenerateContent', '/api/chat', '/api/generate'])

/**
 * `contextLength`: the upstream model's context window when known (vLLM reports it). Translated
 * requests then get their output limit capped to what fits: Claude Code asks for 32k output
 * tokens, which a local model with a small context rejects outright. `promptTokens`: the prompt's
 * size when admission already counted it (counting is the costly part for a long prompt).
 */
export function prepareUpstreamCall(req: GatewayRequest, provider: ProviderRuntime, upstreamModel: string, contextLength?: number, promptTokens?: number): UpstreamCall {
  const translation = chooseTranslation(req.dialect, provider.config.kind)
  if (translation === 'passthrough') return passthrough(req, provider, upstreamModel)
  if (!CONVERSATIONS.has(req.endpoint)) {
    if (translation.upstream === 'anthropic-messages') throw unsupportedOnAnthropic(req.endpoint, provider.config.id)
    throw new GatewayError('invalid_request', `provider "${provider.config.id}" has no ${req.endpoint} endpoint (it speaks ${translation.upstream})`)
  }
  const maxTokensCap = contextLength ? outputRoom(req, contextLength, promptTokens) : undefined
  const options: PrepareOptions = { ...translationOptions(provider), upstreamModel, maxTokensCap }
  const prepared = prepareTranslatedRequest(translation, req.body, options, req.target, req.responseFlags)
  const toAnthropic = translation.upstream === 'anthropic-messages'
  return {
    path: prepared.path,
    basePath: nativeBase(provider, translation.upstream),
    headers: toAnthropic ? anthropicUpstreamHeaders({}, provider.upstream.headers, req.ctx.requestId) : upstreamRequestHeaders(req.ctx.req.headers, provider.upstream.headers, req.ctx.requestId),
    body: prepared.body,
    translation,
    upstreamDialect: translation.upstream,
    clientInfo: prepared.client,
    injectedUsage: false,
  }
}

function passthrough(req: GatewayRequest, provider: ProviderRuntime, upstreamModel: string): UpstreamCall {
  const { headers: clientHeaders } = req.ctx.req
  const requestId = req.ctx.requestId
  const modelChanges = upstreamModel !== req.model
  const common = { translation: 'passthrough' as const, upstreamDialect: req.dialect, basePath: nativeBase(provider, req.dialect), rewriteModel: !req.stream && modelChanges ? req.model : undefined }
  switch (req.dialect) {
    case 'anthropic-messages': {
      const cleaned = withoutUnsignedThinking(req.raw, req.body)
      const body = cleaned || modelChanges ? Buffer.from(JSON.stringify({ ...(cleaned ?? req.body), model: upstreamModel })) : req.raw
      return { ...common, path: '/v1/messages', headers: anthropicUpstreamHeaders(clientHeaders, provider.upstream.headers, requestId), body, injectedUsage: false }
    }
    case 'gemini': {
      // The model lives in the path; the caller's key (?key=) is never forwarded.
      const method = req.target?.method ?? (req.stream ? 'streamGenerateContent' : 'generateContent')
      const path = `/v1beta/models/${encodeURIComponent(upstreamModel)}:${method}${req.stream && req.target?.sse !== false ? '?alt=sse' : ''}`
      return { ...common, path, headers: upstreamRequestHeaders(clientHeaders, provider.upstream.headers, requestId), body: req.raw, injectedUsage: false }
    }
    case 'openai-chat': {
      const injectUsage = req.stream && USAGE_ENDPOINTS.has(req.endpoint) && !asksForUsage(req.body)
      const body =
        injectUsage || modelChanges
          ? Buffer.from(JSON.stringify(injectUsage ? { ...req.body, model: upstreamModel, stream_options: { ...objectOr(req.body.stream_options), include_usage: true } } : { ...req.body, model: upstreamModel }))
          : req.raw
      return { ...common, path: req.endpoint, headers: upstreamRequestHeaders(clientHeaders, provider.upstream.headers, requestId), body, injectedUsage: injectUsage }
    }
    default: {
      // Responses and Ollama carry the model in the body like chat, and need nothing else changed.
      const body = modelChanges ? Buffer.from(JSON.stringify({ ...req.body, model: upstreamModel })) : req.raw
      const path = req.dialect === 'openai-responses' ? '/responses' : req.endpoint
      return { ...common, path, headers: upstreamRequestHeaders(clientHeaders, provider.upstream.headers, requestId), body, injectedUsage: false }
    }
  }
}

/**
 * The API base for a dialect on this provider, when it is not the provider's default base:
 * Ollama's native API and Gemini's live at the server root, next to the OpenAI-style `/v1`.
 */
function nativeBase(provider: ProviderRuntime, dialect: Dialect): string | undefined {
  if (dialect !== 'ollama' && dialect !== 'gemini') return undefined
  return provider.upstream.basePath.replace(/\/v1$/, '')
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

/** Per-backend quirks of the OpenAI dialect (where reasoning goes, which max-tokens field). */
function translationOptions(provider: ProviderRuntime): Omit<PrepareOptions, 'upstreamModel'> {
  const { kind, baseUrl, defaultMaxTokens } = provider.config
  const host = hostOf(baseUrl)
  if (kind === 'vllm') return { defaultMaxTokens, reasoningField: 'both' }
  if (kind === 'ollama') return { defaultMaxTokens, reasoningField: 'reasoning' }
  if (host.endsWith('deepseek.com')) return { defaultMaxTokens, reasoningField: 'reasoning_content', reasoningOnToolTurns: true }
  if (host === 'api.openai.com') return { defaultMaxTokens, reasoningField: 'omit', maxTokensField: 'max_completion_tokens' }
  return { defaultMaxTokens }
}

function hostOf(url: string): string {
  try {
    return new URL(url).hostname
  } catch {
    return ''
  }
}
