// Ollama `/api/chat` and `/api/generate` requests -> canonical (a body with `messages` is a chat;
// one without is a generate, which becomes a single-turn conversation). Ollama streams unless
// told `stream: false`. Model-runtime settings (keep_alive, num_ctx and the other load options,
// templates, `raw`, a previous `context`) only mean something to an Ollama server and are left
// out; fill-in-the-middle (`suffix`) has no counterpart elsewhere and fails with a 400.
import type { AssistantPart, CanonicalRequest, Message, ResponseFormat, ToolDefinition, UserPart } from '../canonical'
import { asNumber, asString, invalidRequest, isRecord, records, requireModel, stopList } from '../json'
import { ToolCallPairing } from '../toolCallIds'
import { imageMediaType, reasoningFromThink, toolCallOf } from './mapping'

export function decodeOllamaRequest(body: unknown): CanonicalRequest {
  const req = requireModel(body)
  const isChat = Array.isArray(req.messages)
  if (!isChat && req.messages !== undefined) throw invalidRequest('"messages" must be an array', 'messages')
  const options = isRecord(req.options) ? req.options : {}
  const out: CanonicalRequest = {
    model: req.model,
    messages: isChat ? decodeMessages(req.messages as unknown[]) : decodeGenerate(req),
    sampling: {
      temperature: asNumber(options.temperature),
      topP: asNumber(options.top_p),
      topK: asNumber(options.top_k),
      // -1 means "until the context is full", -2 "until it is full, then stop": no limit either way.
      maxOutputTokens: (asNumber(options.num_predict) ?? -1) > 0 ? asNumber(options.num_predict) : undefined,
      seed: asNumber(options.seed),
      presencePenalty: asNumber(options.presence_penalty),
      frequencyPenalty: asNumber(options.frequency_penalty),
    },
    stream: req.stream !== false,
  }
  const stop = stopList(options.stop)
  if (stop.length > 0) out.sampling.stopSequences = stop
  if (!isChat && typeof req.system === 'string' && req.system !== '') out.system = [{ type: 'text', text: req.system }]
  const tools = records(req.tools).flatMap(decodeTool)
  if (tools.length > 0) out.tools = tools
  const format = decodeFormat(req.format)
  if (format) out.responseFormat = format
  const reasoning = reasoningFromThink(req.think)
  if (reasoning) out.reasoning = reasoning
  return out
}

/** A prompt is one user turn; an empty prompt (Ollama's "load the model" request) is no turn at all. */
function decodeGenerate(req: Record<string, unknown>): Message[] {
  if (typeof req.suffix === 'string' && req.suffix !== '') throw invalidRequest('"suffix" (fill-in-the-middle) cannot be translated for this backend', 'suffix')
  const content: UserPart[] = [...images(req.images)]
  const prompt = asString(req.prompt) ?? ''
  if (prompt !== '') content.unshift({ type: 'text', text: prompt })
  return content.length > 0 ? [{ role: 'user', content }] : []
}

function decodeMessages(messages: unknown[]): Message[] {
  const pairing = new ToolCallPairing()
  return messages.map((m, i): Message => {
    if (!isRecord(m)) throw invalidRequest(`messages[${i}] must be an object`, `messages[${i}]`)
    const text = asString(m.content) ?? ''
    switch (String(m.role).toLowerCase()) {
      case 'system':
        return { role: 'system', content: text === '' ? [] : [{ type: 'text', text }] }
      case 'user': {
        const content: UserPart[] = text === '' ? [] : [{ type: 'text', text }]
        return { role: 'user', content: [...content, ...images(m.images)] }
      }
      case 'assistant': {
        const content: AssistantPart[] = []
        if (typeof m.thinking === 'string' && m.thinking !== '') content.push({ type: 'reasoning', text: m.thinking })
        if (text !== '') content.push({ type: 'text', text })
        records(m.tool_calls).forEach((call, k) => {
          const part = toolCallOf(call, `call_${i}_${k}`)
          if (part) content.push({ ...part, id: pairing.call(part.name, part.id, part.id) })
        })
        return { role: 'assistant', content }
      }
      case 'tool': {
        const callId = pairing.result(asString(m.tool_name), asString(m.tool_call_id), `call_${i}`)
        return { role: 'user', content: [{ type: 'tool_result', callId, content: text === '' ? [] : [{ type: 'text', text }] }] }
      }
      default:
        throw invalidRequest(`messages[${i}].role "${String(m.role)}" cannot be translated for this backend`, `messages[${i}].role`)
    }
  })
}

function images(value: unknown): UserPart[] {
  if (!Array.isArray(value)) return []
  return value.flatMap((data): UserPart[] => (typeof data === 'string' && data !== '' ? [{ type: 'image', source: { kind: 'base64', mediaType: imageMediaType(data), data } }] : []))
}

function decodeTool(tool: Record<string, unknown>): ToolDefinition[] {
  const fn = isRecord(tool.function) ? tool.function : undefined
  if (!fn || typeof fn.name !== 'string') return []
  const out: ToolDefinition = { kind: 'function', name: fn.name }
  if (typeof fn.description === 'string') out.description = fn.description
  if (isRecord(fn.parameters)) out.parameters = fn.parameters
  return [out]
}

function decodeFormat(format: unknown): ResponseFormat | undefined {
  if (format === 'json') return { type: 'json_object' }
  if (isRecord(format)) return { type: 'json_schema', schema: format }
  return undefined
}
