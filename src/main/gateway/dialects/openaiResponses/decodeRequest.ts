// OpenAI Responses request -> canonical, as Codex CLI and the openai SDK send it: `instructions`,
// `input` as a string or a list of items (messages with content parts, function_call /
// function_call_output, custom_tool_call / custom_tool_call_output, reasoning with summary and
// encrypted_content), function and custom tools, reasoning, text.format, prompt_cache_key, store,
// previous_response_id. Hosted tools (web search, file search, …) run only on OpenAI's side and are
// left out with the items they produced.
import type { AssistantPart, CanonicalRequest, Message, ReasoningPart, ResponseFormat, TextPart, ToolChoice, ToolDefinition, UserPart } from '../canonical'
import { asNumber, asString, invalidRequest, isRecord, records, requireModel, stringMap } from '../json'
import { inputPart, readEncryptedContent } from './mapping'

export function decodeResponsesRequest(body: unknown): CanonicalRequest {
  const req = requireModel(body)
  const out: CanonicalRequest = {
    model: req.model,
    messages: decodeInput(req.input),
    sampling: { maxOutputTokens: asNumber(req.max_output_tokens), temperature: asNumber(req.temperature), topP: asNumber(req.top_p) },
    stream: req.stream === true,
  }
  if (typeof req.instructions === 'string' && req.instructions !== '') out.system = [{ type: 'text', text: req.instructions }]
  if (Array.isArray(req.tools)) {
    const tools = records(req.tools).flatMap(decodeTool)
    if (tools.length > 0) out.tools = tools
  }
  const choice = decodeToolChoice(req.tool_choice)
  if (choice) out.toolChoice = choice
  if (typeof req.parallel_tool_calls === 'boolean') out.parallelToolCalls = req.parallel_tool_calls
  if (isRecord(req.reasoning)) {
    const effort = asString(req.reasoning.effort)
    const summary = asString(req.reasoning.summary) ?? asString(req.reasoning.generate_summary)
    if (effort !== undefined || summary !== undefined) out.reasoning = { effort, summary }
  }
  if (isRecord(req.text)) {
    const format = decodeFormat(req.text.format)
    if (format) out.responseFormat = format
    if (typeof req.text.verbosity === 'string') out.verbosity = req.text.verbosity
  }
  const user = asString(req.user) ?? asString(req.safety_identifier)
  if (user) out.user = user
  const metadata = stringMap(req.metadata)
  if (metadata) out.metadata = metadata
  if (typeof req.prompt_cache_key === 'string') out.promptCacheKey = req.prompt_cache_key
  if (typeof req.store === 'boolean') out.store = req.store
  if (typeof req.previous_response_id === 'string') out.previousResponseId = req.previous_response_id
  if (Array.isArray(req.include)) out.include = req.include.filter((s): s is string => typeof s === 'string')
  return out
}

function decodeInput(input: unknown): Message[] {
  if (input === undefined || input === null) return []
  if (typeof input === 'string') return [{ role: 'user', content: [{ type: 'text', text: input }] }]
  if (!Array.isArray(input)) throw invalidRequest('"input" must be a string or an array of items', 'input')
  const messages: Message[] = []
  input.forEach((item, i) => {
    const param = `input[${i}]`
    if (!isRecord(item)) throw invalidRequest(`${param} must be an object`, param)
    const decoded = decodeItem(item, param)
    if (decoded) append(messages, decoded)
  })
  return messages
}

/** Items are flat; consecutive ones of a role (a reasoning item, a message, two calls) form one turn. */
function append(messages: Message[], m: Message): void {
  const last = messages[messages.length - 1]
  if (last && last.role === m.role && m.role !== 'system') (last.content as Array<UserPart | AssistantPart>).push(...(m.content as Array<UserPart | AssistantPart>))
  else messages.push(m)
}

function decodeItem(item: Record<string, unknown>, param: string): Message | undefined {
  const type = item.type ?? (item.role !== undefined ? 'message' : undefined)
  switch (type) {
    case 'message':
      return decodeMessage(item, param)
    case 'function_call':
      return { role: 'assistant', content: [{ type: 'tool_call', kind: 'function', id: String(item.call_id ?? ''), name: String(item.name ?? ''), arguments: asString(item.arguments) ?? '' }] }
    case 'custom_tool_call':
      return { role: 'assistant', content: [{ type: 'tool_call', kind: 'custom', id: String(item.call_id ?? ''), name: String(item.name ?? ''), input: asString(item.input) ?? '' }] }
    case 'function_call_output':
    case 'custom_tool_call_output': {
      const output = item.output
      const content = typeof output === 'string' ? [{ type: 'text' as const, text: output }] : records(output).flatMap((p, j) => inputPart(p, `${param}.output[${j}]`))
      return { role: 'user', content: [{ type: 'tool_result', callId: String(item.call_id ?? ''), content }] }
    }
    case 'reasoning':
      return { role: 'assistant', content: [decodeReasoning(item)] }
    case 'item_reference':
      throw invalidRequest('item references need stored responses, which this backend cannot resolve', param)
    default:
      return undefined // hosted tool calls and their results (web_search_call, …) happened on OpenAI's side
  }
}

