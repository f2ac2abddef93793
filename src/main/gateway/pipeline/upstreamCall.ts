// What one attempt sends to one candidate: path, headers and body in the provider's protocol —
// the client's bytes untouched when nothing must change, else re-encoded (model name, the usage
// chunk the ledger needs) or translated between OpenAI and Anthropic.
import { estimateRequestTokens } from '../admission/tokenEstimate'
import { upstreamRequestHeaders } from '../providers/requestHeaders'
import { withoutUnsignedThinking } from '../dialects/anthropicMessages/unsignedThinking'
import { anthropicUpstreamHeaders } from '../providers/anthropicUpstream'
import { chooseTranslation, prepareTranslatedRequest, unsupportedOnAnthropic, type ClientRequestInfo, type PrepareOptions, type Translation } from '../dialects/translation'
import type { ProviderRuntime } from '../providers/providerRuntime'
import type { GatewayRequest } from './request'

export interface UpstreamCall {
  path: string
  headers: Record<string, string>
  body: Buffer
  translation: Translation
  clientInfo?: ClientRequestInfo
  /** Passthrough non-streamed answers get the client's model name back. */
  rewriteModel?: string
  /** The gateway asked for a usage chunk the client did not (it is stripped from the stream). */
  injectedUsage: boolean
}

const USAGE_ENDPOINTS = new Set(['/chat/completions', '/completions'])

/**
 * `contextLength`: the upstream model's context window when known (vLLM reports it). Translated
 * Anthropic requests then get max_tokens capped to what fits: Claude Code asks for 32k output
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
  const translation = chooseTranslation(req.protocol, provider.config.kind)
  const { headers: clientHeaders } = req.ctx.req
  const requestId = req.ctx.requestId
  const providerHeaders = keyHeaders ? { ...provider.upstream.headers, ...keyHeaders } : provider.upstream.headers
  if (translation === 'passthrough') {
    const anthropic = req.protocol === 'anthropic'
    const injectUsage = !anthropic && req.stream && USAGE_ENDPOINTS.has(req.endpoint) && !asksForUsage(req.body)
    const modelChanges = upstreamModel !== req.model
    const cleaned = anthropic ? withoutUnsignedThinking(req.raw, req.body) : undefined
    const body =
      injectUsage || modelChanges || cleaned
        ? Buffer.from(
            JSON.stringify(
              injectUsage
                ? { ...req.body, model: upstreamModel, stream_options: { ...objectOr(req.body.stream_options), include_usage: true } }
                : { ...(cleaned ?? req.body), model: upstreamModel },
            ),
          )
        : req.raw
    return {
      path: req.endpoint,
      headers: anthropic ? anthropicUpstreamHeaders(clientHeaders, providerHeaders, requestId) : upstreamRequestHeaders(clientHeaders, providerHeaders, requestId),
      body,
      translation,
      rewriteModel: !req.stream && modelChanges ? req.model : undefined,
      injectedUsage: injectUsage,
    }
  }
  if (req.endpoint !== '/chat/completions' && req.endpoint !== '/v1/messages') throw unsupportedOnAnthropic(req.endpoint, provider.config.id)
  const maxTokensCap = translation.client === 'anthropic-messages' && contextLength ? outputRoom(req, contextLength, promptTokens) : undefined
  const prepared = prepareTranslatedRequest(translation, req.body, { ...translationOptions(provider), upstreamModel, maxTokensCap })
  const toAnthropic = translation.upstream === 'anthropic-messages'
  return {
    path: prepared.path,
    headers: toAnthropic ? anthropicUpstreamHeaders({}, providerHeaders, requestId) : upstreamRequestHeaders(clientHeaders, providerHeaders, requestId),
    body: prepared.body,
    translation,
    clientInfo: prepared.client,
    injectedUsage: false,
  }
}

/** Output tokens left in a context window after the prompt (estimated), never below 1. */
function outputRoom(req: GatewayRequest, contextLength: number, promptTokens: number | undefined): number {
  const prompt = promptTokens ?? estimateRequestTokens(req.body, { shape: 'anthropic-messages', model: req.model, defaultMaxTokens: 0 }).input
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

