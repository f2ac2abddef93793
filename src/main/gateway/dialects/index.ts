// The dialect layer's public face: the canonical model, the codec contract, one codec per
// dialect, and translation between any two of them (decode one, encode the other); plus the
// Gemini and Ollama endpoints beside generation (token counts, embeddings, model listings).
export type * from './canonical'
export { DIALECTS, type Codec, type Dialect, type EncodeRequestOptions, type EncodedRequest, type RequestTarget, type ResponseContext, type StreamDecoder, type StreamEncoder } from './codec'
export { codecFor } from './registry'
export { translateError, translateRequest, translateResponse, translateStream, type TranslatedRequest } from './translate'
export type { StreamTranslator, StreamUsage } from './streamBase'
export { SseParser, type SseEvent } from './sse'
export { NdjsonParser, ndjsonLine } from './ndjson'
export { customToolNames } from './tools'
export { responsesEcho } from './openaiResponses/echo'
export type { OpenAIEmbeddingsRequest, OpenAIEmbeddingsResponse } from './embeddings'
export { GEMINI_METHODS, geminiPath, geminiTarget, modelResource, parseGeminiPath, type GeminiMethod, type GeminiPath } from './gemini/paths'
export { decodeGeminiCountTokens, decodeGeminiCountTokensResponse, encodeGeminiCountTokens, geminiCountTokensResponse } from './gemini/countTokens'
export { geminiEmbedToOpenAI, geminiEmbeddingsToOpenAI, openAIEmbeddingsToGemini, openAIEmbeddingsToGeminiRequest, type GeminiEmbedMethod } from './gemini/embeddings'
export { geminiModel, geminiModelList, type GeminiModel, type GeminiModelInfo } from './gemini/models'
export { geminiErrorBody, geminiStatusName } from './gemini/errors'
export {
  ollamaEmbedToOpenAI,
  ollamaEmbedToOpenAIResponse,
  ollamaLegacyEmbeddingsToOpenAI,
  openAIEmbeddingsToOllamaEmbed,
  openAIEmbeddingsToOllamaLegacy,
  openAIEmbeddingsToOllamaRequest,
} from './ollama/embeddings'
export { OLLAMA_API_VERSION, ollamaPs, ollamaShow, ollamaTags, ollamaVersion, type OllamaModelInfo } from './ollama/models'
export { ollamaErrorBody } from './ollama/errors'
