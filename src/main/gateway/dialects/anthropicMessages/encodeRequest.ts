// Canonical -> Anthropic Messages request. Anthropic's own rules are applied here: alternating
// turns, tool results first in a user turn, no empty text blocks, no trailing whitespace in a
// prefill, tool ids in its alphabet, max_tokens always present, temperature within 0-1, thinking
// passed back only with the signature Anthropic issued for it.
import type { AssistantPart, CanonicalRequest, Message, ToolChoice, ToolDefinition, UserPart } from '../canonical'
import { cappedMaxTokens, type EncodeRequestOptions, type EncodedRequest } from '../codec'
import { argumentsOf, functionShapeOf, toolInputFromArguments } from '../tools'
import { anthropicDocument, anthropicImage, anthropicToolId } from './mapping'
import type { AnthropicBlock, AnthropicMessageParam, AnthropicRequest, AnthropicTool, AnthropicToolChoice } from './wire'

export const DEFAULT_MAX_TOKENS = 4096
const JSON_OBJECT_INSTRUCTION = 'Respond with a single valid JSON object and nothing else.'
const EFFORT_SHARE: Record<string, number> = { low: 0.25, medium: 0.5, high: 0.8 }

export function encodeAnthropicRequest(req: CanonicalRequest, opts: EncodeRequestOptions): EncodedRequest {
  const system: string[] = (req.system ?? []).map((p) => p.text).filter((t) => t !== '')
  const messages: AnthropicMessageParam[] = []
  for (const m of req.messages) appendMessage(system, messages, m)
  finishMessages(messages)

  const s = req.sampling
  const max = s.maxOutputTokens ?? opts.defaultMaxTokens ?? DEFAULT_MAX_TOKENS
  const out: AnthropicRequest = { model: opts.upstreamModel ?? req.model, max_tokens: cappedMaxTokens(max, opts), messages }
  if (s.temperature !== undefined) out.temperature = Math.min(1, Math.max(0, s.temperature)) // OpenAI's range is 0-2
  if (s.topP !== undefined) out.top_p = s.topP
  if (s.topK !== undefined) out.top_k = s.topK
  if (s.stopSequences && s.stopSequences.length > 0) out.stop_sequences = s.stopSequences
  if (req.stream) out.stream = true
  if (req.user) out.metadata = { user_id: req.user }

  const tools = (req.tools ?? []).map(toAnthropicTool)
  if (tools.length > 0) {
    out.tools = tools
    const choice = toAnthropicToolChoice(req.toolChoice, req.parallelToolCalls === false)
    if (choice) out.tool_choice = choice
  }
  const format = req.responseFormat
  // Anthropic has no JSON mode: the instruction is the documented way to ask for JSON.
  if (format?.type === 'json_object') system.push(JSON_OBJECT_INSTRUCTION)
  if (format?.type === 'json_schema') out.output_config = { format: { type: 'json_schema', schema: format.schema } }
  if (system.length > 0) out.system = system.join('\n\n')
  if (opts.mapReasoningEffort) applyReasoningEffort(out, req.reasoning?.effort)
  return { path: '/v1/messages', body: out }
}

function appendMessage(system: string[], out: AnthropicMessageParam[], m: Message): void {
  if (m.role === 'system') {
    const text = m.content.map((p) => p.text).join('')
    if (text !== '') system.push(text)
  } else if (m.role === 'user') {
    push(out, 'user', m.content.flatMap(userBlock))
  } else {
    push(out, 'assistant', m.content.flatMap(assistantBlock))
  }
}

/** Anthropic wants alternating turns: consecutive messages of one role (tool results and the user text after them) merge. */
function push(out: AnthropicMessageParam[], role: 'user' | 'assistant', blocks: AnthropicBlock[]): void {
  if (blocks.length === 0) return
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

function userBlock(p: UserPart): AnthropicBlock[] {
  switch (p.type) {
    case 'text':
      return p.text === '' ? [] : [{ type: 'text', text: p.text }]
    case 'image':
      return [anthropicImage(p)]
    case 'document':
      return [anthropicDocument(p)]
    case 'tool_result': {
      const block: AnthropicBlock = { type: 'tool_result', tool_use_id: anthropicToolId(p.callId, 'call') }
      const content = p.content.flatMap((c) => (c.type === 'text' ? (c.text === '' ? [] : [{ type: 'text', text: c.text }]) : userBlock(c)))
      if (content.length === 1 && content[0]!.type === 'text') block.content = (content[0] as { text: string }).text
      else if (content.length > 0) block.content = content
      if (p.isError) block.is_error = true
      return [block]
    }
  }
}

function assistantBlock(p: AssistantPart): AnthropicBlock[] {
  switch (p.type) {
    case 'text':
    case 'refusal':
      return p.text === '' ? [] : [{ type: 'text', text: p.text }]
    case 'reasoning':
      // Thinking goes back only with the signature Anthropic issued; unsigned reasoning from other backends is dropped.
      if (p.redactedData !== undefined) return [{ type: 'redacted_thinking', data: p.redactedData }]
      if (typeof p.signature === 'string' && p.signature !== '') return [{ type: 'thinking', thinking: p.text ?? p.summary?.join('\n\n') ?? '', signature: p.signature }]
      return []
    case 'tool_call':
      return [{ type: 'tool_use', id: anthropicToolId(p.id, 'call'), name: p.name, input: toolInputFromArguments(argumentsOf(p)) }]
  }
}

function toAnthropicTool(tool: ToolDefinition): AnthropicTool {
  const shape = functionShapeOf(tool)
  const out: AnthropicTool = { name: shape.name, input_schema: shape.parameters ?? { type: 'object', properties: {} } }
  if (shape.description !== undefined) out.description = shape.description
  return out
}

function toAnthropicToolChoice(choice: ToolChoice | undefined, noParallel: boolean): AnthropicToolChoice | undefined {
  if (choice?.type === 'none') return { type: 'none' }
  let out: AnthropicToolChoice | undefined
  if (choice?.type === 'required') out = { type: 'any' }
  else if (choice?.type === 'auto') out = { type: 'auto' }
  else if (choice?.type === 'tool') out = { type: 'tool', name: choice.name }
  if (noParallel) out = { ...(out ?? { type: 'auto' }), disable_parallel_tool_use: true } as AnthropicToolChoice
  return out
}

/** Extended thinking needs budget_tokens >= 1024 and < max_tokens, no forced tool, default temperature. */
function applyReasoningEffort(out: AnthropicRequest, effort: string | undefined): void {
  const share = effort === undefined ? undefined : EFFORT_SHARE[effort]
  const max = out.max_tokens ?? 0
  if (share === undefined || max <= 1024) return
  if (out.tool_choice?.type === 'any' || out.tool_choice?.type === 'tool') return
  out.thinking = { type: 'enabled', budget_tokens: Math.min(max - 1, Math.max(1024, Math.floor(max * share))) }
  delete out.temperature
  if (typeof out.top_p === 'number' && out.top_p < 0.95) delete out.top_p
}
