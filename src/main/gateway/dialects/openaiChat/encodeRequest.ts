// Canonical -> OpenAI Chat Completions request, for OpenAI-compatible upstreams (vLLM, Ollama,
// LM Studio, llama.cpp, DeepSeek, OpenAI). Features chat servers lack are dropped, not failed:
// Claude Code sends several (cache_control, top_k, thinking budgets, server tools) on every call.
import type { AssistantPart, CanonicalRequest, ImagePart, DocumentPart, Message, ToolChoice, ToolDefinition, UserPart } from '../canonical'
import { cappedMaxTokens, type EncodeRequestOptions, type EncodedRequest } from '../codec'
import { urlOfSource } from '../media'
import { argumentsOf, functionShapeOf } from '../tools'
import { reasoningText } from './mapping'
import type { OpenAIContentPart, OpenAIMessage, OpenAIRequest, OpenAITool, OpenAIToolCall, OpenAIToolChoice } from './wire'

export function encodeChatRequest(req: CanonicalRequest, opts: EncodeRequestOptions): EncodedRequest {
  const messages: OpenAIMessage[] = []
  const system = (req.system ?? []).map((p) => p.text).join('\n\n')
  if (system !== '') messages.push({ role: 'system', content: system })
  for (const m of req.messages) appendMessage(messages, m, opts)

  const out: OpenAIRequest = { model: opts.upstreamModel ?? req.model, messages }
  const s = req.sampling
  if (s.maxOutputTokens !== undefined) out[opts.maxTokensField ?? 'max_tokens'] = cappedMaxTokens(s.maxOutputTokens, opts)
  if (s.temperature !== undefined) out.temperature = s.temperature
  if (s.topP !== undefined) out.top_p = s.topP
  if (s.stopSequences && s.stopSequences.length > 0) out.stop = s.stopSequences
  if (s.seed !== undefined) out.seed = s.seed
  if (s.frequencyPenalty !== undefined) out.frequency_penalty = s.frequencyPenalty
  if (s.presencePenalty !== undefined) out.presence_penalty = s.presencePenalty
  if (req.stream) {
    out.stream = true
    out.stream_options = { include_usage: true } // metering needs the usage chunk
  }
  if (req.user) out.user = req.user

  const tools = (req.tools ?? []).map(toChatTool)
  // tool_choice without tools (or with only server tools a decoder dropped) is dropped, not an error.
  if (tools.length > 0) {
    out.tools = tools
    const choice = toChatToolChoice(req.toolChoice, req.tools ?? [])
    if (choice !== undefined) out.tool_choice = choice
    if (req.parallelToolCalls === false) out.parallel_tool_calls = false
  }
  const format = req.responseFormat
  if (format?.type === 'json_object') out.response_format = { type: 'json_object' }
  if (format?.type === 'json_schema') {
    const spec: NonNullable<OpenAIRequest['response_format']>['json_schema'] = { name: format.name ?? 'output', schema: format.schema }
    if (format.strict !== undefined) spec.strict = format.strict
    out.response_format = { type: 'json_schema', json_schema: spec }
  }
  if (req.reasoning?.effort !== undefined) out.reasoning_effort = req.reasoning.effort
  if (req.promptCacheKey !== undefined) out.prompt_cache_key = req.promptCacheKey
  return { path: '/chat/completions', body: out }
}

function appendMessage(out: OpenAIMessage[], m: Message, opts: EncodeRequestOptions): void {
  switch (m.role) {
    case 'system': {
      const text = m.content.map((p) => p.text).join('')
      if (text !== '') out.push({ role: 'system', content: text })
      return
    }
    case 'user':
      appendUserMessages(out, m.content)
      return
    case 'assistant':
      out.push(assistantMessage(m.content, opts))
      return
  }
}

