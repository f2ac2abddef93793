// Counts prompt tokens with a real BPE tokenizer (gpt-tokenizer: pure JS, vocabularies shipped
// in the package, nothing downloaded), cheaply enough for the request path.
//
// Cost, measured on Node 20: loading o200k takes 0.3-1.2 s and ~35 MB of heap (the module's
// evaluation holds its thread all along: an `await import()` does not help), and counting
// costs ~0.15-0.2 ms per KB of text (2 KB: ~0.4 ms; 200 KB: 25-45 ms, which would stall every
// other request on the event loop). Hence the gateway's counter, `defaultTokenCounter`, runs
// this class in a worker thread (tokenThread.ts), and here:
//   - encodings load lazily and asynchronously; until one is ready the character heuristic
//     answers (call `warmUp()` at start-up to have it ready before the first request);
//   - texts up to `exactMaxChars` are counted exactly; longer ones are counted on a few evenly
//     spaced samples and extrapolated by their tokens-per-character ratio, which bounds the cost
//     at ~2 ms whatever the size and stays within a few per cent on real text. The estimate is
//     only a reservation: the real usage replaces it when the response ends.
// Non-OpenAI models (Llama, Qwen, Claude, ...) are counted with o200k as a proxy: a real modern
// BPE tracks their tokenizers far better than chars/4 does on code, numbers or CJK text.

import { workerScript } from '../common/workerScript'
import { TokenThread } from './tokenThread'
import { EXACT_MAX_CHARS, extrapolate, SAMPLE_CHARS, SAMPLES, sampleText } from './tokenSampling'

export { EXACT_MAX_CHARS, extrapolate, sampleText }

export type EncodingName = 'o200k_base' | 'cl100k_base'
export type CountFn = (text: string) => number
export type EncodingLoader = (name: EncodingName) => Promise<CountFn>

// Special-token strings in user text are counted as the plain text they are, not rejected.
const PLAIN_TEXT = { disallowedSpecial: new Set<string>() }

export const loadGptTokenizer: EncodingLoader = async (name) => {
  const mod = name === 'cl100k_base' ? await import('gpt-tokenizer/encoding/cl100k_base') : await import('gpt-tokenizer/encoding/o200k_base')
  return (text) => mod.countTokens(text, PLAIN_TEXT)
}

/** The encoding OpenAI uses for a model; o200k for everything newer and for other vendors. */
export function encodingForModel(model: string | undefined): EncodingName {
  // Aggregators prefix the vendor: "openai/gpt-4-turbo".
  const name = (model ?? '').toLowerCase().split('/').pop() ?? ''
  if (/^gpt-4(?!o|\.\d|-?o\d)/.test(name)) return 'cl100k_base' // gpt-4, gpt-4-turbo, gpt-4-32k
  if (/^(gpt-3\.5|gpt-35|text-embedding-(ada|3)|(babbage|davinci)-002)/.test(name)) return 'cl100k_base'
  return 'o200k_base'
}

/**
 * The fallback: ~4 characters per token for ASCII, and one token per non-ASCII code unit
 * (CJK runs near one token per character; over-counting accents is the safe side). Within a
 * few per cent of o200k on English prose, code and tool schemas. Texts over HEURISTIC_SCAN_CHARS
 * have their non-ASCII share read from evenly spaced windows: a 32 MB body costs microseconds.
 */
export function heuristicTokens(text: string): number {
  return heuristicTokensOfParts([text])
}

/**
 * heuristicTokens of the parts joined by newlines, without joining them. An ASCII part (most
 * prompts: code, English, JSON) is known to be one from its UTF-8 length, which Node counts
 * natively: only parts with other characters are read a character at a time. A coding agent's
 * 140 kB prompt took ~450 µs joined and scanned in JS, ~20 µs this way.
 */
export function heuristicTokensOfParts(parts: readonly string[]): number {
  let length = Math.max(0, parts.length - 1) // the newlines that join them
  let mixed: string[] | undefined
  for (const part of parts) {
    length += part.length
    if (Buffer.byteLength(part, 'utf8') !== part.length) (mixed ??= []).push(part)
  }
  const nonAscii = mixed ? nonAsciiUnits(mixed) : 0
  return Math.ceil((length - nonAscii) / 4) + nonAscii
}

const HEURISTIC_SCAN_CHARS = 256 * 1024
const HEURISTIC_WINDOWS = 32
const HEURISTIC_WINDOW_CHARS = 4096

/** UTF-16 code units above 0x7f in `parts`: counted, or over HEURISTIC_SCAN_CHARS estimated from windows. */
function nonAsciiUnits(parts: readonly string[]): number {
  let length = 0
  for (const part of parts) length += part.length
  if (length > HEURISTIC_SCAN_CHARS) {
    const text = parts.join('')
    const span = text.length - HEURISTIC_WINDOW_CHARS
    let sampled = 0
    for (let w = 0; w < HEURISTIC_WINDOWS; w++) {
      const start = Math.floor((span * w) / (HEURISTIC_WINDOWS - 1))
      for (let i = start; i < start + HEURISTIC_WINDOW_CHARS; i++) if (text.charCodeAt(i) > 0x7f) sampled++
    }
    return Math.round((text.length * sampled) / (HEURISTIC_WINDOWS * HEURISTIC_WINDOW_CHARS))
  }
  let n = 0
  for (const part of parts) for (let i = 0; i < part.length; i++) if (part.charCodeAt(i) > 0x7f) n++
  return n
}

