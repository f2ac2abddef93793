// Gemini generateContent / streamGenerateContent request -> canonical, as the @google/genai SDK
// and Gemini CLI send it. The model and streaming come from the URL (RequestTarget). Safety
// settings, built-in tools (search, code execution, URL context) and response modalities only
// mean something to Google and are left out; a `cachedContent` reference or several candidates
// cannot be reproduced elsewhere and fail with a 400.
import type { CanonicalRequest, Json, Message, ResponseFormat, TextPart, ToolChoice, ToolDefinition } from '../canonical'
import type { RequestTarget } from '../codec'
import { asNumber, asString, invalidRequest, isRecord, records, stopList } from '../json'
import { ToolCallPairing } from '../toolCallIds'
import { reasoningFromThinking } from './mapping'
import { assistantPartsOf, userPartsOf } from './parts'
import { jsonSchemaFromOpenApi } from './schema'

export function decodeGeminiRequest(body: unknown, target: RequestTarget = {}): CanonicalRequest {
  if (!isRecord(body)) throw invalidRequest('the request body must be a JSON object')
  const model = target.model ?? modelOfBody(body.model)
  if (!model) throw invalidRequest('the model must be named in the path (/v1beta/models/{model}:generateContent)', 'model')
  if (!Array.isArray(body.contents)) throw invalidRequest('"contents" must be an array', 'contents')
  if (typeof body.cachedContent === 'string') throw invalidRequest('"cachedContent" refers to a cache on Google\'s side and cannot be translated for this backend', 'cachedContent')
  const config = isRecord(body.generationConfig) ? body.generationConfig : {}
  if (typeof config.candidateCount === 'number' && config.candidateCount > 1) {
    throw invalidRequest('"candidateCount" greater than 1 cannot be translated for this backend; send separate requests', 'generationConfig.candidateCount')
  }
  const out: CanonicalRequest = {
    model,
    messages: decodeContents(body.contents),
    sampling: {
      temperature: asNumber(config.temperature),
      topP: asNumber(config.topP),
      topK: asNumber(config.topK),
      maxOutputTokens: asNumber(config.maxOutputTokens),
      seed: asNumber(config.seed),
      presencePenalty: asNumber(config.presencePenalty),
      frequencyPenalty: asNumber(config.frequencyPenalty),
    },
    stream: target.stream ?? false,
  }
  const stop = stopList(config.stopSequences)
  if (stop.length > 0) out.sampling.stopSequences = stop
  const system = isRecord(body.systemInstruction) ? textOf(body.systemInstruction.parts) : typeof body.systemInstruction === 'string' ? [{ type: 'text' as const, text: body.systemInstruction }] : []
  if (system.length > 0) out.system = system
  const tools = records(body.tools).flatMap((t) => records(t.functionDeclarations).flatMap(decodeDeclaration))
  if (tools.length > 0) out.tools = tools
  const choice = decodeToolConfig(body.toolConfig)
  if (choice) out.toolChoice = choice
  const format = decodeResponseFormat(config)
  if (format) out.responseFormat = format
  const reasoning = reasoningFromThinking(config.thinkingConfig)
  if (reasoning) out.reasoning = reasoning
  return out
}

function modelOfBody(model: unknown): string | undefined {
  if (typeof model !== 'string' || model === '') return undefined
  return model.startsWith('models/') ? model.slice('models/'.length) : model
}

/**
 * Consecutive contents of one role are one turn: the SDK's chat history keeps each streamed chunk
 * as a content of its own, and a thought summary and the signature after it must meet.
 */
function decodeContents(contents: unknown[]): Message[] {
  const pairing = new ToolCallPairing()
  const messages: Message[] = []
  contents.forEach((c, i) => {
    if (!isRecord(c)) throw invalidRequest(`contents[${i}] must be an object`, `contents[${i}]`)
    const parts = records(c.parts)
    const last = messages[messages.length - 1]
    switch (c.role ?? 'user') {
      case 'model': {
        const into = last?.role === 'assistant' ? last.content : undefined
        const content = assistantPartsOf(parts, (call, n) => pairing.call(asString(call.name) ?? '', asString(call.id), `call_${i}_${n}`), into)
        if (!into) messages.push({ role: 'assistant', content })
        return
      }
      case 'user':
      case 'function': {
        // the role older clients gave function responses
        const content = userPartsOf(parts, pairing, i)
        if (last?.role === 'user') last.content.push(...content)
        else messages.push({ role: 'user', content })
        return
      }
      default:
        throw invalidRequest(`contents[${i}].role must be "user" or "model"`, `contents[${i}].role`)
    }
  })
  return messages
}

function textOf(parts: unknown): TextPart[] {
  return records(parts).flatMap((p): TextPart[] => (typeof p.text === 'string' && p.text !== '' && p.thought !== true ? [{ type: 'text', text: p.text }] : []))
}

function decodeDeclaration(d: Json): ToolDefinition[] {
  if (typeof d.name !== 'string') return []
  const out: ToolDefinition = { kind: 'function', name: d.name }
  if (typeof d.description === 'string') out.description = d.description
  if (isRecord(d.parametersJsonSchema)) out.parameters = d.parametersJsonSchema
  else if (isRecord(d.parameters)) out.parameters = jsonSchemaFromOpenApi(d.parameters)
  return [out]
}

/** ANY limited to one function is forcing that function; limited to several, any of them (the limit itself is lost). */
function decodeToolConfig(config: unknown): ToolChoice | undefined {
  const calling = isRecord(config) && isRecord(config.functionCallingConfig) ? config.functionCallingConfig : undefined
  if (!calling) return undefined
  switch (calling.mode) {
    case 'AUTO':
    case 'VALIDATED':
      return { type: 'auto' }
    case 'NONE':
      return { type: 'none' }
    case 'ANY': {
      const names = Array.isArray(calling.allowedFunctionNames) ? calling.allowedFunctionNames.filter((n): n is string => typeof n === 'string') : []
      return names.length === 1 ? { type: 'tool', name: names[0]! } : { type: 'required' }
    }
    default:
      return undefined
  }
}

function decodeResponseFormat(config: Json): ResponseFormat | undefined {
  if (config.responseMimeType !== 'application/json') return undefined
  if (isRecord(config.responseJsonSchema)) return { type: 'json_schema', schema: config.responseJsonSchema }
  if (isRecord(config.responseSchema)) return { type: 'json_schema', schema: jsonSchemaFromOpenApi(config.responseSchema) }
  return { type: 'json_object' }
}
