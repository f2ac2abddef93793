// Reads usage from a response as its raw upstream chunks go by, without parsing every chunk:
// events are cut out by string search and only the few that carry usage are ever JSON-parsed
// (and those once, at the end). The content events themselves are only kept (bounded, no copy)
// and decoded into delivered text if the backend never reported usage: the one case that needs
// an estimate. The hot path is one conversion per chunk and one search per event.
import { SseFramer, sseField } from '../../../shared/sse'
import { forEachStringValue, parseJson, sseData, stringValueMatcher, utf8, valueStartAfterKey } from './streamBytes'
import type { TokenUsage, UsageProtocol } from './types'
import { mergeAnthropicStreamUsage, ollamaNativeUsage, openAIUsage, usageFromJson } from './usageFromJson'

export type ScanFormat = 'openai-sse' | 'anthropic-sse' | 'responses-sse' | 'gemini-sse' | 'ollama-ndjson' | 'json'

export interface ScanResult {
  /** The backend's final usage report; undefined when none came (cut short, or a server without usage). */
  usage?: TokenUsage
  /** What an unfinished Anthropic stream did report (`message_start`: input and cache counts). */
  partialUsage?: TokenUsage
  /** The stream reached its normal end (`[DONE]`, `message_stop`, `done: true`, or a whole JSON body). */
  complete: boolean
  /** Filled only when `usage` is missing (see deliveredText()); empty otherwise. */
  delivered: DeliveredText
  /**
   * The stream carried an error event (Anthropic `event: error`, OpenAI/vLLM `data: {"error":...}`):
   * the upstream failed mid-response although the HTTP exchange ended normally. A short code
   * (`overloaded_error`), never the message.
   */
  streamError?: string
}

export interface DeliveredText {
  /** Completion text decoded from the kept events, for a tokenizer estimate. */
  text: string
  /** Characters of all delivered text, extrapolated past the kept events. */
  textChars: number
  /** Events that carried some text (≈ one token each: a floor for the count), extrapolated likewise. */
  textEvents: number
}

const NOTHING_DELIVERED: DeliveredText = Object.freeze({ text: '', textChars: 0, textEvents: 0 })

export interface ScannerOptions {
  /** Content events are kept up to this many bytes; text beyond is extrapolated from them. */
  maxRawBytes?: number
  /** Non-streamed bodies are kept up to this size to be parsed whole; beyond it only the tail is read. */
  maxJsonBytes?: number
}

const key = (name: string): string => `"${name}"`
const USAGE = key('usage')
const TEXT_KEYS: Record<Exclude<ScanFormat, 'json'>, readonly string[]> = {
  // `text` is the legacy completions endpoint; `arguments` is streamed tool-call JSON.
  'openai-sse': ['content', 'reasoning_content', 'reasoning', 'arguments', 'text'],
  'anthropic-sse': ['text', 'thinking', 'partial_json'],
  // Every Responses delta event carries its text as `delta` (output text, arguments, reasoning).
  'responses-sse': ['delta'],
  'gemini-sse': ['text'],
  'ollama-ndjson': ['content', 'response', 'thinking'],
}
const DONE_KEY = key('done')
const USAGE_METADATA = key('usageMetadata')
const FINISH_REASON = key('finishReason')
const ERROR_DATA = 'data: {"error"'
const ERROR_DATA_NO_SPACE = 'data:{"error"'
const JSON_TAIL_BYTES = 64 * 1024

/** Picks the format from the protocol and the response content type. */
export function scanFormatFor(protocol: UsageProtocol, contentType: string | undefined): ScanFormat {
  const type = (contentType ?? '').toLowerCase()
  if (type.startsWith('text/event-stream')) {
    if (protocol === 'anthropic') return 'anthropic-sse'
    if (protocol === 'openai-responses') return 'responses-sse'
    if (protocol === 'gemini') return 'gemini-sse'
    return 'openai-sse'
  }
  if (type.includes('ndjson') || (protocol === 'ollama' && !type.includes('application/json'))) return 'ollama-ndjson'
  return 'json'
}

