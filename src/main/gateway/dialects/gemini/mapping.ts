// Gemini-dialect pieces shared by its request, response and stream halves: finish reasons, usage,
// thinking settings, media parts.
import type { DocumentPart, ImagePart, MediaSource, ReasoningConfig, StopReason, Usage } from '../canonical'
import { asNumber, asString, count, isRecord } from '../json'
import type { GeminiFinishReason, GeminiPart, GeminiThinkingConfig, GeminiUsageMetadata } from './wire'

/**
 * The signatures Google documents for function calls it did not issue (a conversation from another
 * model): Gemini 3 rejects a model turn whose first function call carries no signature, and
 * accepts these in its place. They mean "no signature", so the decoder drops them.
 */
export const SKIP_SIGNATURE = 'skip_thought_signature_validator'
const PLACEHOLDER_SIGNATURES = new Set([SKIP_SIGNATURE, 'context_engineering_is_the_way_to_go'])

export function realSignature(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' && !PLACEHOLDER_SIGNATURES.has(value) ? value : undefined
}

/**
 * STOP also ends a turn that called functions. Blocked answers (safety, recitation, blocklists)
 * are a content filter; a malformed or unexpected call ends the turn with what arrived, as
 * Gemini's own clients retry those themselves.
 */
export function stopFromGemini(reason: unknown, sawToolCall: boolean): StopReason {
  switch (reason) {
    case 'MAX_TOKENS':
      return 'max_tokens'
    case 'SAFETY':
    case 'RECITATION':
    case 'BLOCKLIST':
    case 'PROHIBITED_CONTENT':
    case 'SPII':
    case 'IMAGE_SAFETY':
    case 'IMAGE_PROHIBITED_CONTENT':
      return 'content_filter'
    default:
      return sawToolCall ? 'tool_use' : 'end_turn'
  }
}

export function geminiFinishReason(reason: StopReason): GeminiFinishReason {
  switch (reason) {
    case 'max_tokens':
    case 'context_window_exceeded':
      return 'MAX_TOKENS'
    case 'content_filter':
    case 'refusal':
      return 'SAFETY'
    default:
      return 'STOP' // end_turn, stop_sequence, tool_use, pause_turn
  }
}

/** promptTokenCount includes cached tokens; thoughts are counted apart from the answer's tokens. */
export function usageFromGemini(u: unknown): Usage | undefined {
  if (!isRecord(u)) return undefined
  const input = count(u.promptTokenCount) + count(u.toolUsePromptTokenCount)
  const thoughts = count(u.thoughtsTokenCount)
  return {
    inputTokens: input,
    outputTokens: count(u.candidatesTokenCount) + thoughts,
    cachedInputTokens: Math.min(input, count(u.cachedContentTokenCount)),
    cacheCreationInputTokens: 0,
    reasoningTokens: thoughts,
  }
}

export function geminiUsage(u: Usage): GeminiUsageMetadata {
  const out: GeminiUsageMetadata = { promptTokenCount: u.inputTokens, candidatesTokenCount: Math.max(0, u.outputTokens - u.reasoningTokens) }
  if (u.cachedInputTokens > 0) out.cachedContentTokenCount = u.cachedInputTokens
  if (u.reasoningTokens > 0) out.thoughtsTokenCount = u.reasoningTokens
  out.totalTokenCount = u.inputTokens + u.outputTokens
  return out
}

/**
 * thinkingConfig -> canonical: a level is an effort, a budget of 0 turns thinking off, a positive
 * budget is a budget (-1, "let the model decide", is the default and says nothing), and
 * includeThoughts asks for the reasoning back, as a Responses `summary` does.
 */
export function reasoningFromThinking(t: unknown): ReasoningConfig | undefined {
  if (!isRecord(t)) return undefined
  const out: ReasoningConfig = {}
  const level = asString(t.thinkingLevel)?.toLowerCase()
  const budget = asNumber(t.thinkingBudget)
  if (level && level !== 'thinking_level_unspecified') out.effort = level
  else if (budget === 0) out.effort = 'none'
  if (budget !== undefined && budget > 0) out.budgetTokens = budget
  if (t.includeThoughts === true) out.summary = 'auto'
  return Object.keys(out).length > 0 ? out : undefined
}

