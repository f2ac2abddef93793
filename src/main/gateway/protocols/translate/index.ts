// The protocol bridge's public surface, for the ingress handlers and forwarding.
export { chooseTranslation, createStreamTranslator, prepareTranslatedRequest, translateErrorResponse, translateResponseBody, unsupportedOnAnthropic, upstreamProtocol } from './plan'
export type { ClientProtocol, ClientRequestInfo, PrepareOptions, PreparedRequest, Translation } from './plan'
export type { StreamTranslator, StreamUsage } from './streamTranslator'
export { anthropicErrorType, toAnthropicErrorBody, toOpenAIErrorBody } from './errors'
export { ANTHROPIC_PING, OPENAI_DONE, SSE_COMMENT_KEEPALIVE, SseParser, serializeSse } from './sse'
export { DEFAULT_MAX_TOKENS } from './requestToAnthropic'
