// Small mappings both directions share: stop reasons, usage, image sources, tool arguments, ids.
import type { AnthropicImageSource, AnthropicStopReason, AnthropicUsage, Json, OpenAIFinishReason, OpenAIUsage } from './types'

/** OpenAI finish_reason -> Anthropic stop_reason. `stop` becomes `stop_sequence` only when we know which sequence matched. */
export function stopReasonFromFinish(
  finish: string | null | undefined,
  opts: { sawToolCalls: boolean; matchedStop?: string | null },
): AnthropicStopReason {
  switch (finish) {
    case 'length':
      return 'max_tokens'
    case 'tool_calls':
    case 'function_call':
      return 'tool_use'
    case 'content_filter':
      return 'refusal'
    default:
      // Some local servers (Ollama among them) report `stop` after emitting tool calls.
      if (opts.sawToolCalls) return 'tool_use'
      if (typeof opts.matchedStop === 'string') return 'stop_sequence'
      return 'end_turn'
  }
}

/** Anthropic stop_reason -> OpenAI finish_reason. */
export function finishFromStopReason(reason: string | null | undefined): OpenAIFinishReason {
  switch (reason) {
    case 'max_tokens':
    case 'model_context_window_exceeded':
      return 'length'
    case 'tool_use':
      return 'tool_calls'
    case 'refusal':
      return 'content_filter'
    default:
      return 'stop' // end_turn, stop_sequence, pause_turn
  }
}

/**
 * vLLM reports the matched stop string in `choices[].stop_reason`; only a string the client asked
 * for counts (an integer is a stop token id, EOS included).
 */
export function matchedStopSequence(stopReason: unknown, requested: readonly string[] | undefined): string | null {
  if (typeof stopReason !== 'string' || !requested) return null
  return requested.includes(stopReason) ? stopReason : null
}

function count(value: unknown): number {
  return typeof value === 'number' && Number.isFinite(value) && value > 0 ? Math.floor(value) : 0
}

/**
 * OpenAI counts cached prompt tokens inside prompt_tokens; Anthropic's input_tokens excludes cache
 * reads and writes ("total input = input_tokens + cache_creation_input_tokens + cache_read_input_tokens").
 */
export function anthropicUsageFromOpenAI(usage: Partial<OpenAIUsage> | null | undefined): AnthropicUsage {
  const prompt = count(usage?.prompt_tokens)
  const cached = Math.min(prompt, count(usage?.prompt_tokens_details?.cached_tokens))
  return {
    input_tokens: prompt - cached,
    output_tokens: count(usage?.completion_tokens),
    cache_creation_input_tokens: 0,
    cache_read_input_tokens: cached,
  }
}

export function openAIUsageFromAnthropic(usage: Partial<AnthropicUsage> | null | undefined): OpenAIUsage {
  const cacheRead = count(usage?.cache_read_input_tokens)
  const prompt = count(usage?.input_tokens) + count(usage?.cache_creation_input_tokens) + cacheRead
  const completion = count(usage?.output_tokens)
  const out: OpenAIUsage = {
    prompt_tokens: prompt,
    completion_tokens: completion,
    total_tokens: prompt + completion,
    prompt_tokens_details: { cached_tokens: cacheRead },
  }
  const thinking = count(usage?.output_tokens_details?.thinking_tokens)
  if (thinking > 0) out.completion_tokens_details = { reasoning_tokens: thinking }
  return out
}

const DATA_URL = /^data:([^;,]+)?((?:;[^;,]*)*?);base64,(.*)$/s

/** An OpenAI image_url (data: URL or http(s) URL) -> an Anthropic image source. */
export function imageSourceFromUrl(url: string): AnthropicImageSource | undefined {
  const m = DATA_URL.exec(url)
  if (m) return { type: 'base64', media_type: (m[1] ?? 'image/png').toLowerCase(), data: m[3]! }
  if (/^https?:\/\//i.test(url)) return { type: 'url', url }
  return undefined
}

/** An Anthropic image/document source -> a URL an OpenAI-compatible server accepts. */
export function urlFromImageSource(source: AnthropicImageSource | undefined): string | undefined {
  if (!source) return undefined
  if (source.type === 'base64' && typeof source.data === 'string') return `data:${source.media_type ?? 'image/png'};base64,${source.data}`
  if (source.type === 'url' && typeof source.url === 'string') return source.url
  return undefined // `file` sources reference Anthropic's Files API: nothing another backend can read
}

/**
 * Tool-call arguments as a tool_use `input` object. Models (local ones especially) sometimes emit
 * arguments that are not a JSON object; the raw text is kept under `_raw_arguments` rather than
 * dropped, so the conversation still shows what the model produced and the tool reports a clear
 * validation error instead of running with silently empty input.
 */
export function toolInputFromArguments(raw: string | undefined | null): Json {
  if (raw === undefined || raw === null || raw.trim() === '') return {}
  try {
    const parsed: unknown = JSON.parse(raw)
    if (typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)) return parsed as Json
  } catch {
    // fall through
  }
  return { _raw_arguments: raw }
}

/** The inverse: a tool_use input as OpenAI's arguments string. */
export function argumentsFromToolInput(input: unknown): string {
  if (typeof input === 'object' && input !== null && !Array.isArray(input)) {
    const raw = (input as Json)._raw_arguments
    if (typeof raw === 'string' && Object.keys(input).length === 1) return raw
  }
  return JSON.stringify(input ?? {})
}

/** Re-prefixes an upstream id so it looks native to the client (`chatcmpl-…` <-> `msg_…`). */
export function rePrefixId(id: unknown, from: string, to: string, fallback: string): string {
  if (typeof id !== 'string' || id === '') return fallback
  return to + (id.startsWith(from) ? id.slice(from.length) : id)
}

/**
 * Anthropic tool_use ids must match ^[a-zA-Z0-9_-]+$; some servers use ids such as
 * `functions.get_weather:0`. Cleaning them where they enter an Anthropic conversation keeps that
 * conversation valid if it later reaches Anthropic itself (a failover route); the cleaned id is
 * used consistently, so tool results still pair with their calls.
 */
export function anthropicToolId(id: unknown, fallback: string): string {
  const s = typeof id === 'string' && id !== '' ? id : fallback
  return s.replace(/[^a-zA-Z0-9_-]/g, '_')
}

export function isRecord(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

export const THINKING_FORMAT = 'anthropic-claude-v1'
