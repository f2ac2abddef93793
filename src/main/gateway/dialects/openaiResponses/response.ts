// Non-streamed Response objects, both ways, and the Response object shape the stream encoder
// sends too (response.created … response.completed).
import { GatewayError } from '../../common/errors'
import type { AssistantPart, CanonicalResponse, Json, ReasoningPart, ToolCallPart } from '../canonical'
import type { ResponseContext } from '../codec'
import { asString, badUpstream, emptyUsage, isRecord, records, stripIdPrefix, withPrefix } from '../json'
import { callAs } from '../tools'
import { DEFAULT_ECHO } from './echo'
import { encryptedContentOf, itemId, readEncryptedContent, responsesUsage, statusOf, stopOf, usageFromResponses } from './mapping'

export function decodeResponsesResponse(body: unknown): CanonicalResponse {
  if (!isRecord(body) || !Array.isArray(body.output)) throw badUpstream('Responses API response')
  if (body.status === 'failed') {
    const error = isRecord(body.error) ? body.error : {}
    throw new GatewayError('upstream_error', asString(error.message) ?? 'the upstream response failed')
  }
  const content: AssistantPart[] = []
  for (const item of records(body.output)) content.push(...outputItemParts(item))
  return {
    id: stripIdPrefix(body.id, 'resp_'),
    model: asString(body.model),
    content,
    stopReason: stopOf(body.status, body.incomplete_details, content.some((p) => p.type === 'tool_call')),
    usage: usageFromResponses(body.usage),
  }
}

/** One output item as canonical parts (hosted tool items are left out). */
export function outputItemParts(item: Json): AssistantPart[] {
  switch (item.type) {
    case 'message':
      return records(item.content).flatMap((c): AssistantPart[] => {
        if (c.type === 'output_text' && typeof c.text === 'string') return [{ type: 'text', text: c.text }]
        if (c.type === 'refusal' && typeof c.refusal === 'string') return [{ type: 'refusal', text: c.refusal }]
        return []
      })
    case 'function_call':
      return [{ type: 'tool_call', kind: 'function', id: String(item.call_id ?? ''), name: String(item.name ?? ''), arguments: asString(item.arguments) ?? '' }]
    case 'custom_tool_call':
      return [{ type: 'tool_call', kind: 'custom', id: String(item.call_id ?? ''), name: String(item.name ?? ''), input: asString(item.input) ?? '' }]
    case 'reasoning':
      return [reasoningOfItem(item)]
    default:
      return []
  }
}

export function reasoningOfItem(item: Json): ReasoningPart {
  const part: ReasoningPart = { type: 'reasoning' }
  if (typeof item.id === 'string') part.id = item.id
  const summary = records(item.summary).flatMap((s) => (typeof s.text === 'string' ? [s.text] : []))
  if (summary.length > 0) part.summary = summary
  const text = records(item.content).flatMap((c) => (typeof c.text === 'string' ? [c.text] : []))
  if (text.length > 0) part.text = text.join('')
  if (typeof item.encrypted_content === 'string') readEncryptedContent(part, item.encrypted_content)
  return part
}

export function encodeResponsesResponse(res: CanonicalResponse, ctx: ResponseContext): Json {
  // Ids are the gateway's own when it has one: upstream ids are not unique everywhere (mocks, some
  // local servers), and the response store keys on them.
  const id = ctx.messageId ?? withPrefix(res.id, 'resp_', 'resp_switchyard')
  const output: Json[] = []
  let message: Json[] | undefined
  for (const part of res.content) {
    if (part.type === 'text' || part.type === 'refusal') {
      // Consecutive text parts are one assistant message with several content parts.
      if (!message) {
        message = []
        output.push({ id: itemId('msg', id, output.length), type: 'message', status: 'completed', content: message, role: 'assistant' })
      }
      message.push(part.type === 'text' ? outputText(part.text) : { type: 'refusal', refusal: part.text })
      continue
    }
    message = undefined
    if (part.type === 'reasoning') {
      const item = reasoningItem(itemId('rs', id, output.length), part.summary ?? [], part.text, encryptedContentOf(part))
      if (item) output.push(item)
    } else {
      output.push(toolCallItem(id, output.length, callAs(part, ctx.customTools), 'completed'))
    }
  }
  const { status, incomplete_details } = statusOf(res.stopReason)
  return responseObject({ id, ctx, status, incomplete_details, error: null, output, usage: responsesUsage(res.usage ?? emptyUsage()) })
}

export function outputText(text: string): Json {
  return { type: 'output_text', annotations: [], logprobs: [], text }
}

/** A reasoning item; undefined when there is nothing a client could show or send back. */
export function reasoningItem(id: string, summary: string[], text: string | undefined, encrypted: string | undefined): Json | undefined {
  if (summary.length === 0 && text === undefined && encrypted === undefined) return undefined
  const item: Json = { id, type: 'reasoning', summary: summary.map((s) => ({ type: 'summary_text', text: s })) }
  if (text !== undefined) item.content = [{ type: 'reasoning_text', text }]
  if (encrypted !== undefined) item.encrypted_content = encrypted
  return item
}

/** custom_tool_call items carry no status (the SDK's ResponseCustomToolCall has none). */
export function toolCallItem(responseId: string, outputIndex: number, call: ToolCallPart, status: 'in_progress' | 'completed' | 'incomplete'): Json {
  const callId = call.id || `call_${outputIndex}`
  if (call.kind === 'custom') return { id: itemId('ctc', responseId, outputIndex), type: 'custom_tool_call', call_id: callId, name: call.name, input: call.input }
  return { id: itemId('fc', responseId, outputIndex), type: 'function_call', status, call_id: callId, name: call.name, arguments: call.arguments }
}

interface ResponseFields {
  id: string
  ctx: ResponseContext
  status: 'in_progress' | 'completed' | 'incomplete' | 'failed'
  incomplete_details: { reason: string } | null
  error: { code: string; message: string } | null
  output: Json[]
  usage: Json | null
}

export function responseObject(f: ResponseFields): Json {
  return {
    id: f.id,
    object: 'response',
    created_at: f.ctx.created ?? Math.floor(Date.now() / 1000),
    status: f.status,
    error: f.error,
    incomplete_details: f.incomplete_details,
    ...(f.ctx.echo ?? DEFAULT_ECHO),
    model: f.ctx.model,
    output: f.output,
    usage: f.usage,
  }
}
