// OpenAI chat completions request -> Anthropic Messages request (OpenAI ingress, Anthropic
// upstream). Pure. What Anthropic cannot express fails here with a 400 naming the field, instead
// of an opaque upstream error; OpenAI-only tuning knobs (seed, penalties, logit_bias, logprobs,
// service_tier, prompt_cache_key, …) are dropped.
import { GatewayError } from '../../errors'
import { THINKING_FORMAT, anthropicToolId, imageSourceFromUrl, isRecord, toolInputFromArguments } from './mapping'
import type { AnthropicBlock, AnthropicMessageParam, AnthropicRequest, AnthropicTool, AnthropicToolChoice, Json, OpenAIContentPart, OpenAIMessage, OpenAIRequest } from './types'

export interface ToAnthropicOptions {
  upstreamModel?: string
  /** Anthropic requires max_tokens; used when the client gave none (`provider.defaultMaxTokens`). */
  defaultMaxTokens?: number
  /**
   * Turn OpenAI `reasoning_effort` into extended thinking with a budget share of max_tokens. Off by
   * default: which thinking modes a Claude model accepts depends on the model.
   */
  mapReasoningEffort?: boolean
}

export const DEFAULT_MAX_TOKENS = 4096
const JSON_OBJECT_INSTRUCTION = 'Respond with a single valid JSON object and nothing else.'
const EFFORT_SHARE: Record<string, number> = { low: 0.25, medium: 0.5, high: 0.8 }

export function openAIToAnthropicRequest(body: OpenAIRequest, opts: ToAnthropicOptions = {}): AnthropicRequest {
  if (!Array.isArray(body.messages)) throw invalid('"messages" must be an array', 'messages')
  if (typeof body.n === 'number' && body.n > 1) throw invalid('"n" greater than 1 is not supported by Anthropic models; send separate requests', 'n')
  if (body.functions !== undefined || body.function_call !== undefined) {
    throw invalid('the legacy "functions"/"function_call" parameters are not supported for Anthropic models; use "tools"', 'functions')
  }
  const system: string[] = []
  const messages: AnthropicMessageParam[] = []
  body.messages.forEach((m, i) => appendMessage(system, messages, m, i))
  finishMessages(messages)

  const maxTokens = body.max_completion_tokens ?? body.max_tokens ?? opts.defaultMaxTokens ?? DEFAULT_MAX_TOKENS
  const out: AnthropicRequest = { model: opts.upstreamModel ?? body.model, max_tokens: maxTokens, messages }
  if (typeof body.temperature === 'number') out.temperature = Math.min(1, Math.max(0, body.temperature)) // OpenAI's range is 0-2
  if (typeof body.top_p === 'number') out.top_p = body.top_p
  const stop = typeof body.stop === 'string' ? [body.stop] : Array.isArray(body.stop) ? body.stop.filter((s) => typeof s === 'string' && s !== '') : []
  if (stop.length > 0) out.stop_sequences = stop
  if (body.stream === true) out.stream = true
  const user = typeof body.user === 'string' ? body.user : typeof body.safety_identifier === 'string' ? body.safety_identifier : undefined
  if (user) out.metadata = { user_id: user }

  const tools = Array.isArray(body.tools) ? body.tools.map(toAnthropicTool) : []
  if (tools.length > 0) {
    out.tools = tools
    const choice = toAnthropicToolChoice(body.tool_choice, body.parallel_tool_calls === false)
    if (choice) out.tool_choice = choice
  }
  applyResponseFormat(out, body.response_format, system)
  if (system.length > 0) out.system = system.join('\n\n')
  if (opts.mapReasoningEffort) applyReasoningEffort(out, body.reasoning_effort)
  return out
}

function invalid(message: string, param: string): GatewayError {
  return new GatewayError('invalid_request', message, { param })
}

