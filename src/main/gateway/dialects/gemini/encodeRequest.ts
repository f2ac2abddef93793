// Canonical -> Gemini generateContent request, for Google's API. Gemini's rules are applied here:
// the model and streaming go in the path, system text (wherever it stood) becomes the
// systemInstruction, turns of one role merge, each function response names its tool, schemas go
// as JSON Schema (`parametersJsonSchema`, `responseJsonSchema`) so other dialects' schemas need no
// trimming to Gemini's OpenAPI subset, and the first function call of every model turn carries a
// thought signature — the real one, or the placeholder Google documents for calls it did not issue.
import type { CanonicalRequest, Message, ToolChoice, ToolDefinition } from '../canonical'
import { cappedMaxTokens, type EncodeRequestOptions, type EncodedRequest } from '../codec'
import { toolNamesById } from '../toolCallIds'
import { functionShapeOf } from '../tools'
import { SKIP_SIGNATURE, thinkingFor } from './mapping'
import { geminiModelParts, geminiUserParts } from './parts'
import { geminiPath } from './paths'
import type { GeminiContent, GeminiFunctionDeclaration, GeminiGenerationConfig, GeminiPart, GeminiRequest } from './wire'

export function encodeGeminiRequest(req: CanonicalRequest, opts: EncodeRequestOptions): EncodedRequest & { body: GeminiRequest } {
  const model = opts.upstreamModel ?? req.model
  const system: string[] = (req.system ?? []).map((p) => p.text).filter((t) => t !== '')
  const toolNames = toolNamesById(req.messages)
  const contents: GeminiContent[] = []
  for (const m of req.messages) appendMessage(contents, system, m, toolNames)
  for (const c of contents) if (c.role === 'model') signFirstCall(c.parts!)

  const out: GeminiRequest = { contents }
  if (system.length > 0) out.systemInstruction = { parts: [{ text: system.join('\n\n') }] }
  const declarations = (req.tools ?? []).map(toDeclaration)
  if (declarations.length > 0) {
    out.tools = [{ functionDeclarations: declarations }]
    const calling = toCallingConfig(req.toolChoice, req.tools ?? [])
    if (calling) out.toolConfig = { functionCallingConfig: calling }
  }
  const config = generationConfig(req, opts, model)
  if (Object.keys(config).length > 0) out.generationConfig = config
  return { path: geminiPath(model, req.stream ? 'streamGenerateContent' : 'generateContent'), body: out }
}

function appendMessage(contents: GeminiContent[], system: string[], m: Message, toolNames: ReadonlyMap<string, string>): void {
  if (m.role === 'system') {
    const text = m.content.map((p) => p.text).join('')
    if (text !== '') system.push(text)
    return
  }
  const role = m.role === 'assistant' ? 'model' : 'user'
  const parts = m.role === 'assistant' ? geminiModelParts(m.content) : geminiUserParts(m.content, toolNames)
  if (parts.length === 0) return
  const last = contents[contents.length - 1]
  if (last?.role === role) last.parts!.push(...parts)
  else contents.push({ role, parts })
}

/** Gemini 3 rejects a model turn whose first function call has no signature. */
function signFirstCall(parts: GeminiPart[]): void {
  const call = parts.find((p) => p.functionCall !== undefined)
  if (call && call.thoughtSignature === undefined) call.thoughtSignature = SKIP_SIGNATURE
}

function toDeclaration(tool: ToolDefinition): GeminiFunctionDeclaration {
  const shape = functionShapeOf(tool)
  const out: GeminiFunctionDeclaration = { name: shape.name }
  if (shape.description !== undefined) out.description = shape.description
  if (shape.parameters !== undefined) out.parametersJsonSchema = shape.parameters
  return out
}

function toCallingConfig(choice: ToolChoice | undefined, tools: ToolDefinition[]): NonNullable<GeminiRequest['toolConfig']>['functionCallingConfig'] {
  switch (choice?.type) {
    case undefined:
      return undefined
    case 'auto':
      return { mode: 'AUTO' }
    case 'none':
      return { mode: 'NONE' }
    case 'required':
      return { mode: 'ANY' }
    case 'tool':
      // Forcing a tool that was never declared would be rejected: any declared tool instead.
      return tools.some((t) => t.name === choice.name) ? { mode: 'ANY', allowedFunctionNames: [choice.name] } : { mode: 'ANY' }
  }
}

function generationConfig(req: CanonicalRequest, opts: EncodeRequestOptions, model: string): GeminiGenerationConfig {
  const s = req.sampling
  const out: GeminiGenerationConfig = {}
  if (s.temperature !== undefined) out.temperature = s.temperature
  if (s.topP !== undefined) out.topP = s.topP
  if (s.topK !== undefined) out.topK = s.topK
  if (s.maxOutputTokens !== undefined) out.maxOutputTokens = cappedMaxTokens(s.maxOutputTokens, opts)
  if (s.stopSequences && s.stopSequences.length > 0) out.stopSequences = s.stopSequences
  if (s.seed !== undefined) out.seed = s.seed
  if (s.presencePenalty !== undefined) out.presencePenalty = s.presencePenalty
  if (s.frequencyPenalty !== undefined) out.frequencyPenalty = s.frequencyPenalty
  const format = req.responseFormat
  if (format?.type === 'json_object' || format?.type === 'json_schema') out.responseMimeType = 'application/json'
  if (format?.type === 'json_schema') out.responseJsonSchema = format.schema
  const thinking = thinkingFor(req.reasoning, model)
  if (thinking) out.thinkingConfig = thinking
  return out
}
