// Anthropic-dialect pieces shared by its request, response and stream halves: stop reasons, usage,
// tool ids, media sources.
import type { DocumentPart, ImagePart, MediaSource, StopReason, Usage } from '../canonical'
import { count, isRecord } from '../json'
import type { AnthropicBlock, AnthropicImageSource, AnthropicStopReason, AnthropicUsage } from './wire'

export function stopFromAnthropic(reason: unknown): StopReason {
  switch (reason) {
    case 'max_tokens':
    case 'stop_sequence':
    case 'tool_use':
    case 'pause_turn':
    case 'refusal':
      return reason
    case 'model_context_window_exceeded':
      return 'context_window_exceeded'
    default:
      return 'end_turn'
  }
}

export function anthropicStopReason(reason: StopReason): AnthropicStopReason {
  switch (reason) {
    case 'content_filter':
      return 'refusal'
    case 'context_window_exceeded':
      return 'model_context_window_exceeded'
    default:
      return reason
  }
}

/**
 * Anthropic's input_tokens excludes cache reads and writes ("total input = input_tokens +
 * cache_creation_input_tokens + cache_read_input_tokens"); the canonical count includes them.
 */
export function usageFromAnthropic(u: Partial<AnthropicUsage>): Usage {
  const cacheRead = count(u.cache_read_input_tokens)
  const cacheWrite = count(u.cache_creation_input_tokens)
  return {
    inputTokens: count(u.input_tokens) + cacheWrite + cacheRead,
    outputTokens: count(u.output_tokens),
    cachedInputTokens: cacheRead,
    cacheCreationInputTokens: cacheWrite,
    reasoningTokens: count(isRecord(u.output_tokens_details) ? u.output_tokens_details.thinking_tokens : undefined),
  }
}

/** Input tokens as Anthropic counts them: neither read from nor written to the cache. */
export function uncachedInput(u: Usage): number {
  return Math.max(0, u.inputTokens - u.cachedInputTokens - u.cacheCreationInputTokens)
}

export function anthropicUsage(u: Usage): AnthropicUsage {
  return { input_tokens: uncachedInput(u), output_tokens: u.outputTokens, cache_creation_input_tokens: u.cacheCreationInputTokens, cache_read_input_tokens: u.cachedInputTokens }
}

/**
 * Anthropic tool_use ids must match ^[a-zA-Z0-9_-]+$; some servers use ids such as
 * `functions.get_weather:0`. Cleaning them where they enter an Anthropic conversation keeps that
 * conversation valid if it later reaches Anthropic itself (a failover route); the cleaned id is
 * used consistently, so tool results still pair with their calls.
 */
export function anthropicToolId(id: unknown, fallback: string): string {
  const s = typeof id === 'string' && id !== '' ? id : fallback
  return s.replace(/[^a-zA-Z0-9_-]/g, '_')
}

export function sourceFromAnthropic(source: unknown): MediaSource | undefined {
  if (!isRecord(source)) return undefined
  if (source.type === 'base64' && typeof source.data === 'string') return { kind: 'base64', mediaType: typeof source.media_type === 'string' ? source.media_type : '', data: source.data }
  if (source.type === 'url' && typeof source.url === 'string') return { kind: 'url', url: source.url }
  if (source.type === 'file' && typeof source.file_id === 'string') return { kind: 'file', fileId: source.file_id }
  return undefined
}

export function anthropicSource(source: MediaSource): AnthropicImageSource {
  if (source.kind === 'base64') return { type: 'base64', media_type: source.mediaType, data: source.data }
  if (source.kind === 'url') return { type: 'url', url: source.url }
  return { type: 'file', file_id: source.fileId }
}

export function anthropicImage(p: ImagePart): AnthropicBlock {
  return { type: 'image', source: anthropicSource(p.source) }
}

export function anthropicDocument(p: DocumentPart): AnthropicBlock {
  const source = p.source.kind === 'text' ? { type: 'text', media_type: 'text/plain', data: p.source.data } : anthropicSource(p.source)
  const block: AnthropicBlock = { type: 'document', source }
  if (p.title !== undefined) block.title = p.title
  return block
}
