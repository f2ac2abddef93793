// The TPM reservation for a request before it is sent: prompt tokens counted from the body's
// text plus the output it may produce (max_tokens / max_completion_tokens, or a default).
// Over-estimating is the safe side here: the real usage replaces the reservation at the end.
import { defaultTokenCounter, encodingForModel, type TokenCounting } from './tokenCounter'

export interface TokenEstimate {
  input: number
  output: number
}

/** A plain number means "this many tokens", all counted as input. */
export type EstimateInput = number | TokenEstimate

export function toEstimate(e: EstimateInput): TokenEstimate {
  return typeof e === 'number' ? { input: clampCount(e), output: 0 } : { input: clampCount(e.input), output: clampCount(e.output) }
}

export function totalTokens(e: TokenEstimate): number {
  return e.input + e.output
}

/** `json`: any other dialect (Responses, Gemini, Ollama): every string in the body counts. */
export type RequestShape = 'chat' | 'completions' | 'embeddings' | 'anthropic-messages' | 'json'

export interface EstimateOptions {
  shape: RequestShape
  /** Chooses the encoding; defaults to `body.model`. */
  model?: string
  /** Output reserved when the body sets no max_tokens (provider.defaultMaxTokens). */
  defaultMaxTokens?: number
  /** The gateway's counter by default: synchronous and never waiting (see tokenThread.ts). */
  counter?: TokenCounting
}

export const DEFAULT_OUTPUT_TOKENS = 1024
// OpenAI's chat format: every message costs a few framing tokens, the reply is primed with 3.
const PER_MESSAGE_TOKENS = 4
const REPLY_PRIMING_TOKENS = 3
// Media is not tokenized from its bytes; these are typical costs (an OpenAI high-detail
// 512 px tile set, a Claude image of ~1 MP, a PDF page, a short audio clip).
const IMAGE_TOKENS = 1000
const DOCUMENT_TOKENS = 1500
const AUDIO_TOKENS = 500

export function estimateRequestTokens(body: Record<string, unknown>, opts: EstimateOptions): TokenEstimate {
  const text: string[] = []
  let fixed = 0
  const addParts = (content: unknown): void => {
    if (typeof content === 'string') {
      text.push(content)
      return
    }
    if (!Array.isArray(content)) return
    for (const part of content) fixed += addPart(part, text, addParts)
  }

  let output = 0
  switch (opts.shape) {
    case 'chat': {
      const messages = Array.isArray(body.messages) ? body.messages : []
      for (const m of messages) {
        if (!isObject(m)) continue
        fixed += PER_MESSAGE_TOKENS
        addString(text, m.name)
        addParts(m.content)
        addJson(text, m.tool_calls)
        addJson(text, m.function_call)
      }
      fixed += REPLY_PRIMING_TOKENS
      addJson(text, body.tools)
      addJson(text, body.functions)
      addJson(text, isObject(body.response_format) ? body.response_format.json_schema : undefined)
      output = outputTokens(body.max_completion_tokens ?? body.max_tokens, opts) * choices(body.n)
      break
    }
    case 'completions': {
      fixed += addPrompt(text, body.prompt)
      addString(text, body.suffix)
      output = outputTokens(body.max_tokens, opts) * choices(body.best_of ?? body.n)
      break
    }
    case 'embeddings':
      fixed += addPrompt(text, body.input)
      break
    case 'anthropic-messages': {
      addParts(body.system)
      const messages = Array.isArray(body.messages) ? body.messages : []
      for (const m of messages) {
        if (!isObject(m)) continue
        fixed += PER_MESSAGE_TOKENS
        addParts(m.content)
      }
      fixed += REPLY_PRIMING_TOKENS
      addJson(text, body.tools)
      output = outputTokens(body.max_tokens, opts)
      break
    }
    case 'json': {
      const { model: _model, ...rest } = body
      addJson(text, rest)
      const config = isObject(body.generationConfig) ? body.generationConfig : isObject(body.options) ? body.options : {}
      output = outputTokens(body.max_output_tokens ?? config.maxOutputTokens ?? config.num_predict ?? body.max_tokens, opts)
      break
    }
  }

  const model = opts.model ?? (typeof body.model === 'string' ? body.model : undefined)
  const counter = opts.counter ?? defaultTokenCounter
  const input = counter.countParts(text, encodingForModel(model)) + fixed
  return { input, output }
}

/** Adds a content part's text to `text`; returns the fixed token cost of non-text parts. */
function addPart(part: unknown, text: string[], addParts: (content: unknown) => void): number {
  if (typeof part === 'string') {
    text.push(part)
    return 0
  }
  if (!isObject(part)) return 0
  switch (part.type) {
    case 'image_url':
    case 'input_image':
    case 'image':
      return IMAGE_TOKENS
    case 'document':
    case 'file':
    case 'input_file':
      return DOCUMENT_TOKENS
    case 'input_audio':
      return AUDIO_TOKENS
    case 'tool_use':
      addString(text, part.name)
      addJson(text, part.input)
      return 0
    case 'tool_result':
      addParts(part.content)
      return 0
    case 'thinking':
      addString(text, part.thinking)
      return 0
    case 'refusal':
      addString(text, part.refusal)
      return 0
    default:
      addString(text, part.text)
      return 0
  }
}

/** Completions `prompt` / embeddings `input`: text, text[], token ids, or token-id arrays. */
function addPrompt(text: string[], prompt: unknown): number {
  if (typeof prompt === 'string') {
    text.push(prompt)
    return 0
  }
  if (!Array.isArray(prompt)) return 0
  let ids = 0
  for (const item of prompt) {
    if (typeof item === 'string') text.push(item)
    else if (typeof item === 'number') ids++
    else if (Array.isArray(item)) ids += item.length
  }
  return ids
}

function outputTokens(requested: unknown, opts: EstimateOptions): number {
  if (typeof requested === 'number' && Number.isFinite(requested) && requested >= 0) return Math.ceil(requested)
  return opts.defaultMaxTokens ?? DEFAULT_OUTPUT_TOKENS
}

function choices(n: unknown): number {
  return typeof n === 'number' && Number.isInteger(n) && n > 1 ? n : 1
}

function addString(text: string[], value: unknown): void {
  if (typeof value === 'string' && value !== '') text.push(value)
}

function addJson(text: string[], value: unknown): void {
  if (value === undefined || value === null) return
  text.push(typeof value === 'string' ? value : JSON.stringify(value))
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v)
}

function clampCount(n: number): number {
  return Number.isFinite(n) && n > 0 ? Math.ceil(n) : 0
}