/** What the gateway needs of a token counter (TokenCounter in-process; TokenThread in a worker). */
export interface TokenCounting {
  /** Synchronous, for the request path: never waits (a heuristic when the exact count is not at hand). */
  count(text: string, encoding?: EncodingName): number
  /** count() of the parts joined by newlines (joined only where an exact count needs the text whole). */
  countParts(parts: readonly string[], encoding?: EncodingName): number
  /** Exact (long texts sampled); never rejects (the heuristic when the tokenizer cannot load). */
  countAsync(text: string, encoding?: EncodingName): Promise<number>
  /** Resolves true once `encoding` is loaded where the counting happens, false if it cannot be. */
  warmUp(encoding?: EncodingName): Promise<boolean>
  /**
   * Readies what count() answers with, when that is an exact count (the encoding loaded on this
   * thread); a no-op where count() is the heuristic (a worker runs: it loads on the first
   * countAsync, and ~70 MB stay unspent until a count needs them).
   */
  warmUpCount(encoding?: EncodingName): void
  isReady(encoding?: EncodingName): boolean
}

export interface TokenCounterOptions {
  /** Longest text counted exactly; longer texts are sampled. */
  exactMaxChars?: number
  sampleChars?: number
  samples?: number
  load?: EncodingLoader
}

export class TokenCounter implements TokenCounting {
  private readonly encoders = new Map<EncodingName, CountFn>()
  private readonly loading = new Map<EncodingName, Promise<boolean>>()
  private readonly exactMaxChars: number
  private readonly sampleChars: number
  private readonly samples: number
  private readonly load: EncodingLoader

  constructor(opts: TokenCounterOptions = {}) {
    this.exactMaxChars = opts.exactMaxChars ?? EXACT_MAX_CHARS
    this.sampleChars = opts.sampleChars ?? SAMPLE_CHARS
    this.samples = Math.max(2, opts.samples ?? SAMPLES)
    this.load = opts.load ?? loadGptTokenizer
  }

  /** Tokens in `text`: exact, sampled, or heuristic while the encoding is still loading. */
  count(text: string, encoding: EncodingName = 'o200k_base'): number {
    if (text.length === 0) return 0
    const encode = this.encoders.get(encoding)
    if (!encode) {
      void this.warmUp(encoding)
      return heuristicTokens(text)
    }
    if (text.length <= this.exactMaxChars) return encode(text)
    return this.sampled(text, encode)
  }

  countParts(parts: readonly string[], encoding: EncodingName = 'o200k_base'): number {
    if (!this.encoders.has(encoding)) {
      void this.warmUp(encoding)
      return heuristicTokensOfParts(parts)
    }
    // One call over the joined text: one sampling decision for the whole prompt.
    return this.count(parts.join('\n'), encoding)
  }

  /** Resolves true once `encoding` counts exactly, false if it cannot be loaded. */
  warmUp(encoding: EncodingName = 'o200k_base'): Promise<boolean> {
    let pending = this.loading.get(encoding)
    if (!pending) {
      pending = this.load(encoding).then(
        (fn) => {
          this.encoders.set(encoding, fn)
          return true
        },
        // Stays on the heuristic rather than retrying a broken install on every request.
        () => false,
      )
      this.loading.set(encoding, pending)
    }
    return pending
  }

  warmUpCount(encoding: EncodingName = 'o200k_base'): void {
    void this.warmUp(encoding)
  }

  isReady(encoding: EncodingName = 'o200k_base'): boolean {
    return this.encoders.has(encoding)
  }

  /** Waits for the encoding (count() alone would answer with the heuristic while it loads). */
  async countAsync(text: string, encoding: EncodingName = 'o200k_base'): Promise<number> {
    if (text.length === 0) return 0
    await this.warmUp(encoding)
    try {
      return this.count(text, encoding)
    } catch {
      return heuristicTokens(text)
    }
  }

  /** A long text's count from its samples alone (sampleText with this counter's defaults): what the tokenizer's worker is sent. */
  async countSampled(samples: readonly string[], length: number, encoding: EncodingName = 'o200k_base'): Promise<number> {
    await this.warmUp(encoding)
    let tokens = 0
    for (const sample of samples) tokens += this.count(sample, encoding)
    return extrapolate(tokens, samples, length)
  }

  private sampled(text: string, encode: CountFn): number {
    const samples = sampleText(text, this.sampleChars, this.samples)
    let tokens = 0
    for (const sample of samples) tokens += encode(sample)
    return extrapolate(tokens, samples, text.length)
  }
}

/**
 * Shared by the gateway so each encoding is loaded once per process: in the tokenizer's worker
 * thread (see tokenThread.ts), else here.
 */
export const defaultTokenCounter: TokenCounting = new TokenThread({
  script: () => workerScript('tokenWorker'),
  local: () => new TokenCounter(),
  heuristic: heuristicTokensOfParts,
})