function appendMessage(system: string[], out: AnthropicMessageParam[], m: OpenAIMessage, i: number): void {
  if (!isRecord(m)) throw invalid(`messages[${i}] must be an object`, `messages[${i}]`)
  switch (m.role) {
    case 'system':
    case 'developer': {
      const text = textOfParts(m.content)
      if (text !== '') system.push(text)
      return
    }
    case 'user':
      push(out, 'user', userBlocks(m.content, i))
      return
    case 'assistant':
      push(out, 'assistant', assistantBlocks(m))
      return
    case 'tool': {
      const text = textOfParts(m.content)
      const block: AnthropicBlock = { type: 'tool_result', tool_use_id: toolUseId(m.tool_call_id) }
      if (text !== '') block.content = text
      push(out, 'user', [block])
      return
    }
    default:
      throw invalid(`messages[${i}].role "${String(m.role)}" is not supported for Anthropic models`, `messages[${i}].role`)
  }
}

/** Anthropic wants alternating turns: consecutive messages of one role (tool results and the user text after them) merge. */
function push(out: AnthropicMessageParam[], role: 'user' | 'assistant', blocks: AnthropicBlock[]): void {
  if (blocks.length === 0) return // empty text blocks are rejected upstream
  const last = out[out.length - 1]
  if (last && last.role === role) (last.content as AnthropicBlock[]).push(...blocks)
  else out.push({ role, content: blocks })
}

function finishMessages(messages: AnthropicMessageParam[]): void {
  for (const m of messages) {
    // In a user turn, tool_result blocks must come before any other content.
    if (m.role === 'user') (m.content as AnthropicBlock[]).sort((a, b) => Number(b.type === 'tool_result') - Number(a.type === 'tool_result'))
  }
  const last = messages[messages.length - 1]
  if (last?.role === 'assistant') {
    // A final assistant turn is a prefill, and Anthropic rejects one ending in whitespace.
    const blocks = last.content as AnthropicBlock[]
    const tail = blocks[blocks.length - 1]
    if (tail?.type === 'text' && typeof tail.text === 'string') {
      tail.text = tail.text.trimEnd()
      if (tail.text === '') blocks.pop()
      if (blocks.length === 0) messages.pop()
    }
  }
}

function textOfParts(content: OpenAIMessage['content']): string {
  if (typeof content === 'string') return content
  if (!Array.isArray(content)) return ''
  return content
    .map((p) => (isRecord(p) && p.type === 'text' && typeof p.text === 'string' ? p.text : ''))
    .join('')
}

function userBlocks(content: OpenAIMessage['content'], i: number): AnthropicBlock[] {
  if (typeof content === 'string') return content === '' ? [] : [{ type: 'text', text: content }]
  if (!Array.isArray(content)) return []
  return content.flatMap((p, j) => userPartBlock(p, `messages[${i}].content[${j}]`))
}

function userPartBlock(p: OpenAIContentPart, param: string): AnthropicBlock[] {
  if (!isRecord(p)) return []
  switch (p.type) {
    case 'text':
      return typeof p.text === 'string' && p.text !== '' ? [{ type: 'text', text: p.text }] : []
    case 'image_url': {
      const url = isRecord(p.image_url) ? p.image_url.url : undefined
      const source = typeof url === 'string' ? imageSourceFromUrl(url) : undefined
      if (!source) throw invalid('image_url must be a data: URL with base64 data or an http(s) URL', param)
      return [{ type: 'image', source }]
    }
    case 'file': {
      const data = isRecord(p.file) ? p.file.file_data : undefined
      const source = typeof data === 'string' ? imageSourceFromUrl(data) : undefined
      if (source?.type !== 'base64') throw invalid('file parts must carry base64 file_data (file ids are not portable to Anthropic)', param)
      return [{ type: 'document', source }]
    }
    default:
      throw invalid(`content part type "${String(p.type)}" is not supported for Anthropic models`, param)
  }
}

