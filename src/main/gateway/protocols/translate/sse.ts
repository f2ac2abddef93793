// Moved to dialects/sse.ts (one SSE parser for every dialect); re-exported for existing importers.
export * from '../../dialects/sse'
export { namedSse as anthropicSse, dataSse as openAISse } from '../../dialects/sse'