export class UsageScanner {
  private readonly framer: SseFramer
  private readonly textMatcher: RegExp | undefined
  private readonly maxRawBytes: number
  private readonly maxJsonBytes: number
  // Content events, as sliced views of the chunk strings (no copy), until maxRawBytes.
  private rawEvents: string[] = []
  private rawBytes = 0
  private contentEvents = 0
  private complete = false
  // The last event that carries usage (latin1 view of its bytes): parsed once, in result().
  private lastUsageEvent: string | undefined
  private anthropicStart: Record<string, unknown> | undefined
  private errorEvent: string | undefined
  private jsonChunks: Buffer[] = []
  private jsonBytes = 0
  private jsonTail: Buffer | undefined

  constructor(
    readonly protocol: UsageProtocol,
    readonly format: ScanFormat,
    opts: ScannerOptions = {},
  ) {
    // Small on purpose: a thousand open streams each keep this much; past it text is extrapolated.
    this.maxRawBytes = opts.maxRawBytes ?? 16 * 1024
    this.maxJsonBytes = opts.maxJsonBytes ?? 16 * 1024 * 1024
    this.framer = new SseFramer({ records: format === 'ollama-ndjson' ? 'lines' : 'events' })
    this.textMatcher = format === 'json' ? undefined : stringValueMatcher(TEXT_KEYS[format])
  }

  static forResponse(protocol: UsageProtocol, contentType: string | undefined, opts?: ScannerOptions): UsageScanner {
    return new UsageScanner(protocol, scanFormatFor(protocol, contentType), opts)
  }

  /** Feed every upstream body chunk, untouched, in order. */
  push(chunk: Buffer): void {
    if (this.format === 'json') return this.pushJson(chunk)
    this.framer.push(chunk.toString('latin1'), this.onEvent)
  }

  result(): ScanResult {
    if (this.format !== 'json') this.framer.flush(this.onEvent)
    const partialUsage = this.format === 'anthropic-sse' && !this.lastUsageEvent ? mergeAnthropicStreamUsage(this.anthropicStart, undefined) : undefined
    const usage = this.format === 'json' ? this.jsonUsage() : this.streamUsage()
    const streamError = this.errorEvent === undefined ? undefined : errorCode(this.errorEvent)
    return { usage, partialUsage, complete: this.complete, delivered: usage ? NOTHING_DELIVERED : this.deliveredText(), streamError }
  }

  /** The completion text delivered so far, decoded now from the kept events. */
  deliveredText(): DeliveredText {
    if (!this.textMatcher) return NOTHING_DELIVERED
    const parts: string[] = []
    let textEvents = 0
    for (const raw of this.rawEvents) {
      const before = parts.length
      forEachStringValue(raw, 0, raw.length, this.textMatcher, (t) => parts.push(t))
      if (parts.length > before) textEvents++
    }
    const text = parts.join('')
    const kept = this.rawEvents.length
    const scale = kept > 0 && this.contentEvents > kept ? this.contentEvents / kept : 1
    return { text, textChars: Math.round(text.length * scale), textEvents: Math.round(textEvents * scale) }
  }

  private readonly onEvent = (s: string, start: number, end: number): void => {
    switch (this.format) {
      case 'openai-sse':
        return this.openAIEvent(s, start, end)
      case 'anthropic-sse':
        return this.anthropicEvent(s, start, end)
      case 'responses-sse':
        return this.responsesEvent(s, start, end)
      case 'gemini-sse':
        return this.geminiEvent(s, start, end)
      case 'ollama-ndjson':
        return this.ollamaLine(s, start, end)
      default:
        return
    }
  }

  private openAIEvent(s: string, start: number, end: number): void {
    const usageAt = s.indexOf(USAGE, start)
    // Only a non-null usage object matters (vLLM and OpenAI put `"usage":null` on every chunk).
    if (usageAt !== -1 && usageAt < end && s.charCodeAt(valueStartAfterKey(s, usageAt + USAGE.length, end)) === 0x7b) {
      this.lastUsageEvent = s.slice(start, end)
    }
    if (end - start < 32 && s.slice(start, end).includes('[DONE]')) {
      this.complete = true
      return
    }
    // An error event replaces the chunks (`data: {"error": ...}`): a constant-time check per event.
    if (s.startsWith(ERROR_DATA, start) || s.startsWith(ERROR_DATA_NO_SPACE, start)) {
      this.errorEvent = s.slice(start, end)
      return
    }
    this.keepContent(s, start, end)
  }