function assistantBlocks(m: OpenAIMessage): AnthropicBlock[] {
  const blocks: AnthropicBlock[] = []
  // Thinking can only be passed back with the signature Anthropic issued for it (carried in
  // OpenRouter-style reasoning_details); unsigned reasoning_content / reasoning is dropped.
  for (const d of Array.isArray(m.reasoning_details) ? m.reasoning_details : []) {
    if (!isRecord(d)) continue
    if (d.type === 'reasoning.text' && typeof d.signature === 'string' && d.signature !== '') {
      blocks.push({ type: 'thinking', thinking: typeof d.text === 'string' ? d.text : '', signature: d.signature })
    } else if (d.type === 'reasoning.encrypted' && typeof d.data === 'string' && (d.format === undefined || d.format === THINKING_FORMAT)) {
      blocks.push({ type: 'redacted_thinking', data: d.data })
    }
  }
  if (typeof m.content === 'string') {
    if (m.content !== '') blocks.push({ type: 'text', text: m.content })
  } else if (Array.isArray(m.content)) {
    for (const p of m.content) {
      if (!isRecord(p)) continue
      const text = p.type === 'text' ? p.text : p.type === 'refusal' ? p.refusal : undefined
      if (typeof text === 'string' && text !== '') blocks.push({ type: 'text', text })
    }
  }
  for (const call of Array.isArray(m.tool_calls) ? m.tool_calls : []) {
    if (!isRecord(call) || !isRecord(call.function)) continue
    blocks.push({ type: 'tool_use', id: toolUseId(call.id), name: String(call.function.name ?? ''), input: toolInputFromArguments(call.function.arguments as string) })
  }
  return blocks
}

function toolUseId(id: unknown): string {
  return anthropicToolId(id, 'call')
}

function toAnthropicTool(tool: unknown, i: number): AnthropicTool {
  if (!isRecord(tool) || tool.type !== 'function' || !isRecord(tool.function) || typeof tool.function.name !== 'string') {
    throw invalid('only "function" tools can be sent to Anthropic models', `tools[${i}]`)
  }
  const fn = tool.function
  const schema = isRecord(fn.parameters) ? fn.parameters : { type: 'object', properties: {} }
  const out: AnthropicTool = { name: fn.name as string, input_schema: schema }
  if (typeof fn.description === 'string') out.description = fn.description
  return out
}

function toAnthropicToolChoice(choice: OpenAIRequest['tool_choice'], noParallel: boolean): AnthropicToolChoice | undefined {
  let out: AnthropicToolChoice | undefined
  if (choice === 'none') return { type: 'none' }
  if (choice === 'required') out = { type: 'any' }
  else if (choice === 'auto') out = { type: 'auto' }
  else if (isRecord(choice) && choice.type === 'function' && isRecord(choice.function) && typeof choice.function.name === 'string') {
    out = { type: 'tool', name: choice.function.name }
  } else if (isRecord(choice) && choice.type === 'allowed_tools') {
    out = { type: isRecord(choice.allowed_tools) && choice.allowed_tools.mode === 'required' ? 'any' : 'auto' }
  }
  if (noParallel) out = { ...(out ?? { type: 'auto' }), disable_parallel_tool_use: true } as AnthropicToolChoice
  return out
}

function applyResponseFormat(out: AnthropicRequest, format: OpenAIRequest['response_format'], system: string[]): void {
  if (!isRecord(format) || format.type === 'text') return
  if (format.type === 'json_object') {
    // Anthropic has no JSON mode: the instruction is the documented way to ask for JSON.
    system.push(JSON_OBJECT_INSTRUCTION)
  } else if (format.type === 'json_schema') {
    const schema = isRecord(format.json_schema) ? format.json_schema.schema : undefined
    if (!isRecord(schema)) throw invalid('response_format.json_schema.schema must be an object', 'response_format')
    out.output_config = { format: { type: 'json_schema', schema: schema as Json } }
  } else {
    throw invalid(`response_format type "${String(format.type)}" is not supported for Anthropic models`, 'response_format')
  }
}

/** Extended thinking needs budget_tokens >= 1024 and < max_tokens, no forced tool, default temperature. */
function applyReasoningEffort(out: AnthropicRequest, effort: unknown): void {
  const share = typeof effort === 'string' ? EFFORT_SHARE[effort] : undefined
  const max = out.max_tokens ?? 0
  if (share === undefined || max <= 1024) return
  if (out.tool_choice?.type === 'any' || out.tool_choice?.type === 'tool') return
  out.thinking = { type: 'enabled', budget_tokens: Math.min(max - 1, Math.max(1024, Math.floor(max * share))) }
  delete out.temperature
  if (typeof out.top_p === 'number' && out.top_p < 0.95) delete out.top_p
}