function decodeMessage(item: Record<string, unknown>, param: string): Message | undefined {
  if (typeof item.content !== 'string' && !Array.isArray(item.content)) throw invalidRequest(`${param}.content must be a string or an array`, `${param}.content`)
  const parts = typeof item.content === 'string' ? [{ type: 'input_text', text: item.content }] : records(item.content)
  switch (item.role) {
    case 'user':
      return { role: 'user', content: parts.flatMap((p, j) => inputPart(p, `${param}.content[${j}]`)) }
    case 'system':
    case 'developer':
      return { role: 'system', content: parts.flatMap((p): TextPart[] => (typeof p.text === 'string' ? [{ type: 'text', text: p.text }] : [])) }
    case 'assistant':
      return { role: 'assistant', content: parts.flatMap(assistantPart) }
    default:
      throw invalidRequest(`${param}.role must be "user", "assistant", "system" or "developer"`, `${param}.role`)
  }
}

function assistantPart(p: Record<string, unknown>): AssistantPart[] {
  if ((p.type === 'output_text' || p.type === 'input_text') && typeof p.text === 'string') return [{ type: 'text', text: p.text }]
  if (p.type === 'refusal' && typeof p.refusal === 'string') return [{ type: 'refusal', text: p.refusal }]
  return []
}

function decodeReasoning(item: Record<string, unknown>): ReasoningPart {
  const part: ReasoningPart = { type: 'reasoning' }
  const summary = records(item.summary).flatMap((s) => (typeof s.text === 'string' ? [s.text] : []))
  if (summary.length > 0) part.summary = summary
  const text = records(item.content).flatMap((c) => (typeof c.text === 'string' ? [c.text] : []))
  if (text.length > 0) part.text = text.join('')
  if (typeof item.encrypted_content === 'string') readEncryptedContent(part, item.encrypted_content)
  if (typeof item.id === 'string') part.id = item.id
  return part
}

function decodeTool(tool: Record<string, unknown>): ToolDefinition[] {
  if (typeof tool.name !== 'string') return []
  if (tool.type === 'function') {
    const out: ToolDefinition = { kind: 'function', name: tool.name }
    if (typeof tool.description === 'string') out.description = tool.description
    if (isRecord(tool.parameters)) out.parameters = tool.parameters
    if (typeof tool.strict === 'boolean') out.strict = tool.strict
    return [out]
  }
  if (tool.type === 'custom') {
    const out: ToolDefinition = { kind: 'custom', name: tool.name }
    if (typeof tool.description === 'string') out.description = tool.description
    const f = isRecord(tool.format) ? tool.format : undefined
    if (f?.type === 'grammar' && typeof f.definition === 'string') out.format = { type: 'grammar', syntax: String(f.syntax ?? 'lark'), definition: f.definition }
    else if (f?.type === 'text') out.format = { type: 'text' }
    return [out]
  }
  return [] // hosted tools run on OpenAI's side only
}

function decodeToolChoice(choice: unknown): ToolChoice | undefined {
  if (choice === 'none' || choice === 'auto' || choice === 'required') return { type: choice }
  if (!isRecord(choice)) return undefined
  if ((choice.type === 'function' || choice.type === 'custom') && typeof choice.name === 'string') return { type: 'tool', name: choice.name }
  if (choice.type === 'allowed_tools') return { type: choice.mode === 'required' ? 'required' : 'auto' }
  return undefined
}

function decodeFormat(format: unknown): ResponseFormat | undefined {
  if (!isRecord(format)) return undefined
  if (format.type === 'text' || format.type === 'json_object') return { type: format.type }
  if (format.type !== 'json_schema') throw invalidRequest(`text.format type "${String(format.type)}" cannot be translated for this backend`, 'text.format')
  if (!isRecord(format.schema)) throw invalidRequest('text.format.schema must be an object', 'text.format')
  const out: ResponseFormat = { type: 'json_schema', schema: format.schema }
  if (typeof format.name === 'string') out.name = format.name
  if (typeof format.description === 'string') out.description = format.description
  if (typeof format.strict === 'boolean') out.strict = format.strict
  return out
}
