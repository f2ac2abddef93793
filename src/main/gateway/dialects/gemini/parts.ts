// Gemini parts <-> canonical parts, for model turns (requests' history and answers alike) and
// user turns.
//
// Thought signatures: Gemini puts one on whichever part follows its thinking (a function call, a
// text part, or an empty text part at the end), and needs it back on that part. Canonically a
// signature is reasoning, so a signed non-thought part reads as reasoning-then-part: the signature
// joins the thought summary just before it when there is one (so a Claude client sees one signed
// thinking block), else it becomes a reasoning part of its own. Encoding reverses that: thought
// text goes as thought parts, and a signature rides on the next non-thought part.
import type { AssistantPart, DocumentPart, ImagePart, Json, ReasoningPart, TextPart, UserPart } from '../canonical'
import { asString, invalidRequest, isRecord, records } from '../json'
import type { ToolCallPairing } from '../toolCallIds'
import { argumentsFromToolInput, argumentsOf, toolInputFromArguments } from '../tools'
import { geminiMediaPart, mediaFromPart, realSignature } from './mapping'
import type { GeminiPart } from './wire'

/**
 * A model turn's parts -> canonical, appended to `out` (a turn may come as several contents: the
 * SDK's chat history keeps one per streamed chunk). `callId` names a call: its own id, or one
 * made up from its position.
 */
export function assistantPartsOf(parts: Json[], callId: (call: Json, n: number) => string, out: AssistantPart[] = []): AssistantPart[] {
  let calls = 0
  for (const p of parts) {
    const signature = realSignature(p.thoughtSignature)
    if (p.thought === true) {
      appendThought(out, asString(p.text) ?? '', signature)
      continue
    }
    if (signature !== undefined) attachSignature(out, signature)
    if (isRecord(p.functionCall)) {
      const call = p.functionCall
      out.push({ type: 'tool_call', kind: 'function', id: callId(call, calls++), name: asString(call.name) ?? '', arguments: argumentsFromToolInput(call.args ?? {}) })
    } else if (typeof p.text === 'string' && p.text !== '') {
      out.push({ type: 'text', text: p.text })
    }
    // Code execution, generated media: nothing another dialect can show or send back.
  }
  return out
}

/** Consecutive thought parts are pieces of one summary (a stream sends one per chunk). */
function appendThought(out: AssistantPart[], text: string, signature: string | undefined): void {
  const last = out[out.length - 1]
  if (last?.type === 'reasoning' && last.signature === undefined && last.summary !== undefined && text !== '') {
    last.summary[0] += text
    if (signature !== undefined) last.signature = signature
    return
  }
  const part: ReasoningPart = { type: 'reasoning' }
  if (text !== '') part.summary = [text]
  if (signature !== undefined) part.signature = signature
  if (part.summary || part.signature) out.push(part)
}

function attachSignature(out: AssistantPart[], signature: string): void {
  const last = out[out.length - 1]
  if (last?.type === 'reasoning' && last.signature === undefined && last.redactedData === undefined && last.encryptedContent === undefined) last.signature = signature
  else out.push({ type: 'reasoning', signature })
}

/**
 * Canonical assistant parts -> Gemini parts. Reasoning other backends issued in opaque form
 * (redacted or encrypted) means nothing to Gemini and is left out.
 */
export function geminiModelParts(parts: readonly AssistantPart[]): GeminiPart[] {
  const out: GeminiPart[] = []
  let pending: string | undefined
  const push = (p: GeminiPart): void => {
    if (pending !== undefined) p.thoughtSignature = pending
    pending = undefined
    out.push(p)
  }
  for (const part of parts) {
    switch (part.type) {
      case 'reasoning': {
        const text = part.text ?? part.summary?.join('\n\n')
        if (text) out.push({ text, thought: true })
        if (part.signature) {
          if (pending !== undefined) push({ text: '' })
          pending = part.signature
        }
        break
      }
      case 'text':
      case 'refusal':
        if (part.text !== '') push({ text: part.text })
        break
      case 'tool_call': {
        const call: GeminiPart['functionCall'] = { name: part.name, args: toolInputFromArguments(argumentsOf(part)) }
        if (part.id !== '') call.id = part.id
        push({ functionCall: call })
        break
      }
    }
  }
  if (pending !== undefined) push({ text: '' })
  return out
}

/** The parts of `contents[index]`, a user turn -> canonical; function responses pair with their calls through `pairing`. */
export function userPartsOf(parts: Json[], pairing: ToolCallPairing, index: number): UserPart[] {
  return parts.flatMap((p, j): UserPart[] => {
    const param = `contents[${index}].parts[${j}]`
    if (p.thought === true) return []
    if (typeof p.text === 'string') return p.text === '' ? [] : [{ type: 'text', text: p.text }]
    if (isRecord(p.functionResponse)) {
      const r = p.functionResponse
      const callId = pairing.result(asString(r.name), asString(r.id), `call_${index}_${j}`)
      return [{ type: 'tool_result', callId, ...toolResultContent(r.response, records(r.parts), param) }]
    }
    if (p.inlineData !== undefined || p.fileData !== undefined) return [media(p, param)]
    return [] // executable code and its results ran on Google's side
  })
}

function media(p: Json, param: string): ImagePart | DocumentPart {
  const part = mediaFromPart(p)
  if (!part) throw invalidRequest('audio and video parts cannot be translated for this backend', param)
  return part
}

/** gemini-cli and the SDK docs answer `{output}` or `{error}`; any other object goes on as JSON. */
function toolResultContent(response: unknown, parts: Json[], param: string): { content: Array<TextPart | ImagePart | DocumentPart>; isError?: boolean } {
  const content: Array<TextPart | ImagePart | DocumentPart> = []
  let isError: boolean | undefined
  if (isRecord(response)) {
    const keys = Object.keys(response)
    if (keys.length === 1 && typeof response.output === 'string') {
      if (response.output !== '') content.push({ type: 'text', text: response.output })
    }
    else if (keys.length === 1 && typeof response.error === 'string') {
      content.push({ type: 'text', text: response.error })
      isError = true
    } else if (keys.length > 0) content.push({ type: 'text', text: JSON.stringify(response) })
  }
  content.push(...parts.map((p, k) => media(p, `${param}.functionResponse.parts[${k}]`)))
  return isError ? { content, isError } : { content }
}

/**
 * Canonical user parts -> Gemini parts. A tool result names its tool (Gemini requires it); images
 * it returned follow it as parts of their own, which every Gemini model reads.
 */
export function geminiUserParts(parts: readonly UserPart[], toolNames: ReadonlyMap<string, string>): GeminiPart[] {
  return parts.flatMap((p): GeminiPart[] => {
    switch (p.type) {
      case 'text':
        return p.text === '' ? [] : [{ text: p.text }]
      case 'image':
      case 'document':
        return [geminiMediaPart(p)]
      case 'tool_result': {
        const text = p.content.flatMap((c) => (c.type === 'text' ? [c.text] : [])).join('\n')
        const response = p.isError ? { error: text } : { output: text }
        const siblings = p.content.flatMap((c) => (c.type === 'text' ? [] : [geminiMediaPart(c)]))
        return [{ functionResponse: { id: p.callId, name: toolNames.get(p.callId) ?? p.callId, response } }, ...siblings]
      }
    }
  })
}
