// The Ollama codec (`/api/chat` and `/api/generate` under an Ollama host root), as Open WebUI, the
// `ollama` npm and Python clients and many editor plugins speak it. Streams are NDJSON.
import type { Codec } from '../codec'
import { decodeOllamaRequest } from './decodeRequest'
import { encodeOllamaRequest } from './encodeRequest'
import { ollamaErrorBody } from './errors'
import { decodeOllamaResponse, encodeOllamaResponse } from './response'
import { OllamaStreamDecoder } from './streamDecoder'
import { OllamaStreamEncoder } from './streamEncoder'

export const ollama: Codec = {
  dialect: 'ollama',
  decodeRequest: decodeOllamaRequest,
  encodeRequest: encodeOllamaRequest,
  decodeResponse: decodeOllamaResponse,
  encodeResponse: encodeOllamaResponse,
  streamDecoder: (ctx) => new OllamaStreamDecoder(ctx),
  streamEncoder: (ctx) => new OllamaStreamEncoder(ctx),
  errorBody: (error, status) => ({ status: status ?? 500, body: ollamaErrorBody(error, status) }),
}