/** Token budgets for an effort on models that only take budgets (Gemini 2.x). */
const EFFORT_BUDGET: Record<string, number> = { none: 0, minimal: 512, low: 1024, medium: 8192, high: 24576, xhigh: 32768 }

/**
 * Canonical -> thinkingConfig. Gemini 2.x takes only budgets and rejects levels; Gemini 3 prefers
 * levels and still takes budgets (a request with both is rejected). So an effort goes as a level
 * only to a model named Gemini 3 or later, and as a budget to any other (aliases such as
 * `gemini-flash-latest` included). Thoughts come back whenever the client asked for any
 * reasoning, as clients of the other dialects expect.
 */
export function thinkingFor(reasoning: ReasoningConfig | undefined, model: string): GeminiThinkingConfig | undefined {
  if (!reasoning) return undefined
  const out: GeminiThinkingConfig = {}
  const effort = reasoning.effort?.toLowerCase()
  const budgetsOnly = !/gemini-([3-9]|\d{2,})(\.|-|$)/.test(model)
  if (reasoning.budgetTokens !== undefined) out.thinkingBudget = reasoning.budgetTokens
  else if (effort !== undefined && budgetsOnly && EFFORT_BUDGET[effort] !== undefined) out.thinkingBudget = EFFORT_BUDGET[effort]
  else if (effort !== undefined && !budgetsOnly) out.thinkingLevel = effort === 'none' ? 'MINIMAL' : effort === 'xhigh' ? 'HIGH' : effort.toUpperCase()
  if (effort !== 'none' && out.thinkingBudget !== 0) out.includeThoughts = true
  return Object.keys(out).length > 0 ? out : undefined
}

/** Google's own file store and Cloud Storage: references only Gemini can resolve. */
function isGoogleFile(uri: string): boolean {
  return uri.startsWith('gs://') || /^https:\/\/generativelanguage\.googleapis\.com\/.*\/files\//.test(uri)
}

/** inlineData / fileData -> an image or document; undefined for audio and video, which no other dialect carries. */
export function mediaFromPart(p: GeminiPart): ImagePart | DocumentPart | undefined {
  let source: MediaSource | undefined
  let mimeType = ''
  if (isRecord(p.inlineData) && typeof p.inlineData.data === 'string') {
    mimeType = asString(p.inlineData.mimeType) ?? ''
    source = { kind: 'base64', mediaType: mimeType, data: p.inlineData.data }
  } else if (isRecord(p.fileData) && typeof p.fileData.fileUri === 'string') {
    const uri = p.fileData.fileUri
    mimeType = asString(p.fileData.mimeType) ?? guessMimeType(uri) ?? ''
    source = isGoogleFile(uri) || !/^https?:\/\//i.test(uri) ? { kind: 'file', fileId: uri } : { kind: 'url', url: uri }
  }
  if (!source) return undefined
  if (mimeType.startsWith('image/')) return { type: 'image', source }
  if (mimeType.startsWith('audio/') || mimeType.startsWith('video/')) return undefined
  return { type: 'document', source }
}

/** An image or document as a Gemini part: bytes inline, references as fileData. */
export function geminiMediaPart(p: ImagePart | DocumentPart): GeminiPart {
  const source = p.source
  const fallback = p.type === 'image' ? 'image/png' : 'application/pdf'
  switch (source.kind) {
    case 'base64':
      return { inlineData: { mimeType: source.mediaType || fallback, data: source.data } }
    case 'text':
      return { text: source.data }
    case 'url':
    case 'file': {
      const fileUri = source.kind === 'url' ? source.url : source.fileId
      const mimeType = guessMimeType(fileUri) ?? (p.type === 'document' ? fallback : undefined)
      return { fileData: mimeType === undefined ? { fileUri } : { mimeType, fileUri } }
    }
  }
}

const EXTENSION_TYPES: Record<string, string> = { png: 'image/png', jpg: 'image/jpeg', jpeg: 'image/jpeg', gif: 'image/gif', webp: 'image/webp', heic: 'image/heic', pdf: 'application/pdf', txt: 'text/plain' }

function guessMimeType(uri: string): string | undefined {
  const m = /\.([a-z0-9]+)(?:[?#].*)?$/i.exec(uri)
  return m ? EXTENSION_TYPES[m[1]!.toLowerCase()] : undefined
}
