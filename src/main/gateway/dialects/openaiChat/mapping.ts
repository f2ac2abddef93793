// Chat-dialect pieces shared by its request, response and stream halves: finish reasons, usage,
// and reasoning carried in OpenRouter-style `reasoning_details` (the only place a chat message can
// hold Anthropic's signed thinking or OpenAI's encrypted reasoning, so a client can send it back).
import type { ReasoningPart, StopReason, Usage } from '../canonical'
import { count, isRecord, records } from '../json'
import type { OpenAIFinishReason, OpenAIUsage, ReasoningDetail } from './wire'

/** OpenRouter's format names for the two kinds of opaque reasoning. */
export const THINKING_FORMAT = 'anthropic-claude-v1'
export const OPENAI_REASONING_FORMAT = 'openai-responses-v1'

/**
 * vLLM reports the matched stop string in `choices[].stop_reason`; only a string the client asked
 * for counts (an integer is a stop token id, EOS included).
 */
export function matchedStopSequence(stopReason: unknown, requested: readonly string[] | undefined): string | null {
  if (typeof stopReason !== 'string' || !requested) return null
  return requested.includes(stopReason) ? stopReason : null
}

/** finish_reason -> stop reason. `stop` becomes `stop_sequence` only when we know which sequence matched. */
export function stopFromFinish(finish: unknown, opts: { sawToolCalls: boolean; matchedStop?: string | null }): StopReason {
  switch (finish) {
    case 'length':
      return 'max_tokens'
    case 'tool_calls':
    case 'function_call':
      return 'tool_use'
    case 'content_filter':
      return 'content_filter'
    default:
      // Some local servers (Ollama among them) report `stop` after emitting tool calls.
      if (opts.sawToolCalls) return 'tool_use'
      if (typeof opts.matchedStop === 'string') return 'stop_sequence'
      return 'end_turn'
  }
}

export function finishFromStop(reason: StopReason): OpenAIFinishReason {
  switch (reason) {
    case 'max_tokens':
    case 'context_window_exceeded':
      return 'length'
    case 'tool_use':
      return 'tool_calls'
    case 'refusal':
    case 'content_filter':
      return 'content_filter'
    default:
      return 'stop' // end_turn, stop_sequence, pause_turn
  }
}

export function usageFromChat(u: unknown): Usage | undefined {
  if (!isRecord(u)) return undefined
  const input = count(u.prompt_tokens)
  const prompt = isRecord(u.prompt_tokens_details) ? u.prompt_tokens_details : {}
  const completion = isRecord(u.completion_tokens_details) ? u.completion_tokens_details : {}
  return {
    inputTokens: input,
    outputTokens: count(u.completion_tokens),
    cachedInputTokens: Math.min(input, count(prompt.cached_tokens)),
    cacheCreationInputTokens: 0,
    reasoningTokens: count(completion.reasoning_tokens),
  }
}

export function chatUsage(u: Usage): OpenAIUsage {
  const out: OpenAIUsage = {
    prompt_tokens: u.inputTokens,
    completion_tokens: u.outputTokens,
    total_tokens: u.inputTokens + u.outputTokens,
    prompt_tokens_details: { cached_tokens: u.cachedInputTokens },
  }
  if (u.reasoningTokens > 0) out.completion_tokens_details = { reasoning_tokens: u.reasoningTokens }
  return out
}

/**
 * A chat message's reasoning. Signed or encrypted reasoning_details win, since only they can go
 * back to the backend that issued them; else the plain reasoning_content / reasoning text.
 */
export function reasoningOfMessage(m: Record<string, unknown>): ReasoningPart[] {
  const details = records(m.reasoning_details)
  const carried = details.filter((d) => (d.type === 'reasoning.text' && typeof d.signature === 'string' && d.signature !== '') || d.type === 'reasoning.encrypted')
  if (carried.length > 0) return details.flatMap(reasoningOfDetail)
  const text = typeof m.reasoning_content === 'string' && m.reasoning_content !== '' ? m.reasoning_content : m.reasoning
  return typeof text === 'string' && text !== '' ? [{ type: 'reasoning', text }] : []
}

function reasoningOfDetail(d: Record<string, unknown>): ReasoningPart[] {
  if (d.type === 'reasoning.text') {
    const part: ReasoningPart = { type: 'reasoning', text: typeof d.text === 'string' ? d.text : '' }
    if (typeof d.signature === 'string' && d.signature !== '') part.signature = d.signature
    return [part]
  }
  if (d.type !== 'reasoning.encrypted' || typeof d.data !== 'string') return []
  if (d.format === undefined || d.format === THINKING_FORMAT) return [{ type: 'reasoning', redactedData: d.data }]
  if (d.format === OPENAI_REASONING_FORMAT) {
    const part: ReasoningPart = { type: 'reasoning', encryptedContent: d.data }
    if (typeof d.id === 'string') part.id = d.id
    return [part]
  }
  return [] // another provider's opaque format
}

/** One reasoning part as a reasoning_details entry; `signed` tells whether it carries anything opaque. */
export function detailOf(part: ReasoningPart, index: number): { detail: ReasoningDetail; signed: boolean } | undefined {
  if (part.redactedData !== undefined) return { detail: { type: 'reasoning.encrypted', data: part.redactedData, format: THINKING_FORMAT, index }, signed: true }
  if (part.encryptedContent !== undefined) {
    const detail: ReasoningDetail = { type: 'reasoning.encrypted', data: part.encryptedContent, format: OPENAI_REASONING_FORMAT, index }
    if (part.id !== undefined) detail.id = part.id
    return { detail, signed: true }
  }
  const text = reasoningText(part)
  if (text === undefined && part.signature === undefined) return undefined
  return { detail: signedThinkingDetail(text, part.signature, index), signed: typeof part.signature === 'string' && part.signature !== '' }
}

/** A thinking block as a reasoning.text detail, so a client can send it back signed. */
export function signedThinkingDetail(thinking: unknown, signature: unknown, index: number): ReasoningDetail {
  const detail: ReasoningDetail = { type: 'reasoning.text', text: typeof thinking === 'string' ? thinking : '', format: THINKING_FORMAT, index }
  if (typeof signature === 'string' && signature !== '') detail.signature = signature
  return detail
}

/** The reasoning text a chat server reads back: raw text, else the summary. */
export function reasoningText(part: ReasoningPart): string | undefined {
  if (part.text !== undefined) return part.text
  return part.summary !== undefined ? part.summary.join('\n\n') : undefined
}
