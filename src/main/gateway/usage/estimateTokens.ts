// Token estimates for requests whose backend never reported usage (a stream cut short, a server
// without usage support), counted exactly with admission's token counter, in its worker thread:
// one copy of the vocabulary, loaded there the first time it is needed (see tokenThread.ts). If
// it cannot load, its character heuristic stands in. Estimates are marked as such in the ledger.
import { defaultTokenCounter } from '../admission/tokenCounter'
import type { DeliveredText, ScanResult } from './usageScanner'
import type { TokenUsage } from './types'

/** Starts loading the tokenizer in the background (e.g. once the gateway is up). */
export function preloadTokenizer(): void {
  void defaultTokenCounter.warmUp()
}

/** Exact tokens of `text` (o200k), counted off the event loop. Never rejects. */
export function countTokens(text: string): Promise<number> {
  return defaultTokenCounter.countAsync(text)
}

/** Completion tokens delivered by a stream, from what the scanner kept of its text. */
export async function estimateCompletionTokens(delivered: DeliveredText): Promise<number> {
  const kept = delivered.text.length
  let tokens = await countTokens(delivered.text)
  // Text beyond the kept events is extrapolated at the kept text's tokens-per-character rate.
  if (delivered.textChars > kept && kept > 0) tokens = Math.ceil((tokens * delivered.textChars) / kept)
  // Servers stream about one token per event: a floor when the text is mostly markup or whitespace.
  return Math.max(tokens, delivered.textEvents)
}

type Json = Record<string, unknown>

/** Strings of a request body that reach the model: messages, system, prompt, input. */
export function promptText(body: Json): string {
  const parts: string[] = []
  const collect = (v: unknown): void => {
    if (typeof v === 'string') parts.push(v)
    else if (Array.isArray(v)) v.forEach(collect)
    else if (typeof v === 'object' && v !== null) {
      const o = v as Json
      if (typeof o.text === 'string') parts.push(o.text)
      if (o.content !== undefined) collect(o.content)
    }
  }
  collect(body.system)
  collect(body.messages)
  collect(body.prompt)
  collect(body.input)
  return parts.join('\n')
}

/** Completion text of a whole (non-streamed) response body of any protocol. */
export function completionText(body: unknown): string {
  if (typeof body !== 'object' || body === null) return ''
  const b = body as Json
  const parts: string[] = []
  const take = (v: unknown): void => {
    if (typeof v === 'string') parts.push(v)
  }
  if (Array.isArray(b.choices)) {
    for (const c of b.choices as Json[]) {
      const m = (c?.message ?? {}) as Json
      take(c?.text)
      take(m.content)
      take(m.reasoning_content)
      if (Array.isArray(m.tool_calls)) for (const t of m.tool_calls as Json[]) take((t?.function as Json | undefined)?.arguments)
    }
  }
  if (Array.isArray(b.content)) for (const c of b.content as Json[]) take(c?.text ?? c?.thinking)
  if (typeof b.message === 'object' && b.message !== null) take((b.message as Json).content)
  take(b.response)
  return parts.join('')
}

/** Prompt tokens of a request body, plus the few tokens each chat message costs in its template. */
export async function estimatePromptTokens(body: Json): Promise<number> {
  const messages = Array.isArray(body.messages) ? body.messages.length : 0
  return (await countTokens(promptText(body))) + messages * 4
}

/**
 * Usage for a finished request: the backend's own report when it made one, else an estimate that
 * keeps whatever it did report (Anthropic's `message_start` input and cache counts).
 */
export async function usageWithEstimate(scan: ScanResult, requestBody: Json | undefined): Promise<{ usage: TokenUsage; estimated: boolean }> {
  if (scan.usage) return { usage: scan.usage, estimated: false }
  const partial = scan.partialUsage
  const completion = Math.max(partial?.completionTokens ?? 0, await estimateCompletionTokens(scan.delivered))
  const prompt = partial && partial.promptTokens > 0 ? partial.promptTokens : requestBody ? await estimatePromptTokens(requestBody) : 0
  return {
    usage: {
      promptTokens: prompt,
      completionTokens: completion,
      cachedTokens: partial?.cachedTokens ?? 0,
      cacheCreationTokens: partial?.cacheCreationTokens ?? 0,
      reasoningTokens: 0,
    },
    estimated: true,
  }
}
