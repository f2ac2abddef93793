// Anthropic Messages request -> canonical. Anthropic-only features (cache_control, server tools,
// container, mcp_servers, service_tier, citations, the effort parameter) are left out rather than
// failing the request: Claude Code sends several of them on every call, and a backend that is not
// Anthropic could do nothing with them.
import type { AssistantPart, CanonicalRequest, DocumentPart, ImagePart, Message, TextPart, ToolChoice, ToolDefinition, UserPart } from '../canonical'
import { asNumber, invalidRequest, isRecord, records, requireModel, stopList } from '../json'
import { argumentsFromToolInput } from '../tools'
import { sourceFromAnthropic } from './mapping'
import type { AnthropicRequest } from './wire'

export function decodeAnthropicRequest(body: unknown): CanonicalRequest {
  const req = requireModel(body) as AnthropicRequest
  if (!Array.isArray(req.messages)) throw invalidRequest('"messages" must be an array', 'messages')
  // What the Messages API itself refuses is refused here too, not translated into something else.
  if (req.max_tokens !== undefined && !(Number.isSafeInteger(req.max_tokens) && (req.max_tokens as number) >= 1)) throw invalidRequest('"max_tokens" must be a positive integer', 'max_tokens')
  if (req.tools !== undefined && !Array.isArray(req.tools)) throw invalidRequest('"tools" must be an array', 'tools')
  const out: CanonicalRequest = {
    model: req.model,
    messages: req.messages.map(decodeMessage),
    sampling: { maxOutputTokens: asNumber(req.max_tokens), temperature: asNumber(req.temperature), topP: asNumber(req.top_p), topK: asNumber(req.top_k) },
    stream: req.stream === true,
  }
  const system = systemParts(req.system)
  if (system.length > 0) out.system = system
  const stop = stopList(req.stop_sequences)
  if (stop.length > 0) out.sampling.stopSequences = stop
  const userId = req.metadata?.user_id
  if (typeof userId === 'string' && userId !== '') out.user = userId

  const tools = records(req.tools).flatMap(decodeTool)
  if (tools.length > 0) out.tools = tools
  const choice: unknown = req.tool_choice
  if (isRecord(choice)) {
    const decoded = decodeToolChoice(choice)
    if (decoded) out.toolChoice = decoded
    if (choice.disable_parallel_tool_use === true) out.parallelToolCalls = false
  }
  if (isRecord(req.thinking) && req.thinking.type === 'enabled' && typeof req.thinking.budget_tokens === 'number') out.reasoning = { budgetTokens: req.thinking.budget_tokens }
  const format = req.output_config?.format
  if (format?.type === 'json_schema' && isRecord(format.schema)) out.responseFormat = { type: 'json_schema', schema: format.schema, strict: true }
  return out
}

function systemParts(system: unknown): TextPart[] {
  if (typeof system === 'string') return system === '' ? [] : [{ type: 'text', text: system }]
  return records(system).flatMap((b): TextPart[] => (b.type === 'text' && typeof b.text === 'string' ? [{ type: 'text', text: b.text }] : []))
}

function decodeMessage(m: unknown, i: number): Message {
  if (!isRecord(m)) throw invalidRequest(`messages.${i} must be an object`, `messages.${i}`)
  if (typeof m.content !== 'string' && !Array.isArray(m.content)) throw invalidRequest(`messages.${i}.content must be a string or an array`, `messages.${i}.content`)
  const blocks = typeof m.content === 'string' ? [{ type: 'text', text: m.content }] : records(m.content)
  switch (m.role) {
    case 'assistant':
      return { role: 'assistant', content: blocks.flatMap(assistantPart) }
    case 'user':
      return { role: 'user', content: blocks.flatMap(userPart) }
    case 'system':
      // Not in Anthropic's API, but some clients send it; it stays where it was in the conversation.
      return { role: 'system', content: blocks.flatMap((b): TextPart[] => (b.type === 'text' && typeof b.text === 'string' ? [{ type: 'text', text: b.text }] : [])) }
    default:
      throw invalidRequest(`messages.${i}.role must be "user" or "assistant"`, `messages.${i}.role`)
  }
}

function assistantPart(b: Record<string, unknown>): AssistantPart[] {
  switch (b.type) {
    case 'text':
      return typeof b.text === 'string' ? [{ type: 'text', text: b.text }] : []
    case 'thinking': {
      if (typeof b.thinking !== 'string') return []
      const part: AssistantPart = { type: 'reasoning', summary: [b.thinking] }
      if (typeof b.signature === 'string') part.signature = b.signature
      return [part]
    }
    case 'redacted_thinking':
      return typeof b.data === 'string' ? [{ type: 'reasoning', redactedData: b.data }] : []
    case 'tool_use':
      if (typeof b.id !== 'string' || typeof b.name !== 'string') return []
      return [{ type: 'tool_call', kind: 'function', id: b.id, name: b.name, arguments: argumentsFromToolInput(b.input) }]
    default:
      return [] // server tool blocks only mean something to Anthropic
  }
}

function userPart(b: Record<string, unknown>): UserPart[] {
  switch (b.type) {
    case 'text':
      return typeof b.text === 'string' ? [{ type: 'text', text: b.text }] : []
    case 'image':
    case 'document':
      return mediaPart(b)
    case 'tool_result': {
      const content = typeof b.content === 'string' ? [{ type: 'text' as const, text: b.content }] : records(b.content).flatMap(toolResultPart)
      return [{ type: 'tool_result', callId: String(b.tool_use_id ?? ''), content, isError: b.is_error === true ? true : undefined }]
    }
    default:
      return [] // thinking blocks in a user turn, search results, …
  }
}

function toolResultPart(b: Record<string, unknown>): Array<TextPart | ImagePart | DocumentPart> {
  if (b.type === 'text') return typeof b.text === 'string' ? [{ type: 'text', text: b.text }] : []
  return b.type === 'image' || b.type === 'document' ? mediaPart(b) : []
}

function mediaPart(b: Record<string, unknown>): Array<ImagePart | DocumentPart> {
  const raw = isRecord(b.source) ? b.source : {}
  if (b.type === 'document') {
    const source = raw.type === 'text' && typeof raw.data === 'string' ? { kind: 'text' as const, data: raw.data } : sourceFromAnthropic(raw)
    if (!source) return []
    if (source.kind === 'base64' && source.mediaType === '') source.mediaType = 'application/pdf'
    const doc: DocumentPart = { type: 'document', source }
    if (typeof b.title === 'string') doc.title = b.title
    return [doc]
  }
  const source = sourceFromAnthropic(raw)
  return source ? [{ type: 'image', source }] : []
}

/** Client tools carry an input schema; Anthropic server tools (web search, code execution, …) have none and stay behind. */
function decodeTool(tool: Record<string, unknown>): ToolDefinition[] {
  if (typeof tool.name !== 'string' || !isRecord(tool.input_schema)) return []
  const out: ToolDefinition = { kind: 'function', name: tool.name, parameters: tool.input_schema }
  if (typeof tool.description === 'string') out.description = tool.description
  return [out]
}

function decodeToolChoice(choice: Record<string, unknown>): ToolChoice | undefined {
  switch (choice.type) {
    case 'auto':
      return { type: 'auto' }
    case 'any':
      return { type: 'required' }
    case 'none':
      return { type: 'none' }
    case 'tool':
      return typeof choice.name === 'string' ? { type: 'tool', name: choice.name } : { type: 'required' }
    default:
      return undefined
  }
}
