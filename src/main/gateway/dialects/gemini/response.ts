// Non-streamed GenerateContentResponse bodies, both ways. Only the first candidate counts (the
// decoder refuses candidateCount > 1). `modelVersion` reports the model the client asked for.
import type { CanonicalResponse } from '../canonical'
import type { ResponseContext } from '../codec'
import { asString, badUpstream, emptyUsage, isRecord, records } from '../json'
import { answerCallId } from '../toolCallIds'
import { geminiFinishReason, geminiUsage, stopFromGemini, usageFromGemini } from './mapping'
import { assistantPartsOf, geminiModelParts } from './parts'
import type { GeminiResponse } from './wire'

export function decodeGeminiResponse(body: unknown, ctx: ResponseContext): CanonicalResponse {
  if (!isRecord(body) || (!Array.isArray(body.candidates) && !isRecord(body.promptFeedback) && !isRecord(body.usageMetadata))) throw badUpstream('Gemini response')
  const candidate = records(body.candidates)[0] ?? {}
  const content = isRecord(candidate.content) ? candidate.content : {}
  const id = asString(body.responseId)
  const parts = assistantPartsOf(records(content.parts), (call, n) => asString(call.id) || answerCallId(id ?? ctx.messageId, n))
  // A prompt blocked before any candidate was generated comes back as promptFeedback alone.
  const blocked = isRecord(body.promptFeedback) && typeof body.promptFeedback.blockReason === 'string' && candidate.finishReason === undefined
  return {
    id,
    model: asString(body.modelVersion),
    content: parts,
    stopReason: blocked ? 'content_filter' : stopFromGemini(candidate.finishReason, parts.some((p) => p.type === 'tool_call')),
    usage: usageFromGemini(body.usageMetadata),
  }
}

/** An answer without parts still has an empty text part, as Google's do: the SDK's chat drops a turn whose content has none. */
export function encodeGeminiResponse(res: CanonicalResponse, ctx: ResponseContext): GeminiResponse {
  const parts = geminiModelParts(res.content)
  return {
    candidates: [{ content: { role: 'model', parts: parts.length > 0 ? parts : [{ text: '' }] }, finishReason: geminiFinishReason(res.stopReason), index: 0 }],
    usageMetadata: geminiUsage(res.usage ?? emptyUsage()),
    modelVersion: ctx.model,
    responseId: res.id ?? ctx.messageId ?? 'switchyard',
  }
}