  private anthropicEvent(s: string, start: number, end: number): void {
    const name = sseField(s, start, end, 'event') ?? this.anthropicTypeFromData(s, start, end)
    switch (name) {
      case 'content_block_delta':
        return this.keepContent(s, start, end)
      case 'message_start': {
        const doc = parseJson(sseData(s, start, end)) as { message?: { usage?: Record<string, unknown> } } | undefined
        this.anthropicStart = doc?.message?.usage
        return
      }
      case 'message_delta':
        this.lastUsageEvent = s.slice(start, end)
        return
      case 'message_stop':
        this.complete = true
        return
      case 'error':
        this.errorEvent = s.slice(start, end)
        return
      default:
        return
    }
  }

  /**
   * Responses: deltas are content; `response.completed` / `response.incomplete` carry the final
   * response with its usage and end the stream; `response.failed` and `error` are failures.
   */
  private responsesEvent(s: string, start: number, end: number): void {
    const name = sseField(s, start, end, 'event') ?? this.anthropicTypeFromData(s, start, end)
    if (name === undefined) return
    if (name.endsWith('.delta')) return this.keepContent(s, start, end)
    if (name === 'response.completed' || name === 'response.incomplete') {
      this.lastUsageEvent = s.slice(start, end)
      this.complete = true
      return
    }
    if (name === 'response.failed' || name === 'error') this.errorEvent = s.slice(start, end)
  }

  /** Gemini: every chunk may carry `usageMetadata` (the last one counts); a `finishReason` ends the answer. */
  private geminiEvent(s: string, start: number, end: number): void {
    if (s.startsWith(ERROR_DATA, start) || s.startsWith(ERROR_DATA_NO_SPACE, start)) {
      this.errorEvent = s.slice(start, end)
      return
    }
    const meta = s.indexOf(USAGE_METADATA, start)
    if (meta !== -1 && meta < end) this.lastUsageEvent = s.slice(start, end)
    const finish = s.indexOf(FINISH_REASON, start)
    if (finish !== -1 && finish < end) this.complete = true
    this.keepContent(s, start, end)
  }

  /** Streams without `event:` lines (some translators) still carry `"type"` first in their data. */
  private anthropicTypeFromData(s: string, start: number, end: number): string | undefined {
    return /"type"\s*:\s*"([a-z_]+)"/.exec(s.slice(start, Math.min(end, start + 64)))?.[1]
  }

  private ollamaLine(s: string, start: number, end: number): void {
    this.keepContent(s, start, end)
    // The last `"done"` key of the line is the top-level one (nested objects come before it).
    const at = s.lastIndexOf(DONE_KEY, end)
    if (at >= start && s.charCodeAt(valueStartAfterKey(s, at + DONE_KEY.length, end)) === 0x74 /* t */) {
      this.lastUsageEvent = s.slice(start, end)
      this.complete = true
    }
  }

  private keepContent(s: string, start: number, end: number): void {
    this.contentEvents++
    if (this.rawBytes >= this.maxRawBytes) return
    this.rawEvents.push(s.slice(start, end))
    this.rawBytes += end - start
  }

  private streamUsage(): TokenUsage | undefined {
    const event = this.lastUsageEvent
    switch (this.format) {
      case 'openai-sse': {
        const doc = event && parseJson(sseData(event, 0, event.length))
        return typeof doc === 'object' && doc !== null ? openAIUsage(doc as Record<string, unknown>) : undefined
      }
      case 'anthropic-sse': {
        // Final only once a message_delta came: message_start alone is the partial report.
        if (!event) return undefined
        const doc = parseJson(sseData(event, 0, event.length)) as { usage?: Record<string, unknown> } | undefined
        return mergeAnthropicStreamUsage(this.anthropicStart, doc?.usage)
      }
      case 'ollama-ndjson': {
        const doc = event && parseJson(utf8(event))
        return typeof doc === 'object' && doc !== null ? ollamaNativeUsage(doc as Record<string, unknown>) : undefined
      }
      case 'responses-sse':
      case 'gemini-sse': {
        const doc = event && parseJson(sseData(event, 0, event.length))
        return doc === undefined ? undefined : usageFromJson(doc, this.protocol)
      }
      default:
        return undefined
    }
  }

