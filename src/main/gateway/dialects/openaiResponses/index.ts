// The OpenAI Responses codec (`POST /responses` under an OpenAI-style /v1 base), as Codex CLI and
// the openai SDK speak it.
import type { Codec } from '../codec'
import { chatErrorBody, openAIClientStatus } from '../openaiChat/errors'
import { decodeResponsesRequest } from './decodeRequest'
import { encodeResponsesRequest } from './encodeRequest'
import { decodeResponsesResponse, encodeResponsesResponse } from './response'
import { ResponsesStreamDecoder } from './streamDecoder'
import { ResponsesStreamEncoder } from './streamEncoder'

export const openaiResponses: Codec = {
  dialect: 'openai-responses',
  decodeRequest: decodeResponsesRequest,
  encodeRequest: encodeResponsesRequest,
  decodeResponse: decodeResponsesResponse,
  encodeResponse: encodeResponsesResponse,
  streamDecoder: () => new ResponsesStreamDecoder(),
  streamEncoder: (ctx) => new ResponsesStreamEncoder(ctx),
  // Before a stream starts, Responses errors have the same shape as every OpenAI endpoint's.
  errorBody: (error, status) => ({ status: openAIClientStatus(status ?? 500), body: chatErrorBody(error, status) }),
}