function assistantMessage(parts: AssistantPart[], opts: EncodeRequestOptions): OpenAIMessage {
  const reasoningField = opts.reasoningField ?? 'reasoning_content'
  const text: string[] = []
  const refusal: string[] = []
  const thinking: string[] = []
  const toolCalls: OpenAIToolCall[] = []
  for (const p of parts) {
    if (p.type === 'text') text.push(p.text)
    else if (p.type === 'refusal') refusal.push(p.text)
    else if (p.type === 'tool_call') toolCalls.push({ id: p.id, type: 'function', function: { name: p.name, arguments: argumentsOf(p) } })
    else {
      // Redacted or encrypted reasoning is opaque to every other backend.
      const t = reasoningText(p)
      if (t !== undefined) thinking.push(t)
    }
  }
  const msg: OpenAIMessage = { role: 'assistant', content: text.length > 0 ? text.join('') : toolCalls.length > 0 ? null : '' }
  if (refusal.length > 0) msg.refusal = refusal.join('')
  if (toolCalls.length > 0) msg.tool_calls = toolCalls
  if ((thinking.length > 0 || (opts.reasoningOnToolTurns && toolCalls.length > 0)) && reasoningField !== 'omit') {
    const reasoning = thinking.join('\n\n')
    if (reasoningField === 'reasoning_content' || reasoningField === 'both') msg.reasoning_content = reasoning
    if (reasoningField === 'reasoning' || reasoningField === 'both') msg.reasoning = reasoning
  }
  return msg
}

/**
 * A user turn may hold tool results and new input together. Chat wants each `tool` message right
 * after the assistant message that made the call, so tool results go first, in order, and the
 * turn's text and images follow as one user message.
 */
function appendUserMessages(out: OpenAIMessage[], parts: UserPart[]): void {
  const rest: OpenAIContentPart[] = []
  for (const p of parts) {
    if (p.type === 'tool_result') out.push({ role: 'tool', tool_call_id: p.callId, content: toolResultText(p, rest) })
    else rest.push(contentPart(p))
  }
  if (rest.length === 0) return
  if (rest.every((p) => p.type === 'text')) out.push({ role: 'user', content: rest.map((p) => (p as { text: string }).text).join('\n') })
  else out.push({ role: 'user', content: rest })
}

function contentPart(p: Exclude<UserPart, { type: 'tool_result' }>): OpenAIContentPart {
  if (p.type === 'text') return { type: 'text', text: p.text }
  if (p.type === 'image') return imagePart(p)
  return documentPart(p)
}

function imagePart(p: ImagePart): OpenAIContentPart {
  const url = urlOfSource(p.source)
  if (url === undefined) return { type: 'text', text: '[image omitted: a provider file reference cannot be sent to this backend]' }
  return { type: 'image_url', image_url: p.detail === undefined ? { url } : { url, detail: p.detail } }
}

function documentPart(p: DocumentPart): OpenAIContentPart {
  const source = p.source
  if (source.kind === 'text') return { type: 'text', text: source.data }
  if (source.kind === 'base64') {
    return { type: 'file', file: { file_data: `data:${source.mediaType || 'application/pdf'};base64,${source.data}`, filename: p.filename ?? p.title ?? 'document.pdf' } }
  }
  return { type: 'text', text: '[document omitted: this backend cannot fetch it]' }
}

/** Tool messages carry text; images a tool returned travel on in the following user message. */
function toolResultText(result: Extract<UserPart, { type: 'tool_result' }>, carry: OpenAIContentPart[]): string {
  const texts: string[] = []
  for (const c of result.content) {
    if (c.type === 'text') texts.push(c.text)
    else {
      carry.push(contentPart(c))
      texts.push(c.type === 'image' ? '[image attached below]' : '[document attached below]')
    }
  }
  const text = texts.join('\n')
  return result.isError === true ? `Error: ${text}` : text
}

/** Chat servers rarely know custom tools: every tool goes as a function (custom ones take one `input` string). */
function toChatTool(tool: ToolDefinition): OpenAITool {
  const shape = functionShapeOf(tool)
  const fn: NonNullable<OpenAITool['function']> = { name: shape.name }
  if (shape.parameters !== undefined) fn.parameters = shape.parameters
  if (shape.description !== undefined) fn.description = shape.description
  if (shape.strict !== undefined) fn.strict = shape.strict
  return { type: 'function', function: fn }
}

function toChatToolChoice(choice: ToolChoice | undefined, tools: ToolDefinition[]): OpenAIToolChoice | undefined {
  if (!choice) return undefined
  if (choice.type !== 'tool') return choice.type
  // Forcing a tool that was dropped (or never sent) would be rejected upstream: fall back to "required".
  return tools.some((t) => t.name === choice.name) ? { type: 'function', function: { name: choice.name } } : 'required'
}
