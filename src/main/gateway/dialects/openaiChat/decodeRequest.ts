// OpenAI Chat Completions request -> canonical. What the canonical model cannot hold (n > 1, the
// legacy functions API, audio, file ids) fails here with a 400 naming the field, instead of an
// opaque error from whichever backend the request is translated for.
import type { AssistantPart, CanonicalRequest, DocumentPart, ImagePart, Message, ResponseFormat, TextPart, ToolChoice, ToolDefinition, UserPart } from '../canonical'
import { asNumber, asString, invalidRequest, isRecord, requireModel, stopList, stringMap } from '../json'
import { sourceFromUrl } from '../media'
import { reasoningOfMessage } from './mapping'
import type { OpenAIRequest } from './wire'

export function decodeChatRequest(body: unknown): CanonicalRequest {
  const req = requireModel(body) as OpenAIRequest
  if (!Array.isArray(req.messages)) throw invalidRequest('"messages" must be an array', 'messages')
  if (typeof req.n === 'number' && req.n > 1) throw invalidRequest('"n" greater than 1 cannot be translated for this backend; send separate requests', 'n')
  if (req.functions !== undefined || req.function_call !== undefined) {
    throw invalidRequest('the legacy "functions"/"function_call" parameters cannot be translated for this backend; use "tools"', 'functions')
  }
  const out: CanonicalRequest = {
    model: req.model,
    messages: req.messages.map(decodeMessage),
    sampling: {
      temperature: asNumber(req.temperature),
      topP: asNumber(req.top_p),
      maxOutputTokens: asNumber(req.max_completion_tokens) ?? asNumber(req.max_tokens),
      seed: asNumber(req.seed),
      frequencyPenalty: asNumber(req.frequency_penalty),
      presencePenalty: asNumber(req.presence_penalty),
    },
    stream: req.stream === true,
  }
  const stop = stopList(req.stop)
  if (stop.length > 0) out.sampling.stopSequences = stop
  const user = asString(req.user) ?? asString(req.safety_identifier)
  if (user) out.user = user
  const metadata = stringMap(req.metadata)
  if (metadata) out.metadata = metadata
  if (Array.isArray(req.tools)) out.tools = req.tools.map(decodeTool)
  const choice = decodeToolChoice(req.tool_choice)
  if (choice) out.toolChoice = choice
  if (typeof req.parallel_tool_calls === 'boolean') out.parallelToolCalls = req.parallel_tool_calls
  const format = decodeResponseFormat(req.response_format)
  if (format) out.responseFormat = format
  if (typeof req.reasoning_effort === 'string') out.reasoning = { effort: req.reasoning_effort }
  if (typeof req.verbosity === 'string') out.verbosity = req.verbosity
  if (typeof req.prompt_cache_key === 'string') out.promptCacheKey = req.prompt_cache_key
  return out
}

function decodeMessage(m: unknown, i: number): Message {
  if (!isRecord(m)) throw invalidRequest(`messages[${i}] must be an object`, `messages[${i}]`)
  switch (m.role) {
    case 'system':
    case 'developer':
      return { role: 'system', content: textParts(m.content) }
    case 'user':
      return { role: 'user', content: userParts(m.content, i) }
    case 'assistant':
      return { role: 'assistant', content: assistantParts(m) }
    case 'tool': {
      const text = textParts(m.content)
        .map((p) => p.text)
        .join('')
      const content: TextPart[] = text === '' ? [] : [{ type: 'text', text }]
      return { role: 'user', content: [{ type: 'tool_result', callId: typeof m.tool_call_id === 'string' ? m.tool_call_id : '', content }] }
    }
    default:
      throw invalidRequest(`messages[${i}].role "${String(m.role)}" cannot be translated for this backend`, `messages[${i}].role`)
  }
}

function textParts(content: unknown): TextPart[] {
  if (typeof content === 'string') return [{ type: 'text', text: content }]
  if (!Array.isArray(content)) return []
  return content.flatMap((p): TextPart[] => (isRecord(p) && p.type === 'text' && typeof p.text === 'string' ? [{ type: 'text', text: p.text }] : []))
}

function userParts(content: unknown, i: number): UserPart[] {
  if (typeof content === 'string') return content === '' ? [] : [{ type: 'text', text: content }]
  if (!Array.isArray(content)) return []
  return content.flatMap((p, j) => userPart(p, `messages[${i}].content[${j}]`))
}

