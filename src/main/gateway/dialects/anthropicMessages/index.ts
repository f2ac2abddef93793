// The Anthropic Messages codec (`POST /v1/messages` under the API root).
import type { Codec } from '../codec'
import { decodeAnthropicRequest } from './decodeRequest'
import { encodeAnthropicRequest } from './encodeRequest'
import { anthropicErrorOf } from './errors'
import { decodeAnthropicResponse, encodeAnthropicResponse } from './response'
import { AnthropicStreamDecoder } from './streamDecoder'
import { AnthropicStreamEncoder } from './streamEncoder'

export const anthropicMessages: Codec = {
  dialect: 'anthropic-messages',
  decodeRequest: decodeAnthropicRequest,
  encodeRequest: encodeAnthropicRequest,
  decodeResponse: decodeAnthropicResponse,
  encodeResponse: encodeAnthropicResponse,
  streamDecoder: () => new AnthropicStreamDecoder(),
  streamEncoder: (ctx) => new AnthropicStreamEncoder(ctx),
  errorBody: (error, status) => ({ status: status ?? 500, body: anthropicErrorOf(error, status) }),
}
