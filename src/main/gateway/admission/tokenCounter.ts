// Counts prompt tokens with a real BPE tokenizer (gpt-tokenizer: pure JS, vocabularies shipped
// in the package, nothing downloaded), cheaply enough for the request path.
//
// Cost, measured on Node 20: loading o200k takes 0.3-1.2 s and ~35 MB of heap, and counting
// costs ~0.15-0.2 ms per KB of text (2 KB: ~0.4 ms; 200 KB: 25-45 ms, which would stall every
// other request on the event loop). Hence:
//   - encodings load lazily and asynchronously; until one is ready the character heuristic
//     answers (call `warmUp()` at start-up to have it ready before the first request);
//   - texts up to `exactMaxChars` are counted exactly; longer ones are counted on a few evenly
//     spaced samples and extrapolated by their tokens-per-character ratio, which bounds the cost
//     at ~2 ms whatever the size and stays within a few per cent on real text. The estimate is
//     only a reservation: the real usage replaces it when the response ends.
// Non-OpenAI models (Llama, Qwen, Claude, ...) are counted with o200k as a proxy: a real modern
// BPE tracks their tokenizers far better than chars/4 does on code, numbers or CJK text.

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
 * (CJK runs near one token per character; over-counting accents is the safe side).
 */
export function heuristicTokens(text: string): number {
  let nonAscii = 0
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) > 0x7f) nonAscii++
  return Math.ceil((text.length - nonAscii) / 4) + nonAscii
}

export interface TokenCounterOptions {
  /** Longest text counted exactly; longer texts are sampled. */
  exactMaxChars?: number
  sampleChars?: number
  samples?: number
  load?: EncodingLoader
}

export class TokenCounter {
  private readonly encoders = new Map<EncodingName, CountFn>()
  private readonly loading = new Map<EncodingName, Promise<boolean>>()
  private readonly exactMaxChars: number
  private readonly sampleChars: number
  private readonly samples: number
  private readonly load: EncodingLoader

  constructor(opts: TokenCounterOptions = {}) {
    this.exactMaxChars = opts.exactMaxChars ?? 8192
    this.sampleChars = opts.sampleChars ?? 2048
    this.samples = Math.max(2, opts.samples ?? 4)
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

  isReady(encoding: EncodingName = 'o200k_base'): boolean {
    return this.encoders.has(encoding)
  }

  private sampled(text: string, encode: CountFn): number {
    const span = text.length - this.sampleChars
    let chars = 0
    let tokens = 0
    for (let i = 0; i < this.samples; i++) {
      const start = Math.floor((span * i) / (this.samples - 1))
      const sample = text.slice(start, start + this.sampleChars)
      chars += sample.length
      tokens += encode(sample)
    }
    return Math.ceil((tokens / chars) * text.length)
  }
}

/** Shared by the gateway so each encoding is loaded once per process. */
export const defaultTokenCounter = new TokenCounter()
