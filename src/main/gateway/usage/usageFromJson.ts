// Reads token usage from a parsed response body (or one stream event) of each protocol and
// normalizes it (see TokenUsage). Missing or malformed fields count as zero; a body without any
// usage yields undefined, so the caller can tell "no usage reported" from "zero tokens".
import type { TokenUsage, UsageProtocol } from './types'

type Json = Record<string, unknown>

function isObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v)
}

function count(v: unknown): number {
  return typeof v === 'number' && Number.isFinite(v) && v > 0 ? Math.floor(v) : 0
}

/** Usage from a whole body: parsed JSON, or its bytes / text. */
export function usageFromJson(body: unknown, protocol: UsageProtocol): TokenUsage | undefined {
  let doc = body
  if (Buffer.isBuffer(doc)) doc = doc.toString('utf8')
  if (typeof doc === 'string') {
    try {
      doc = JSON.parse(doc)
    } catch {
      return undefined
    }
  }
  if (!isObject(doc)) return undefined
  switch (protocol) {
    case 'openai':
      return openAIUsage(doc)
    case 'anthropic':
      return isObject(doc.usage) ? anthropicUsage(doc.usage) : undefined
    case 'ollama':
      // Ollama's native API also answers `/v1`-style bodies when proxied through its compat layer.
      return ollamaNativeUsage(doc) ?? openAIUsage(doc)
    case 'openai-responses':
      // A response object, or a stream event that carries one (`response.completed`).
      return responsesUsage(isObject(doc.response) ? doc.response : doc)
    case 'gemini':
      return isObject(doc.usageMetadata) ? geminiUsage(doc.usageMetadata) : undefined
  }
}

/**
 * OpenAI / vLLM / Ollama `/v1` / DeepSeek / Groq: `usage`, or Groq's `x_groq.usage` on streams.
 * DeepSeek reports its prompt cache as `prompt_cache_hit_tokens` instead of `prompt_tokens_details`.
 */
export function openAIUsage(doc: Json): TokenUsage | undefined {
  const usage = isObject(doc.usage) ? doc.usage : isObject(doc.x_groq) && isObject(doc.x_groq.usage) ? doc.x_groq.usage : undefined
  if (!usage) return undefined
  const promptDetails = isObject(usage.prompt_tokens_details) ? usage.prompt_tokens_details : {}
  const completionDetails = isObject(usage.completion_tokens_details) ? usage.completion_tokens_details : {}
  const prompt = count(usage.prompt_tokens)
  // Some servers (embeddings, a few compat layers) give only total_tokens for a prompt-only call.
  const completion = usage.completion_tokens === undefined ? Math.max(0, count(usage.total_tokens) - prompt) : count(usage.completion_tokens)
  return {
    promptTokens: prompt,
    completionTokens: completion,
    cachedTokens: count(promptDetails.cached_tokens) || count(usage.prompt_cache_hit_tokens),
    cacheCreationTokens: 0,
    reasoningTokens: count(completionDetails.reasoning_tokens),
  }
}

/** Anthropic `usage` (message body, `message_start.message.usage` or `message_delta.usage`). */
export function anthropicUsage(usage: Json): TokenUsage {
  const input = count(usage.input_tokens)
  const cacheRead = count(usage.cache_read_input_tokens)
  const cacheWrite = count(usage.cache_creation_input_tokens)
  return {
    promptTokens: input + cacheRead + cacheWrite,
    completionTokens: count(usage.output_tokens),
    cachedTokens: cacheRead,
    cacheCreationTokens: cacheWrite,
    reasoningTokens: 0,
  }
}

/**
 * Merges Anthropic's stream usage: `message_start` carries input and cache counts, the last
 * `message_delta` carries cumulative counts (output always; input/cache fields when it has them).
 * Cumulative means the last delta replaces, never adds.
 */
export function mergeAnthropicStreamUsage(start: Json | undefined, lastDelta: Json | undefined): TokenUsage | undefined {
  if (!start && !lastDelta) return undefined
  const merged: Json = { ...(start ?? {}) }
  for (const [k, v] of Object.entries(lastDelta ?? {})) if (typeof v === 'number') merged[k] = v
  return anthropicUsage(merged)
}

/** Ollama native `/api/chat` and `/api/generate`: counts sit on the final (`done: true`) object. */
export function ollamaNativeUsage(doc: Json): TokenUsage | undefined {
  if (doc.prompt_eval_count === undefined && doc.eval_count === undefined) return undefined
  return {
    promptTokens: count(doc.prompt_eval_count),
    completionTokens: count(doc.eval_count),
    cachedTokens: 0,
    cacheCreationTokens: 0,
    reasoningTokens: 0,
  }
}

/** OpenAI Responses `usage`: input/output tokens with cached and reasoning details. */
export function responsesUsage(doc: Json): TokenUsage | undefined {
  const usage = isObject(doc.usage) ? doc.usage : undefined
  if (!usage) return undefined
  const input = isObject(usage.input_tokens_details) ? usage.input_tokens_details : {}
  const output = isObject(usage.output_tokens_details) ? usage.output_tokens_details : {}
  return {
    promptTokens: count(usage.input_tokens),
    completionTokens: count(usage.output_tokens),
    cachedTokens: count(input.cached_tokens),
    cacheCreationTokens: 0,
    reasoningTokens: count(output.reasoning_tokens),
  }
}

/**
 * Gemini `usageMetadata`: the prompt count includes cached content; thoughts are billed as
 * output, so completion = candidates + thoughts (OpenAI's meaning, reasoning included).
 */
export function geminiUsage(meta: Json): TokenUsage {
  const thoughts = count(meta.thoughtsTokenCount)
  const prompt = count(meta.promptTokenCount) + count(meta.toolUsePromptTokenCount)
  return {
    promptTokens: prompt,
    completionTokens: count(meta.candidatesTokenCount) + thoughts,
    cachedTokens: Math.min(prompt, count(meta.cachedContentTokenCount)),
    cacheCreationTokens: 0,
    reasoningTokens: thoughts,
  }
}
