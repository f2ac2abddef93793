// The Gemini codec (Google's `v1beta` generateContent API, as the @google/genai SDK and Gemini CLI
// speak it). The model and streaming live in the URL: decodeRequest takes them as a RequestTarget
// (parseGeminiPath reads one), and encodeRequest returns the path with the upstream model in it.
import type { Codec } from '../codec'
import { decodeGeminiRequest } from './decodeRequest'
import { encodeGeminiRequest } from './encodeRequest'
import { geminiClientStatus, geminiErrorBody } from './errors'
import { decodeGeminiResponse, encodeGeminiResponse } from './response'
import { GeminiStreamDecoder } from './streamDecoder'
import { GeminiStreamEncoder } from './streamEncoder'

export const gemini: Codec = {
  dialect: 'gemini',
  decodeRequest: decodeGeminiRequest,
  encodeRequest: encodeGeminiRequest,
  decodeResponse: decodeGeminiResponse,
  encodeResponse: encodeGeminiResponse,
  streamDecoder: (ctx) => new GeminiStreamDecoder(ctx),
  streamEncoder: (ctx) => new GeminiStreamEncoder(ctx),
  errorBody: (error, status) => ({ status: geminiClientStatus(status ?? 500), body: geminiErrorBody(error, status) }),
}
