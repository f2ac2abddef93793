// Canonical -> Ollama `/api/chat` request, for Ollama servers reached through their native API.
// `stream` is always stated (Ollama streams by default). Messages carry plain text: text parts
// join, images go as bare base64 (images behind a URL or in a provider's file store cannot reach
// a local server and leave a note in the text), each tool result names its call and its tool, and
// reasoning goes back as `thinking` (signatures and encrypted reasoning mean nothing to Ollama).
// Ollama has no tool_choice: "none" sends no tools, the others are the model's default.
import type { CanonicalRequest, DocumentPart, ImagePart, Message, ToolDefinition, UserPart } from '../canonical'
import { cappedMaxTokens, type EncodeRequestOptions, type EncodedRequest } from '../codec'
import { toolNamesById } from '../toolCallIds'
import { functionShapeOf } from '../tools'
import { thinkFor } from './mapping'
import { ollamaAssistantMessage } from './response'
import type { OllamaChatRequest, OllamaMessage, OllamaOptions, OllamaTool } from './wire'

export function encodeOllamaRequest(req: CanonicalRequest, opts: EncodeRequestOptions): EncodedRequest & { body: OllamaChatRequest } {
  const messages: OllamaMessage[] = []
  const system = (req.system ?? []).map((p) => p.text).join('\n\n')
  if (system !== '') messages.push({ role: 'system', content: system })
  const toolNames = toolNamesById(req.messages)
  for (const m of req.messages) appendMessage(messages, m, toolNames)

  const out: OllamaChatRequest = { model: opts.upstreamModel ?? req.model, messages, stream: req.stream }
  const tools = req.toolChoice?.type === 'none' ? [] : (req.tools ?? []).map(toOllamaTool)
  if (tools.length > 0) out.tools = tools
  const format = req.responseFormat
  if (format?.type === 'json_object') out.format = 'json'
  if (format?.type === 'json_schema') out.format = format.schema
  const options = sampling(req, opts)
  if (Object.keys(options).length > 0) out.options = options
  const think = thinkFor(req.reasoning)
  if (think !== undefined) out.think = think
  return { path: '/api/chat', body: out }
}

function appendMessage(out: OllamaMessage[], m: Message, toolNames: ReadonlyMap<string, string>): void {
  switch (m.role) {
    case 'system': {
      const text = m.content.map((p) => p.text).join('')
      if (text !== '') out.push({ role: 'system', content: text })
      return
    }
    case 'user':
      appendUserMessages(out, m.content, toolNames)
      return
    case 'assistant':
      out.push(ollamaAssistantMessage(m.content))
      return
  }
}

/** Tool results first, each its own `tool` message, then the turn's text and images as one user message. */
function appendUserMessages(out: OllamaMessage[], parts: UserPart[], toolNames: ReadonlyMap<string, string>): void {
  const text: string[] = []
  const images: string[] = []
  const add = (p: Exclude<UserPart, { type: 'tool_result' }>): void => {
    if (p.type === 'text') text.push(p.text)
    else if (p.type === 'image' && p.source.kind === 'base64') images.push(p.source.data)
    else text.push(mediaNote(p))
  }
  for (const p of parts) {
    if (p.type !== 'tool_result') {
      add(p)
      continue
    }
    const result = p.content.flatMap((c) => (c.type === 'text' ? [c.text] : []))
    // Images a tool returned travel on in the user message that follows.
    for (const c of p.content) if (c.type !== 'text') add(c)
    const msg: OllamaMessage = { role: 'tool', content: p.isError ? `Error: ${result.join('\n')}` : result.join('\n'), tool_call_id: p.callId }
    const name = toolNames.get(p.callId)
    if (name !== undefined) msg.tool_name = name
    out.push(msg)
  }
  if (text.length === 0 && images.length === 0) return
  const msg: OllamaMessage = { role: 'user', content: text.join('\n') }
  if (images.length > 0) msg.images = images
  out.push(msg)
}

function mediaNote(p: ImagePart | DocumentPart): string {
  if (p.type === 'document' && p.source.kind === 'text') return p.source.data
  return `[${p.type} omitted: this backend only takes inline images]`
}

function toOllamaTool(tool: ToolDefinition): OllamaTool {
  const shape = functionShapeOf(tool)
  const fn: OllamaTool['function'] = { name: shape.name }
  if (shape.description !== undefined) fn.description = shape.description
  if (shape.parameters !== undefined) fn.parameters = shape.parameters
  return { type: 'function', function: fn }
}

function sampling(req: CanonicalRequest, opts: EncodeRequestOptions): OllamaOptions {
  const s = req.sampling
  const out: OllamaOptions = {}
  if (s.temperature !== undefined) out.temperature = s.temperature
  if (s.topP !== undefined) out.top_p = s.topP
  if (s.topK !== undefined) out.top_k = s.topK
  if (s.maxOutputTokens !== undefined) out.num_predict = cappedMaxTokens(s.maxOutputTokens, opts)
  if (s.stopSequences && s.stopSequences.length > 0) out.stop = s.stopSequences
  if (s.seed !== undefined) out.seed = s.seed
  if (s.presencePenalty !== undefined) out.presence_penalty = s.presencePenalty
  if (s.frequencyPenalty !== undefined) out.frequency_penalty = s.frequencyPenalty
  return out
}
