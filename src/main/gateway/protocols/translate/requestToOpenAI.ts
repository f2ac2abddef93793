// Anthropic Messages request -> OpenAI chat completions request (Anthropic ingress, OpenAI-compatible
// upstream). Pure. Anthropic-only features (cache_control, top_k, thinking config, server tools,
// container, mcp_servers, service_tier, citations) are dropped rather than failing the request:
// Claude Code sends several of them on every call.
import { GatewayError } from '../../errors'
import { argumentsFromToolInput, isRecord, urlFromImageSource } from './mapping'
import type {
  AnthropicBlock,
  AnthropicMessageParam,
  AnthropicRequest,
  AnthropicTool,
  AnthropicToolChoice,
  Json,
  OpenAIContentPart,
  OpenAIMessage,
  OpenAIRequest,
  OpenAITool,
  OpenAIToolCall,
  OpenAIToolChoice,
} from './types'

export interface ToOpenAIOptions {
  /** Model name to send upstream (after route resolution); defaults to the client's. */
  upstreamModel?: string
  /**
   * Where an assistant turn's thinking goes when the conversation is sent back. DeepSeek requires
   * `reasoning_content` on turns that called tools; vLLM >= 0.16 and Ollama read `reasoning`.
   * Default `reasoning_content`.
   */
  reasoningField?: 'reasoning_content' | 'reasoning' | 'both' | 'omit'
  /**
   * DeepSeek in thinking mode answers 400 when an assistant turn that called tools comes back
   * without its reasoning field; with this set such turns always carry one (empty if the client
   * dropped the thinking).
   */
  reasoningOnToolTurns?: boolean
  /** OpenAI's reasoning models only accept `max_completion_tokens`; local servers know `max_tokens`. */
  maxTokensField?: 'max_tokens' | 'max_completion_tokens'
  /** Clamp for max_tokens (Claude Code asks for 32k; a small local context rejects that). */
  maxTokensCap?: number
}

export function anthropicToOpenAIRequest(body: AnthropicRequest, opts: ToOpenAIOptions = {}): OpenAIRequest {
  if (!Array.isArray(body.messages)) throw invalid('"messages" must be an array', 'messages')
  const messages: OpenAIMessage[] = []
  const system = systemText(body.system)
  if (system !== '') messages.push({ role: 'system', content: system })
  body.messages.forEach((m, i) => appendMessage(messages, m, i, opts))

  const out: OpenAIRequest = { model: opts.upstreamModel ?? body.model, messages }
  if (typeof body.max_tokens === 'number') {
    const max = opts.maxTokensCap ? Math.min(body.max_tokens, opts.maxTokensCap) : body.max_tokens
    out[opts.maxTokensField ?? 'max_tokens'] = max
  }
  if (typeof body.temperature === 'number') out.temperature = body.temperature
  if (typeof body.top_p === 'number') out.top_p = body.top_p
  const stop = Array.isArray(body.stop_sequences) ? body.stop_sequences.filter((s) => typeof s === 'string' && s !== '') : []
  if (stop.length > 0) out.stop = stop
  if (body.stream === true) {
    out.stream = true
    out.stream_options = { include_usage: true }
  }
  const userId = body.metadata?.user_id
  if (typeof userId === 'string' && userId !== '') out.user = userId

  const tools = (Array.isArray(body.tools) ? body.tools : []).flatMap(toOpenAITool)
  // tool_choice without tools (or with only server tools we dropped) is dropped, not an error.
  if (tools.length > 0) {
    out.tools = tools
    const choice = toOpenAIToolChoice(body.tool_choice, tools)
    if (choice !== undefined) out.tool_choice = choice
    if (body.tool_choice && 'disable_parallel_tool_use' in body.tool_choice && body.tool_choice.disable_parallel_tool_use === true) {
      out.parallel_tool_calls = false
    }
  }
  const format = body.output_config?.format
  if (format?.type === 'json_schema' && isRecord(format.schema)) {
    out.response_format = { type: 'json_schema', json_schema: { name: 'output', schema: format.schema, strict: true } }
  }
  return out
}

function invalid(message: string, param: string): GatewayError {
  return new GatewayError('invalid_request', message, { param })
}

/** System prompt blocks joined into one string: many local chat templates only take a string. */
function systemText(system: AnthropicRequest['system']): string {
  if (typeof system === 'string') return system
  if (!Array.isArray(system)) return ''
  return system
    .filter((b): b is { type: 'text'; text: string } => isRecord(b) && b.type === 'text' && typeof b.text === 'string')
    .map((b) => b.text)
    .join('\n\n')
}

function appendMessage(out: OpenAIMessage[], m: AnthropicMessageParam, i: number, opts: ToOpenAIOptions): void {
  if (!isRecord(m)) throw invalid(`messages.${i} must be an object`, `messages.${i}`)
  if (typeof m.content !== 'string' && !Array.isArray(m.content)) throw invalid(`messages.${i}.content must be a string or an array`, `messages.${i}.content`)
  const blocks: AnthropicBlock[] = typeof m.content === 'string' ? [{ type: 'text', text: m.content }] : m.content
  switch (m.role) {
    case 'assistant':
      out.push(assistantMessage(blocks, opts))
      return
    case 'user':
      appendUserMessages(out, blocks)
      return
    case 'system': {
      const text = textOf(blocks)
      if (text !== '') out.push({ role: 'system', content: text })
      return
    }
    default:
      throw invalid(`messages.${i}.role must be "user" or "assistant"`, `messages.${i}.role`)
  }
}

