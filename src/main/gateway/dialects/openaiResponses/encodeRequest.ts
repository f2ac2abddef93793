// Canonical -> OpenAI Responses request, for Responses-only upstreams (so Chat and Anthropic
// clients can use them). Stateless on purpose: store is off unless the client asked for it, and
// reasoning goes back only as the encrypted content the Responses API issued (it rejects any
// other). Stop sequences and top_k have no Responses counterpart and are dropped.
import type { AssistantPart, CanonicalRequest, Json, Message, ToolCallPart, ToolChoice, ToolDefinition, UserPart } from '../canonical'
import { cappedMaxTokens, type EncodeRequestOptions, type EncodedRequest } from '../codec'
import { responsesInputPart } from './mapping'

export function encodeResponsesRequest(req: CanonicalRequest, opts: EncodeRequestOptions): EncodedRequest & { body: Json } {
  const callKinds = new Map<string, ToolCallPart['kind']>()
  const input: Json[] = []
  for (const m of req.messages) appendMessage(input, m, callKinds)

  const out: Json = { model: opts.upstreamModel ?? req.model, input }
  const instructions = (req.system ?? []).map((p) => p.text).join('\n\n')
  if (instructions !== '') out.instructions = instructions
  const s = req.sampling
  if (s.maxOutputTokens !== undefined) out.max_output_tokens = cappedMaxTokens(s.maxOutputTokens, opts)
  if (s.temperature !== undefined) out.temperature = s.temperature
  if (s.topP !== undefined) out.top_p = s.topP
  const tools = (req.tools ?? []).map(toResponsesTool)
  if (tools.length > 0) {
    out.tools = tools
    const choice = toResponsesToolChoice(req.toolChoice, req.tools ?? [])
    if (choice !== undefined) out.tool_choice = choice
  }
  if (req.parallelToolCalls !== undefined) out.parallel_tool_calls = req.parallelToolCalls
  if (req.reasoning?.effort !== undefined || req.reasoning?.summary !== undefined) {
    const reasoning: Json = {}
    if (req.reasoning.effort !== undefined) reasoning.effort = req.reasoning.effort
    if (req.reasoning.summary !== undefined) reasoning.summary = req.reasoning.summary
    out.reasoning = reasoning
  }
  const text = textControls(req)
  if (text) out.text = text
  if (req.user) out.user = req.user
  if (req.metadata) out.metadata = req.metadata
  if (req.promptCacheKey !== undefined) out.prompt_cache_key = req.promptCacheKey
  out.store = req.store ?? false
  // Without a store, reasoning survives a turn only as encrypted content the client sends back.
  const include = req.include ?? (out.reasoning && out.store === false ? ['reasoning.encrypted_content'] : undefined)
  if (include && include.length > 0) out.include = include
  if (req.previousResponseId !== undefined) out.previous_response_id = req.previousResponseId
  if (req.stream) out.stream = true
  return { path: '/responses', body: out }
}

function appendMessage(input: Json[], m: Message, callKinds: Map<string, ToolCallPart['kind']>): void {
  if (m.role === 'system') {
    const text = m.content.map((p) => p.text).join('')
    if (text !== '') input.push({ type: 'message', role: 'system', content: [{ type: 'input_text', text }] })
  } else if (m.role === 'user') {
    appendUserItems(input, m.content, callKinds)
  } else {
    appendAssistantItems(input, m.content, callKinds)
  }
}

/** Content parts become one message; tool results become output items, in their place. */
function appendUserItems(input: Json[], parts: UserPart[], callKinds: Map<string, ToolCallPart['kind']>): void {
  let content: Json[] = []
  const flush = (): void => {
    if (content.length > 0) input.push({ type: 'message', role: 'user', content })
    content = []
  }
  for (const p of parts) {
    if (p.type !== 'tool_result') {
      content.push(responsesInputPart(p))
      continue
    }
    flush()
    const custom = callKinds.get(p.callId) === 'custom'
    const onlyText = p.content.every((c) => c.type === 'text')
    let output: string | Json[] = onlyText ? p.content.map((c) => (c as { text: string }).text).join('\n') : p.content.map(responsesInputPart)
    if (p.isError) output = typeof output === 'string' ? `Error: ${output}` : [{ type: 'input_text', text: 'Error:' }, ...output]
    // custom_tool_call_output carries text only.
    if (custom && typeof output !== 'string') output = output.map((c) => (typeof c.text === 'string' ? c.text : '')).join('\n')
    input.push({ type: custom ? 'custom_tool_call_output' : 'function_call_output', call_id: p.callId, output })
  }
  flush()
}

function appendAssistantItems(input: Json[], parts: AssistantPart[], callKinds: Map<string, ToolCallPart['kind']>): void {
  let content: Json[] = []
  const flush = (): void => {
    if (content.length > 0) input.push({ type: 'message', role: 'assistant', content })
    content = []
  }
  for (const p of parts) {
    switch (p.type) {
      case 'text':
        if (p.text !== '') content.push({ type: 'output_text', text: p.text })
        break
      case 'refusal':
        content.push({ type: 'refusal', refusal: p.text })
        break
      case 'reasoning':
        flush()
        // Only reasoning the Responses API issued (encrypted) is accepted back; the item id is left
        // out as Codex does, since unstored ids are rejected.
        if (p.encryptedContent !== undefined) input.push({ type: 'reasoning', summary: (p.summary ?? []).map((text) => ({ type: 'summary_text', text })), encrypted_content: p.encryptedContent })
        break
      case 'tool_call':
        flush()
        callKinds.set(p.id, p.kind)
        input.push(p.kind === 'custom' ? { type: 'custom_tool_call', call_id: p.id, name: p.name, input: p.input } : { type: 'function_call', call_id: p.id, name: p.name, arguments: p.arguments })
        break
    }
  }
  flush()
}

function toResponsesTool(tool: ToolDefinition): Json {
  if (tool.kind === 'custom') {
    const out: Json = { type: 'custom', name: tool.name }
    if (tool.description !== undefined) out.description = tool.description
    if (tool.format) out.format = tool.format
    return out
  }
  // The Responses API defaults `strict` to true, which rejects most schemas written for other APIs.
  const out: Json = { type: 'function', name: tool.name, parameters: tool.parameters ?? { type: 'object', properties: {} }, strict: tool.strict ?? false }
  if (tool.description !== undefined) out.description = tool.description
  return out
}

function toResponsesToolChoice(choice: ToolChoice | undefined, tools: ToolDefinition[]): unknown {
  if (!choice) return undefined
  if (choice.type !== 'tool') return choice.type
  const tool = tools.find((t) => t.name === choice.name)
  return tool ? { type: tool.kind, name: tool.name } : 'required'
}

function textControls(req: CanonicalRequest): Json | undefined {
  const text: Json = {}
  const f = req.responseFormat
  if (f?.type === 'json_object') text.format = { type: 'json_object' }
  if (f?.type === 'json_schema') {
    const format: Json = { type: 'json_schema', name: f.name ?? 'output', schema: f.schema }
    if (f.strict !== undefined) format.strict = f.strict
    if (f.description !== undefined) format.description = f.description
    text.format = format
  }
  if (req.verbosity !== undefined) text.verbosity = req.verbosity
  return Object.keys(text).length > 0 ? text : undefined
}
