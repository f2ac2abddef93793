// Kept for existing importers (forward/); the error helpers live with the dialect codecs now.
export { extractUpstreamError } from '../../dialects/errors'
export { openAIClientStatus } from '../../dialects/openaiChat/errors'
