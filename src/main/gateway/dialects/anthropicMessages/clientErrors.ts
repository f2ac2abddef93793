// Errors for clients of the Anthropic routes (/v1/messages, /v1/messages/count_tokens): the same
// GatewayError every stage throws, rendered as Anthropic's `{"type":"error","error":{type,message}}`.
import type { ServerResponse } from 'node:http'
import type { GatewayError } from '../../common/errors'
import { sendJson } from '../../common/respond'
import { anthropicErrorType } from './errors'
import type { AnthropicErrorBody } from './wire'
import { namedSse } from '../sse'

export function anthropicErrorBody(err: GatewayError, requestId?: string): AnthropicErrorBody {
  const body: AnthropicErrorBody = { type: 'error', error: { type: anthropicErrorType(err.status), message: err.message } }
  if (requestId !== undefined) body.request_id = requestId
  return body
}

/** Every error a client of the Anthropic routes sees before its response started goes through here. */
export function sendAnthropicError(res: ServerResponse, err: GatewayError, requestId?: string): void {
  const headers: Record<string, string> = {}
  if (err.retryAfterSec !== undefined) headers['retry-after'] = String(Math.max(1, Math.ceil(err.retryAfterSec)))
  if (requestId !== undefined) headers['request-id'] = requestId
  sendJson(res, err.status, anthropicErrorBody(err, requestId), headers)
}

/** A failure after the stream began: Anthropic streams end with an `error` event. */
export function anthropicStreamError(err: GatewayError): string {
  return namedSse(anthropicErrorBody(err))
}
