// Non-streamed `/api/chat` and `/api/generate` answers, both ways. Ollama answers have no id; the
// model reported is the one the client asked for. Durations are left out: they are Ollama's own
// timings, which another backend does not report (Ollama itself omits zero ones).
import type { AssistantPart, CanonicalResponse, ToolCallPart } from '../canonical'
import type { ResponseContext } from '../codec'
import { asString, badUpstream, emptyUsage, isRecord, records } from '../json'
import { reasoningText } from '../openaiChat/mapping'
import { answerCallId } from '../toolCallIds'
import { ollamaCounts, ollamaDoneReason, ollamaToolCall, stopFromOllama, toolCallOf, usageFromOllama } from './mapping'
import type { OllamaChatResponse, OllamaGenerateResponse, OllamaMessage } from './wire'

/** A chat answer's `message`, or a generate answer's top-level `response`/`thinking`. */
export function decodeOllamaResponse(body: unknown, ctx: ResponseContext): CanonicalResponse {
  if (!isRecord(body) || (!isRecord(body.message) && typeof body.response !== 'string')) throw badUpstream('Ollama answer')
  const source = isRecord(body.message) ? body.message : body
  const text = isRecord(body.message) ? asString(body.message.content) : asString(body.response)
  const content: AssistantPart[] = []
  if (typeof source.thinking === 'string' && source.thinking !== '') content.push({ type: 'reasoning', text: source.thinking })
  if (text) content.push({ type: 'text', text })
  const seed = asString(body.created_at) ?? ctx.messageId
  records(source.tool_calls).forEach((call, n) => {
    const part = toolCallOf(call, answerCallId(seed, n))
    if (part) content.push(part)
  })
  return {
    model: asString(body.model),
    content,
    stopReason: stopFromOllama(body.done_reason, content.some((p) => p.type === 'tool_call')),
    usage: usageFromOllama(body),
  }
}

export function createdAt(ctx: ResponseContext): string {
  return new Date((ctx.created ?? Date.now() / 1000) * 1000).toISOString()
}

/** An assistant message with everything the answer says: text, thinking, tool calls. */
export function ollamaAssistantMessage(parts: readonly AssistantPart[]): OllamaMessage {
  const text: string[] = []
  const thinking: string[] = []
  const calls: ToolCallPart[] = []
  for (const p of parts) {
    if (p.type === 'text' || p.type === 'refusal') text.push(p.text)
    else if (p.type === 'tool_call') calls.push(p)
    else {
      const t = reasoningText(p)
      if (t) thinking.push(t)
    }
  }
  const message: OllamaMessage = { role: 'assistant', content: text.join('') }
  if (thinking.length > 0) message.thinking = thinking.join('\n\n')
  if (calls.length > 0) message.tool_calls = calls.map(ollamaToolCall)
  return message
}

export function encodeOllamaResponse(res: CanonicalResponse, ctx: ResponseContext): OllamaChatResponse | OllamaGenerateResponse {
  const message = ollamaAssistantMessage(res.content)
  const end = { done: true, done_reason: ollamaDoneReason(res.stopReason), ...ollamaCounts(res.usage ?? emptyUsage()) }
  if (!ctx.ollamaGenerate) return { model: ctx.model, created_at: createdAt(ctx), message, ...end }
  // /api/generate has no tool calls: its requests carry no tools.
  const out: OllamaGenerateResponse = { model: ctx.model, created_at: createdAt(ctx), response: message.content, ...end }
  if (message.thinking !== undefined) out.thinking = message.thinking
  return out
}
