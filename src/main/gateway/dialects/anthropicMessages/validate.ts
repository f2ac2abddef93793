// Ingress checks for POST /v1/messages and /v1/messages/count_tokens, before routing.
import type { IncomingHttpHeaders } from 'node:http'
import { GatewayError } from '../../common/errors'
import type { AnthropicRequest } from './wire'

/**
 * The client's key: Anthropic SDKs send `x-api-key`; Claude Code with ANTHROPIC_AUTH_TOKEN sends
 * `Authorization: Bearer`. Both are accepted (DESIGN §5a); only `sy-` app keys mean anything.
 */
export function anthropicClientKey(headers: IncomingHttpHeaders): string | undefined {
  const key = headers['x-api-key']
  if (typeof key === 'string' && key !== '') return key
  const auth = headers.authorization
  if (typeof auth === 'string') {
    const m = /^Bearer\s+(.+)$/i.exec(auth.trim())
    if (m) return m[1]
  }
  return undefined
}

/** Shape checks the gateway itself needs (routing, translation); the rest is the upstream's to judge. */
export function validateAnthropicRequest(body: Record<string, unknown>, opts: { countTokens?: boolean } = {}): AnthropicRequest {
  if (typeof body.model !== 'string' || body.model === '') throw new GatewayError('invalid_request', 'model: Field required', { param: 'model' })
  if (!Array.isArray(body.messages)) throw new GatewayError('invalid_request', 'messages: Field required', { param: 'messages' })
  if (!opts.countTokens && body.max_tokens !== undefined && (typeof body.max_tokens !== 'number' || !Number.isInteger(body.max_tokens) || body.max_tokens < 1)) {
    throw new GatewayError('invalid_request', 'max_tokens: must be a positive integer', { param: 'max_tokens' })
  }
  return body as AnthropicRequest
}
