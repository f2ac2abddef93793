// Ollama-dialect pieces shared by its request, response and stream halves: done reasons, usage,
// `think`, images, tool calls.
import type { ReasoningConfig, StopReason, ToolCallPart, Usage } from '../canonical'
import { count, isRecord } from '../json'
import { argumentsFromToolInput, argumentsOf, toolInputFromArguments } from '../tools'
import type { OllamaMetrics, OllamaThink, OllamaToolCall } from './wire'

/** Ollama says `stop` after tool calls too; `length` is the token limit. */
export function stopFromOllama(doneReason: unknown, sawToolCall: boolean): StopReason {
  if (doneReason === 'length') return 'max_tokens'
  return sawToolCall ? 'tool_use' : 'end_turn'
}

export function ollamaDoneReason(reason: StopReason): 'stop' | 'length' {
  return reason === 'max_tokens' || reason === 'context_window_exceeded' ? 'length' : 'stop'
}

/** Ollama counts what it evaluated: prompt and output tokens, nothing about caches or reasoning. */
export function usageFromOllama(body: Record<string, unknown>): Usage | undefined {
  if (typeof body.prompt_eval_count !== 'number' && typeof body.eval_count !== 'number') return undefined
  return { inputTokens: count(body.prompt_eval_count), outputTokens: count(body.eval_count), cachedInputTokens: 0, cacheCreationInputTokens: 0, reasoningTokens: 0 }
}

export function ollamaCounts(u: Usage): Pick<OllamaMetrics, 'prompt_eval_count' | 'eval_count'> {
  return { prompt_eval_count: u.inputTokens, eval_count: u.outputTokens }
}

/**
 * `think` -> canonical. `false` turns thinking off; `true` or a level turns it on and asks for the
 * thinking back (Ollama returns it whenever think is set), as a Responses `summary` does.
 */
export function reasoningFromThink(think: unknown): ReasoningConfig | undefined {
  if (think === false) return { effort: 'none' }
  if (think === true) return { summary: 'auto' }
  if (typeof think === 'string' && ['low', 'medium', 'high', 'max'].includes(think)) return { effort: think, summary: 'auto' }
  return undefined
}

/** Canonical -> `think`: a level where there is one (Ollama takes low/medium/high), else on or off. */
export function thinkFor(reasoning: ReasoningConfig | undefined): OllamaThink | undefined {
  if (!reasoning) return undefined
  const effort = reasoning.effort?.toLowerCase()
  if (effort === 'none' || reasoning.budgetTokens === 0) return false
  if (effort === 'minimal' || effort === 'low') return 'low'
  if (effort === 'medium') return 'medium'
  if (effort === 'high' || effort === 'xhigh' || effort === 'max') return 'high'
  return reasoning.summary !== undefined || (reasoning.budgetTokens ?? 0) > 0 ? true : undefined
}

/** Ollama images are bare base64; the media type is read from the bytes' signature. */
export function imageMediaType(base64: string): string {
  if (base64.startsWith('/9j/')) return 'image/jpeg'
  if (base64.startsWith('R0lGOD')) return 'image/gif'
  if (base64.startsWith('UklGR')) return 'image/webp'
  return 'image/png'
}

export function toolCallOf(call: unknown, fallbackId: string): ToolCallPart | undefined {
  if (!isRecord(call) || !isRecord(call.function) || typeof call.function.name !== 'string') return undefined
  const id = typeof call.id === 'string' && call.id !== '' ? call.id : fallbackId
  return { type: 'tool_call', kind: 'function', id, name: call.function.name, arguments: argumentsFromToolInput(call.function.arguments ?? {}) }
}

/** Ollama takes arguments as an object; JSON a model wrote badly is kept under `_raw_arguments`. */
export function ollamaToolCall(call: ToolCallPart, index: number): OllamaToolCall {
  const fn = { index, name: call.name, arguments: toolInputFromArguments(argumentsOf(call)) }
  return call.id === '' ? { function: fn } : { id: call.id, function: fn }
}
