// Error bodies for OpenAI clients: `{"error":{message,type,code,param}}`. An Anthropic error type
// the upstream gave is kept as `code`, since OpenAI clients branch on `type` by status.
import { openAIErrorType } from '../../common/errors'
import type { ErrorInfo } from '../canonical'
import { ANTHROPIC_ERROR_TYPES } from '../anthropicMessages/errors'
import { fallbackErrorMessage } from '../errors'
import type { OpenAIErrorBody } from './wire'

/** OpenAI clients do not know 529; it is "service unavailable" to them. */
export function openAIClientStatus(status: number): number {
  return status === 529 ? 503 : status
}

/** `status` undefined means "mid-stream". */
export function chatErrorBody(e: ErrorInfo | undefined, status?: number): OpenAIErrorBody {
  const clientStatus = openAIClientStatus(status ?? 500)
  const isAnthropicType = e?.type !== undefined && ANTHROPIC_ERROR_TYPES.has(e.type)
  return {
    error: {
      message: e?.message ?? fallbackErrorMessage(status),
      type: isAnthropicType || e?.type === undefined ? openAIErrorType(clientStatus) : e.type,
      code: e?.code ?? (isAnthropicType ? e!.type! : null),
      param: e?.param ?? null,
    },
  }
}