function textOf(blocks: AnthropicBlock[]): string {
  return blocks
    .filter((b) => isRecord(b) && b.type === 'text' && typeof b.text === 'string')
    .map((b) => (b as { text: string }).text)
    .join('')
}

function assistantMessage(blocks: AnthropicBlock[], opts: ToOpenAIOptions): OpenAIMessage {
  const reasoningField = opts.reasoningField ?? 'reasoning_content'
  const text: string[] = []
  const thinking: string[] = []
  const toolCalls: OpenAIToolCall[] = []
  for (const b of blocks) {
    if (!isRecord(b)) continue
    if (b.type === 'text' && typeof b.text === 'string') text.push(b.text)
    else if (b.type === 'thinking' && typeof b.thinking === 'string') thinking.push(b.thinking)
    else if (b.type === 'tool_use' && typeof b.id === 'string' && typeof b.name === 'string') {
      toolCalls.push({ id: b.id, type: 'function', function: { name: b.name, arguments: argumentsFromToolInput(b.input) } })
    }
    // redacted_thinking is opaque to every other backend; server tool blocks only mean something to Anthropic.
  }
  const msg: OpenAIMessage = { role: 'assistant', content: text.length > 0 ? text.join('') : toolCalls.length > 0 ? null : '' }
  if (toolCalls.length > 0) msg.tool_calls = toolCalls
  if ((thinking.length > 0 || (opts.reasoningOnToolTurns && toolCalls.length > 0)) && reasoningField !== 'omit') {
    const reasoning = thinking.join('\n\n')
    if (reasoningField === 'reasoning_content' || reasoningField === 'both') msg.reasoning_content = reasoning
    if (reasoningField === 'reasoning' || reasoningField === 'both') msg.reasoning = reasoning
  }
  return msg
}

/**
 * A user turn may hold tool results and new input together. OpenAI wants each `tool` message right
 * after the assistant message that made the call, so tool results go first, in order, and the
 * turn's text and images follow as one user message.
 */
function appendUserMessages(out: OpenAIMessage[], blocks: AnthropicBlock[]): void {
  const parts: OpenAIContentPart[] = []
  for (const b of blocks) {
    if (!isRecord(b)) continue
    if (b.type === 'tool_result') {
      const result = b as Extract<AnthropicBlock, { type: 'tool_result' }>
      out.push({ role: 'tool', tool_call_id: String(result.tool_use_id ?? ''), content: toolResultText(result, parts) })
    } else {
      const part = userPart(b)
      if (part) parts.push(part)
    }
  }
  if (parts.length === 0) return
  if (parts.every((p) => p.type === 'text')) {
    out.push({ role: 'user', content: parts.map((p) => (p as { text: string }).text).join('\n') })
  } else {
    out.push({ role: 'user', content: parts })
  }
}

function userPart(b: Json): OpenAIContentPart | undefined {
  switch (b.type) {
    case 'text':
      return typeof b.text === 'string' ? { type: 'text', text: b.text } : undefined
    case 'image': {
      const url = urlFromImageSource(b.source as never)
      return url ? { type: 'image_url', image_url: { url } } : { type: 'text', text: '[image omitted: Anthropic file references cannot be sent to this backend]' }
    }
    case 'document': {
      const source = isRecord(b.source) ? b.source : {}
      if (source.type === 'text' && typeof source.data === 'string') return { type: 'text', text: source.data }
      if (source.type === 'base64' && typeof source.data === 'string') {
        const filename = typeof b.title === 'string' ? b.title : 'document.pdf'
        return { type: 'file', file: { file_data: `data:${String(source.media_type ?? 'application/pdf')};base64,${source.data}`, filename } }
      }
      return { type: 'text', text: '[document omitted: this backend cannot fetch it]' }
    }
    default:
      return undefined // thinking blocks in a user turn, search results, etc.
  }
}

/** Tool messages carry text; images a tool returned travel on in the following user message. */
function toolResultText(result: Extract<AnthropicBlock, { type: 'tool_result' }>, carry: OpenAIContentPart[]): string {
  let text = ''
  if (typeof result.content === 'string') text = result.content
  else if (Array.isArray(result.content)) {
    const texts: string[] = []
    for (const c of result.content) {
      if (!isRecord(c)) continue
      if (c.type === 'text' && typeof c.text === 'string') texts.push(c.text)
      else if (c.type === 'image') {
        const part = userPart(c)
        if (part) carry.push(part)
        texts.push('[image attached below]')
      }
    }
    text = texts.join('\n')
  }
  return result.is_error === true ? `Error: ${text}` : text
}

/** Client tools become functions; Anthropic server tools (web search, code execution, …) have no schema and are dropped. */
function toOpenAITool(tool: AnthropicTool): OpenAITool[] {
  if (!isRecord(tool) || typeof tool.name !== 'string' || !isRecord(tool.input_schema)) return []
  const fn: NonNullable<OpenAITool['function']> = { name: tool.name, parameters: tool.input_schema }
  if (typeof tool.description === 'string') fn.description = tool.description
  return [{ type: 'function', function: fn }]
}

function toOpenAIToolChoice(choice: AnthropicToolChoice | undefined, tools: OpenAITool[]): OpenAIToolChoice | undefined {
  if (!isRecord(choice)) return undefined
  switch (choice.type) {
    case 'auto':
      return 'auto'
    case 'any':
      return 'required'
    case 'none':
      return 'none'
    case 'tool': {
      const name = (choice as { name?: unknown }).name
      // Forcing a tool that was dropped (or never sent) would be rejected upstream: fall back to "required".
      if (typeof name === 'string' && tools.some((t) => t.function?.name === name)) return { type: 'function', function: { name } }
      return 'required'
    }
    default:
      return undefined
  }
}
