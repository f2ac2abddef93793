// Non-streamed Anthropic message bodies, both ways. The model reported is always the one the
// client asked for.
import type { AssistantPart, CanonicalResponse } from '../canonical'
import type { ResponseContext } from '../codec'
import { asString, badUpstream, emptyUsage, isRecord, records, stripIdPrefix, withPrefix } from '../json'
import { argumentsFromToolInput, argumentsOf, toolInputFromArguments } from '../tools'
import { anthropicStopReason, anthropicToolId, anthropicUsage, stopFromAnthropic, usageFromAnthropic } from './mapping'
import type { AnthropicBlock, AnthropicMessage } from './wire'

export function decodeAnthropicResponse(body: unknown): CanonicalResponse {
  if (!isRecord(body) || !Array.isArray(body.content)) throw badUpstream('Anthropic message')
  const content: AssistantPart[] = []
  for (const block of records(body.content)) {
    switch (block.type) {
      case 'text':
        if (typeof block.text === 'string') content.push({ type: 'text', text: block.text })
        break
      case 'thinking': {
        const part: AssistantPart = { type: 'reasoning', summary: [typeof block.thinking === 'string' ? block.thinking : ''] }
        if (typeof block.signature === 'string' && block.signature !== '') part.signature = block.signature
        content.push(part)
        break
      }
      case 'redacted_thinking':
        if (typeof block.data === 'string') content.push({ type: 'reasoning', redactedData: block.data })
        break
      case 'tool_use':
        content.push({ type: 'tool_call', kind: 'function', id: String(block.id ?? ''), name: String(block.name ?? ''), arguments: argumentsFromToolInput(block.input) })
        break
      default:
        break // server tool blocks: results Anthropic already acted on
    }
  }
  const out: CanonicalResponse = {
    id: stripIdPrefix(body.id, 'msg_'),
    model: asString(body.model),
    content,
    stopReason: stopFromAnthropic(body.stop_reason),
    usage: isRecord(body.usage) ? usageFromAnthropic(body.usage) : undefined,
  }
  if (typeof body.stop_sequence === 'string') out.stopSequence = body.stop_sequence
  return out
}

export function encodeAnthropicResponse(res: CanonicalResponse, ctx: ResponseContext): AnthropicMessage {
  const content: AnthropicBlock[] = []
  let tools = 0
  for (const part of res.content) {
    switch (part.type) {
      case 'text':
      case 'refusal':
        if (part.text !== '') content.push({ type: 'text', text: part.text })
        break
      case 'reasoning': {
        if (part.redactedData !== undefined) {
          content.push({ type: 'redacted_thinking', data: part.redactedData })
          break
        }
        const text = part.text ?? part.summary?.join('\n\n')
        if (text !== undefined) content.push({ type: 'thinking', thinking: text, signature: part.signature ?? '' })
        break
      }
      case 'tool_call':
        content.push({ type: 'tool_use', id: anthropicToolId(part.id, `toolu_${tools++}`), name: part.name, input: toolInputFromArguments(argumentsOf(part)) })
        break
    }
  }
  const stopReason = anthropicStopReason(res.stopReason)
  return {
    id: withPrefix(res.id, 'msg_', ctx.messageId ?? 'msg_switchyard'),
    type: 'message',
    role: 'assistant',
    model: ctx.model,
    content,
    stop_reason: stopReason,
    stop_sequence: stopReason === 'stop_sequence' ? (res.stopSequence ?? null) : null,
    usage: anthropicUsage(res.usage ?? emptyUsage()),
  }
}