function userPart(p: unknown, param: string): UserPart[] {
  if (!isRecord(p)) return []
  switch (p.type) {
    case 'text':
      return typeof p.text === 'string' && p.text !== '' ? [{ type: 'text', text: p.text }] : []
    case 'image_url': {
      const url = isRecord(p.image_url) ? p.image_url.url : undefined
      const source = typeof url === 'string' ? sourceFromUrl(url) : undefined
      if (!source) throw invalidRequest('image_url must be a data: URL with base64 data or an http(s) URL', param)
      const image: ImagePart = { type: 'image', source }
      const detail = isRecord(p.image_url) ? asString(p.image_url.detail) : undefined
      if (detail !== undefined) image.detail = detail
      return [image]
    }
    case 'file': {
      const file = isRecord(p.file) ? p.file : {}
      const source = typeof file.file_data === 'string' ? sourceFromUrl(file.file_data, 'application/pdf') : undefined
      if (source?.kind !== 'base64') throw invalidRequest('file parts must carry base64 file_data (file ids are not portable to other backends)', param)
      const doc: DocumentPart = { type: 'document', source }
      if (typeof file.filename === 'string') doc.filename = file.filename
      return [doc]
    }
    default:
      throw invalidRequest(`content part type "${String(p.type)}" cannot be translated for this backend`, param)
  }
}

function assistantParts(m: Record<string, unknown>): AssistantPart[] {
  const parts: AssistantPart[] = [...reasoningOfMessage(m)]
  if (typeof m.content === 'string') {
    if (m.content !== '') parts.push({ type: 'text', text: m.content })
  } else if (Array.isArray(m.content)) {
    for (const p of m.content) {
      if (!isRecord(p)) continue
      if (p.type === 'text' && typeof p.text === 'string' && p.text !== '') parts.push({ type: 'text', text: p.text })
      else if (p.type === 'refusal' && typeof p.refusal === 'string' && p.refusal !== '') parts.push({ type: 'refusal', text: p.refusal })
    }
  }
  for (const call of Array.isArray(m.tool_calls) ? m.tool_calls : []) {
    if (!isRecord(call)) continue
    const id = typeof call.id === 'string' ? call.id : ''
    if (isRecord(call.function)) {
      const args = call.function.arguments
      parts.push({ type: 'tool_call', kind: 'function', id, name: String(call.function.name ?? ''), arguments: typeof args === 'string' ? args : '' })
    } else if (call.type === 'custom' && isRecord(call.custom)) {
      parts.push({ type: 'tool_call', kind: 'custom', id, name: String(call.custom.name ?? ''), input: asString(call.custom.input) ?? '' })
    }
  }
  return parts
}

function decodeTool(tool: unknown, i: number): ToolDefinition {
  if (isRecord(tool) && tool.type === 'function' && isRecord(tool.function) && typeof tool.function.name === 'string') {
    const fn = tool.function
    const out: ToolDefinition = { kind: 'function', name: fn.name as string }
    if (typeof fn.description === 'string') out.description = fn.description
    if (isRecord(fn.parameters)) out.parameters = fn.parameters
    if (typeof fn.strict === 'boolean') out.strict = fn.strict
    return out
  }
  if (isRecord(tool) && tool.type === 'custom' && isRecord(tool.custom) && typeof tool.custom.name === 'string') {
    const c = tool.custom
    const out: ToolDefinition = { kind: 'custom', name: c.name as string }
    if (typeof c.description === 'string') out.description = c.description
    const format = isRecord(c.format) ? c.format : undefined
    const grammar = format && isRecord(format.grammar) ? format.grammar : undefined
    if (grammar && typeof grammar.definition === 'string') out.format = { type: 'grammar', syntax: String(grammar.syntax ?? 'lark'), definition: grammar.definition }
    return out
  }
  throw invalidRequest('only "function" and "custom" tools can be translated for this backend', `tools[${i}]`)
}

function decodeToolChoice(choice: unknown): ToolChoice | undefined {
  if (choice === 'none' || choice === 'auto' || choice === 'required') return { type: choice }
  if (!isRecord(choice)) return undefined
  if (choice.type === 'function' && isRecord(choice.function) && typeof choice.function.name === 'string') return { type: 'tool', name: choice.function.name }
  if (choice.type === 'custom' && isRecord(choice.custom) && typeof choice.custom.name === 'string') return { type: 'tool', name: choice.custom.name }
  if (choice.type === 'allowed_tools') return { type: isRecord(choice.allowed_tools) && choice.allowed_tools.mode === 'required' ? 'required' : 'auto' }
  return undefined
}

function decodeResponseFormat(format: unknown): ResponseFormat | undefined {
  if (!isRecord(format)) return undefined
  if (format.type === 'text' || format.type === 'json_object') return { type: format.type }
  if (format.type === 'json_schema') {
    const spec = isRecord(format.json_schema) ? format.json_schema : {}
    if (!isRecord(spec.schema)) throw invalidRequest('response_format.json_schema.schema must be an object', 'response_format')
    const out: ResponseFormat = { type: 'json_schema', schema: spec.schema }
    if (typeof spec.name === 'string') out.name = spec.name
    if (typeof spec.description === 'string') out.description = spec.description
    if (typeof spec.strict === 'boolean') out.strict = spec.strict
    return out
  }
  throw invalidRequest(`response_format type "${String(format.type)}" cannot be translated for this backend`, 'response_format')
}
