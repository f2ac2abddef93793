// Responses-dialect pieces shared by its request, response and stream halves: status <-> stop
// reason, usage, item ids, content-part conversions.
import type { DocumentPart, ImagePart, Json, ReasoningPart, StopReason, TextPart, Usage } from '../canonical'
import { asString, count, invalidRequest, isRecord } from '../json'
import { sourceFromUrl, urlOfSource } from '../media'

export type ResponseStatus = 'completed' | 'incomplete'

/**
 * Anthropic's thinking signature rides in a reasoning item's encrypted_content, marked, because
 * that is what Responses clients (Codex) send back; Claude needs it to accept its thinking again.
 */
const SIGNATURE_MARK = 'anthropic-signature:'

export function encryptedContentOf(part: Pick<ReasoningPart, 'encryptedContent' | 'signature'>): string | undefined {
  if (part.encryptedContent !== undefined) return part.encryptedContent
  return part.signature ? SIGNATURE_MARK + part.signature : undefined
}

/** encrypted_content back into the part: OpenAI's opaque reasoning, or a marked Anthropic signature. */
export function readEncryptedContent(part: ReasoningPart, value: string): void {
  if (value.startsWith(SIGNATURE_MARK)) part.signature = value.slice(SIGNATURE_MARK.length)
  else part.encryptedContent = value
}

/** How a stop reason shows in a Response object: Codex and the SDK treat `incomplete` as a cut-short answer. */
export function statusOf(stop: StopReason): { status: ResponseStatus; incomplete_details: { reason: string } | null } {
  if (stop === 'max_tokens' || stop === 'context_window_exceeded') return { status: 'incomplete', incomplete_details: { reason: 'max_output_tokens' } }
  if (stop === 'content_filter' || stop === 'refusal') return { status: 'incomplete', incomplete_details: { reason: 'content_filter' } }
  return { status: 'completed', incomplete_details: null }
}

export function stopOf(status: unknown, incomplete: unknown, sawToolCall: boolean): StopReason {
  if (status === 'incomplete') {
    const reason = isRecord(incomplete) ? incomplete.reason : undefined
    return reason === 'content_filter' ? 'content_filter' : 'max_tokens'
  }
  return sawToolCall ? 'tool_use' : 'end_turn'
}

export function usageFromResponses(u: unknown): Usage | undefined {
  if (!isRecord(u)) return undefined
  const input = count(u.input_tokens)
  const inDetails = isRecord(u.input_tokens_details) ? u.input_tokens_details : {}
  const outDetails = isRecord(u.output_tokens_details) ? u.output_tokens_details : {}
  return {
    inputTokens: input,
    outputTokens: count(u.output_tokens),
    cachedInputTokens: Math.min(input, count(inDetails.cached_tokens)),
    cacheCreationInputTokens: count(inDetails.cache_write_tokens),
    reasoningTokens: count(outDetails.reasoning_tokens),
  }
}

export function responsesUsage(u: Usage): Json {
  const inputDetails: Json = { cached_tokens: u.cachedInputTokens }
  if (u.cacheCreationInputTokens > 0) inputDetails.cache_write_tokens = u.cacheCreationInputTokens
  return {
    input_tokens: u.inputTokens,
    input_tokens_details: inputDetails,
    output_tokens: u.outputTokens,
    output_tokens_details: { reasoning_tokens: u.reasoningTokens },
    total_tokens: u.inputTokens + u.outputTokens,
  }
}

/** Item ids derive from the response id, so an answer's ids are stable and tell their item kind. */
export function itemId(kind: 'msg' | 'rs' | 'fc' | 'ctc', responseId: string, outputIndex: number): string {
  return `${kind}_${responseId.startsWith('resp_') ? responseId.slice(5) : responseId}_${outputIndex}`
}

/** An input content part (input_text, input_image, input_file; output_text from replayed answers). */
export function inputPart(p: Json, param: string): Array<TextPart | ImagePart | DocumentPart> {
  switch (p.type) {
    case 'input_text':
    case 'output_text':
      return typeof p.text === 'string' ? [{ type: 'text', text: p.text }] : []
    case 'input_image': {
      const url = asString(p.image_url)
      const source = url !== undefined ? sourceFromUrl(url) : typeof p.file_id === 'string' ? ({ kind: 'file', fileId: p.file_id } as const) : undefined
      if (!source) throw invalidRequest('input_image needs image_url as a data: URL or an http(s) URL, or a file_id', param)
      const image: ImagePart = { type: 'image', source }
      if (typeof p.detail === 'string') image.detail = p.detail
      return [image]
    }
    case 'input_file': {
      const data = asString(p.file_data)
      const source = data !== undefined ? sourceFromUrl(data, 'application/pdf') : typeof p.file_url === 'string' ? ({ kind: 'url', url: p.file_url } as const) : typeof p.file_id === 'string' ? ({ kind: 'file', fileId: p.file_id } as const) : undefined
      if (!source) throw invalidRequest('input_file needs file_data as a base64 data: URL, a file_url or a file_id', param)
      const doc: DocumentPart = { type: 'document', source }
      if (typeof p.filename === 'string') doc.filename = p.filename
      return [doc]
    }
    default:
      throw invalidRequest(`content type "${String(p.type)}" cannot be translated for this backend`, param)
  }
}

/** A canonical content part as a Responses input part. */
export function responsesInputPart(p: TextPart | ImagePart | DocumentPart): Json {
  if (p.type === 'text') return { type: 'input_text', text: p.text }
  if (p.type === 'image') {
    if (p.source.kind === 'file') return { type: 'input_image', file_id: p.source.fileId, detail: p.detail ?? 'auto' }
    return { type: 'input_image', image_url: urlOfSource(p.source), detail: p.detail ?? 'auto' }
  }
  const source = p.source
  if (source.kind === 'text') return { type: 'input_text', text: source.data }
  if (source.kind === 'file') return { type: 'input_file', file_id: source.fileId }
  if (source.kind === 'url') return { type: 'input_file', file_url: source.url }
  return { type: 'input_file', file_data: urlOfSource(source, 'application/pdf'), filename: p.filename ?? p.title ?? 'document.pdf' }
}
