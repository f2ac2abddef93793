// Kept for existing importers (forward/); the one SSE parser and its framings live in dialects/sse.ts.
export { ANTHROPIC_PING, SSE_COMMENT_KEEPALIVE, dataSse as openAISse } from '../../dialects/sse'