  private pushJson(chunk: Buffer): void {
    this.jsonBytes += chunk.length
    if (this.jsonBytes <= this.maxJsonBytes) {
      this.jsonChunks.push(chunk)
      return
    }
    // Oversized body: keep only its tail, where every protocol puts its usage.
    const tail = Buffer.concat([...this.jsonChunks, ...(this.jsonTail ? [this.jsonTail] : []), chunk])
    this.jsonChunks = []
    this.jsonTail = tail.subarray(Math.max(0, tail.length - JSON_TAIL_BYTES))
  }

  private jsonUsage(): TokenUsage | undefined {
    if (!this.jsonTail) {
      const body = this.jsonChunks.length === 1 ? this.jsonChunks[0]! : Buffer.concat(this.jsonChunks, this.jsonBytes)
      // Usage sits at the end of every protocol's body: read just that object when it is there.
      const quick = usageFromTail(body.toString('latin1', Math.max(0, body.length - 1024)), this.protocol)
      if (quick) {
        this.complete = endsLikeJsonObject(body)
        return quick
      }
      // No usage at the end: parse it all, which also tells a whole body from a cut one (and an
      // answer that is JSON but not an object from a real one).
      const parsed = parseJson(body.toString('utf8'))
      this.complete = typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)
      return this.complete ? usageFromJson(parsed, this.protocol) : undefined
    }
    this.complete = endsLikeJsonObject(this.jsonTail)
    return usageFromTail(this.jsonTail.toString('utf8'), this.protocol)
  }
}

/** A JSON object body ends with `}` (then perhaps whitespace): a cheap check that it was not cut. */
function endsLikeJsonObject(body: Buffer): boolean {
  let i = body.length - 1
  while (i >= 0 && (body[i] === 0x20 || body[i] === 0x0a || body[i] === 0x0d || body[i] === 0x09)) i--
  return i >= 0 && (body[i] === 0x7d || body[i] === 0x5d)
}

/** The error type of an error event (`overloaded_error`, `server_error`), safe to store; else `stream_error`. */
function errorCode(event: string): string {
  const doc = parseJson(sseData(event, 0, event.length)) as { error?: { type?: unknown; code?: unknown } } | undefined
  const type = doc?.error?.type ?? doc?.error?.code
  return typeof type === 'string' && /^[a-z][a-z0-9_]{0,39}$/.test(type) ? type : 'stream_error'
}

/** Usage from the last bytes of a body too big to keep: the last `"usage"` object, brace-matched. */
export function usageFromTail(tail: string, protocol: UsageProtocol): TokenUsage | undefined {
  if (protocol === 'ollama') {
    const prompt = /"prompt_eval_count"\s*:\s*(\d+)/.exec(tail)
    const evals = /"eval_count"\s*:\s*(\d+)/.exec(tail)
    if (prompt || evals) return ollamaNativeUsage({ prompt_eval_count: Number(prompt?.[1] ?? 0), eval_count: Number(evals?.[1] ?? 0) })
  }
  const keyName = protocol === 'gemini' ? '"usageMetadata"' : '"usage"'
  const at = tail.lastIndexOf(keyName)
  if (at === -1) return undefined
  const open = tail.indexOf('{', at)
  if (open === -1) return undefined
  let depth = 0
  for (let i = open; i < tail.length; i++) {
    const c = tail[i]
    if (c === '"') {
      i = tail.indexOf('"', i + 1) // usage objects hold numbers and plain keys only
      if (i === -1) return undefined
    } else if (c === '{') depth++
    else if (c === '}' && --depth === 0) return usageFromJson(`{${keyName}:${tail.slice(open, i + 1)}}`, protocol)
  }
  return undefined
}
