// Non-streamed responses, both directions. Pure; the model reported is always the one the client
// asked for (Claude Code derives the context window from it; clients match on it).
import { GatewayError } from '../../errors'
import {
  THINKING_FORMAT,
  anthropicToolId,
  anthropicUsageFromOpenAI,
  argumentsFromToolInput,
  finishFromStopReason,
  isRecord,
  matchedStopSequence,
  openAIUsageFromAnthropic,
  rePrefixId,
  stopReasonFromFinish,
  toolInputFromArguments,
} from './mapping'
import type { AnthropicBlock, AnthropicMessage, AnthropicStopReason, OpenAIChatCompletion, OpenAIToolCall, ReasoningDetail } from './types'

export interface ResponseOptions {
  /** The model name the client asked for. */
  model: string
  /** The client's stop sequences, to tell a stop-sequence hit from a natural end (vLLM reports which matched). */
  stopSequences?: readonly string[]
  /** Unix seconds for OpenAI's `created`; injected so the mapping stays pure. */
  created?: number
  /** Used when the upstream body carries no id. */
  fallbackId?: string
}

function badUpstream(what: string): GatewayError {
  return new GatewayError('upstream_bad_response', `the upstream answer is not a valid ${what}`)
}

/** OpenAI chat.completion -> Anthropic message. */
export function openAIToAnthropicResponse(body: unknown, opts: ResponseOptions): AnthropicMessage {
  if (!isRecord(body) || !Array.isArray(body.choices)) throw badUpstream('chat completion')
  const choice = isRecord(body.choices[0]) ? body.choices[0] : {}
  const message = isRecord(choice.message) ? choice.message : {}
  const content: AnthropicBlock[] = []
  const reasoning = typeof message.reasoning_content === 'string' ? message.reasoning_content : message.reasoning
  if (typeof reasoning === 'string' && reasoning !== '') content.push({ type: 'thinking', thinking: reasoning, signature: '' })
  if (typeof message.content === 'string' && message.content !== '') content.push({ type: 'text', text: message.content })
  if (typeof message.refusal === 'string' && message.refusal !== '') content.push({ type: 'text', text: message.refusal })
  const toolCalls = Array.isArray(message.tool_calls) ? message.tool_calls : []
  toolCalls.forEach((call: unknown, i: number) => {
    if (!isRecord(call) || !isRecord(call.function)) return
    content.push({
      type: 'tool_use',
      id: anthropicToolId(call.id, `toolu_${i}`),
      name: String(call.function.name ?? ''),
      input: toolInputFromArguments(call.function.arguments as string),
    })
  })
  const matched = matchedStopSequence(choice.stop_reason, opts.stopSequences)
  const stopReason: AnthropicStopReason =
    typeof message.refusal === 'string' && message.refusal !== ''
      ? 'refusal'
      : stopReasonFromFinish(choice.finish_reason as string, { sawToolCalls: content.some((b) => b.type === 'tool_use'), matchedStop: matched })
  return {
    id: rePrefixId(body.id, 'chatcmpl-', 'msg_', opts.fallbackId ?? 'msg_switchyard'),
    type: 'message',
    role: 'assistant',
    model: opts.model,
    content,
    stop_reason: stopReason,
    stop_sequence: stopReason === 'stop_sequence' ? matched : null,
    usage: anthropicUsageFromOpenAI(isRecord(body.usage) ? body.usage : undefined),
  }
}

/** Anthropic message -> OpenAI chat.completion. */
export function anthropicToOpenAIResponse(body: unknown, opts: ResponseOptions): OpenAIChatCompletion {
  if (!isRecord(body) || !Array.isArray(body.content)) throw badUpstream('Anthropic message')
  const text: string[] = []
  const reasoning: string[] = []
  const details: ReasoningDetail[] = []
  const toolCalls: OpenAIToolCall[] = []
  for (const block of body.content as unknown[]) {
    if (!isRecord(block)) continue
    switch (block.type) {
      case 'text':
        if (typeof block.text === 'string') text.push(block.text)
        break
      case 'thinking':
        if (typeof block.thinking === 'string') reasoning.push(block.thinking)
        details.push(signedThinkingDetail(block.thinking, block.signature, details.length))
        break
      case 'redacted_thinking':
        if (typeof block.data === 'string') details.push({ type: 'reasoning.encrypted', data: block.data, format: THINKING_FORMAT, index: details.length })
        break
      case 'tool_use':
        toolCalls.push({ id: String(block.id ?? ''), type: 'function', function: { name: String(block.name ?? ''), arguments: argumentsFromToolInput(block.input) } })
        break
      default:
        break // server tool blocks: results Anthropic already acted on
    }
  }
  const message: OpenAIChatCompletion['choices'][number]['message'] = {
    role: 'assistant',
    content: text.length > 0 ? text.join('') : null,
    refusal: null,
  }
  if (toolCalls.length > 0) message.tool_calls = toolCalls
  if (reasoning.length > 0) message.reasoning_content = reasoning.join('\n\n')
  if (details.some((d) => d.type === 'reasoning.encrypted' || (d as { signature?: unknown }).signature)) message.reasoning_details = details
  return {
    id: rePrefixId(body.id, 'msg_', 'chatcmpl-', opts.fallbackId ?? 'chatcmpl-switchyard'),
    object: 'chat.completion',
    created: opts.created ?? Math.floor(Date.now() / 1000),
    model: opts.model,
    choices: [{ index: 0, message, logprobs: null, finish_reason: finishFromStopReason(body.stop_reason as string) }],
    usage: openAIUsageFromAnthropic(isRecord(body.usage) ? body.usage : undefined),
  }
}

/** One thinking block as an OpenRouter-style reasoning detail, so a client can send it back signed. */
export function signedThinkingDetail(thinking: unknown, signature: unknown, index: number): ReasoningDetail {
  const detail: ReasoningDetail = { type: 'reasoning.text', text: typeof thinking === 'string' ? thinking : '', format: THINKING_FORMAT, index }
  if (typeof signature === 'string' && signature !== '') detail.signature = signature
  return detail
}
