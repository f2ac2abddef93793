// The OpenAI Chat Completions codec (`POST /chat/completions` under an OpenAI-style /v1 base).
import type { Codec } from '../codec'
import { decodeChatRequest } from './decodeRequest'
import { encodeChatRequest } from './encodeRequest'
import { chatErrorBody, openAIClientStatus } from './errors'
import { decodeChatResponse, encodeChatResponse } from './response'
import { ChatStreamDecoder } from './streamDecoder'
import { ChatStreamEncoder } from './streamEncoder'

export const openaiChat: Codec = {
  dialect: 'openai-chat',
  decodeRequest: decodeChatRequest,
  encodeRequest: encodeChatRequest,
  decodeResponse: decodeChatResponse,
  encodeResponse: encodeChatResponse,
  streamDecoder: (ctx) => new ChatStreamDecoder(ctx),
  streamEncoder: (ctx) => new ChatStreamEncoder(ctx),
  errorBody: (error, status) => ({ status: openAIClientStatus(status ?? 500), body: chatErrorBody(error, status) }),
}
