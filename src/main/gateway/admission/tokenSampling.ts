// How a long text is counted: on a few evenly spaced samples, extrapolated by their
// tokens-per-character ratio (see tokenCounter.ts for why). Shared by the in-process counter and
// the tokenizer thread's client, which sends only the samples of a long text to its worker.
/** Longest text counted exactly by default; longer texts are counted on samples. */
export const EXACT_MAX_CHARS = 8192
export const SAMPLE_CHARS = 2048
export const SAMPLES = 4

/** `samples` evenly spaced windows of `sampleChars` over a long text (the first at its start, the last at its end). */
export function sampleText(text: string, sampleChars = SAMPLE_CHARS, samples = SAMPLES): string[] {
  const span = text.length - sampleChars
  const out: string[] = []
  for (let i = 0; i < samples; i++) {
    const start = Math.floor((span * i) / (samples - 1))
    out.push(text.slice(start, start + sampleChars))
  }
  return out
}

/** A whole text's tokens from its samples' count, at their tokens-per-character rate. */
export function extrapolate(sampleTokens: number, samples: readonly string[], length: number): number {
  let chars = 0
  for (const s of samples) chars += s.length
  return chars === 0 ? 0 : Math.ceil((sampleTokens / chars) * length)
}
