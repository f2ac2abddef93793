// Non-streamed chat.completion bodies, both ways. The model reported is always the one the client
// asked for (clients match on it; Claude Code derives the context window from it).
import type { AssistantPart, CanonicalResponse } from '../canonical'
import type { ResponseContext } from '../codec'
import { asString, badUpstream, emptyUsage, isRecord, stripIdPrefix, withPrefix } from '../json'
import { callAs } from '../tools'
import { chatUsage, detailOf, finishFromStop, matchedStopSequence, reasoningOfMessage, reasoningText, stopFromFinish, usageFromChat } from './mapping'
import type { OpenAIChatCompletion, OpenAIToolCall, ReasoningDetail } from './wire'

export function decodeChatResponse(body: unknown, ctx: ResponseContext): CanonicalResponse {
  if (!isRecord(body) || !Array.isArray(body.choices)) throw badUpstream('chat completion')
  const choice = isRecord(body.choices[0]) ? body.choices[0] : {}
  const message = isRecord(choice.message) ? choice.message : {}
  const content: AssistantPart[] = [...reasoningOfMessage(message)]
  if (typeof message.content === 'string' && message.content !== '') content.push({ type: 'text', text: message.content })
  const refused = typeof message.refusal === 'string' && message.refusal !== ''
  if (refused) content.push({ type: 'refusal', text: message.refusal as string })
  for (const call of Array.isArray(message.tool_calls) ? message.tool_calls : []) {
    if (!isRecord(call)) continue
    const id = asString(call.id) ?? ''
    if (isRecord(call.function)) {
      content.push({ type: 'tool_call', kind: 'function', id, name: String(call.function.name ?? ''), arguments: asString(call.function.arguments) ?? '' })
    } else if (isRecord(call.custom)) {
      content.push({ type: 'tool_call', kind: 'custom', id, name: String(call.custom.name ?? ''), input: asString(call.custom.input) ?? '' })
    }
  }
  const matched = matchedStopSequence(choice.stop_reason, ctx.stopSequences)
  const stopReason = refused ? 'refusal' : stopFromFinish(choice.finish_reason, { sawToolCalls: content.some((p) => p.type === 'tool_call'), matchedStop: matched })
  const out: CanonicalResponse = { id: stripIdPrefix(body.id, 'chatcmpl-'), model: asString(body.model), content, stopReason, usage: usageFromChat(body.usage) }
  if (stopReason === 'stop_sequence') out.stopSequence = matched
  return out
}

export function encodeChatResponse(res: CanonicalResponse, ctx: ResponseContext): OpenAIChatCompletion {
  const text: string[] = []
  const refusal: string[] = []
  const reasoning: string[] = []
  const details: ReasoningDetail[] = []
  let carriesOpaque = false
  const toolCalls: OpenAIToolCall[] = []
  for (const part of res.content) {
    switch (part.type) {
      case 'text':
        text.push(part.text)
        break
      case 'refusal':
        refusal.push(part.text)
        break
      case 'reasoning': {
        const t = reasoningText(part)
        if (t !== undefined) reasoning.push(t)
        const d = detailOf(part, details.length)
        if (d) {
          details.push(d.detail)
          carriesOpaque ||= d.signed
        }
        break
      }
      case 'tool_call': {
        const call = callAs(part, ctx.customTools)
        toolCalls.push(call.kind === 'custom' ? { id: call.id, type: 'custom', custom: { name: call.name, input: call.input } } : { id: call.id, type: 'function', function: { name: call.name, arguments: call.arguments } })
        break
      }
    }
  }
  const message: OpenAIChatCompletion['choices'][number]['message'] = {
    role: 'assistant',
    content: text.length > 0 ? text.join('') : null,
    refusal: refusal.length > 0 ? refusal.join('') : null,
  }
  if (toolCalls.length > 0) message.tool_calls = toolCalls
  if (reasoning.length > 0) message.reasoning_content = reasoning.join('\n\n')
  if (carriesOpaque) message.reasoning_details = details
  return {
    id: withPrefix(res.id, 'chatcmpl-', 'chatcmpl-switchyard'),
    object: 'chat.completion',
    created: ctx.created ?? Math.floor(Date.now() / 1000),
    model: ctx.model,
    choices: [{ index: 0, message, logprobs: null, finish_reason: finishFromStop(res.stopReason) }],
    usage: chatUsage(res.usage ?? emptyUsage()),
  }
}
