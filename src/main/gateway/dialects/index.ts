// The dialect layer's public face: the canonical model, the codec contract, one codec per
// dialect, and translation between any two of them (decode one, encode the other).
export type * from './canonical'
export { DIALECTS, type Codec, type Dialect, type EncodeRequestOptions, type EncodedRequest, type ResponseContext, type StreamDecoder, type StreamEncoder } from './codec'
export { codecFor } from './registry'
export { translateError, translateRequest, translateResponse, translateStream, type TranslatedRequest } from './translate'
export type { StreamTranslator, StreamUsage } from './streamBase'
export { SseParser, type SseEvent } from './sse'
export { customToolNames } from './tools'
export { responsesEcho } from './openaiResponses/echo'
