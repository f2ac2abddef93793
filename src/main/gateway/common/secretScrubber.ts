// Takes a provider's own secrets (its key, secret header values, the password in its base URL)
// out of text that came from that provider before it reaches a client or a log: upstreams echo
// a rejected key in their 401 body ("Incorrect API key provided: sk-..."), some quote the whole
// request URL, a model server may put it in an error event mid-stream. Error answers are
// rewritten; relayed bytes are masked in place (same length, so a Content-Length stays right).
// Cheap when there is nothing to find: a scan per secret form, no copy; nothing at all for a
// provider without secrets (most local servers).

export const REDACTED = '[redacted]'

/**
 * Shorter values are not scrubbed: they are the placeholder keys local servers accept
 * ("ollama", "EMPTY", "none") and would blank out ordinary words, while real secrets are longer.
 */
export const MIN_SCRUBBED_LENGTH = 8

export class SecretScrubber {
  static readonly none = new SecretScrubber([])

  /** Every form a secret may take in a body, longest first (so `Bearer sk-…` goes before `sk-…`). */
  private readonly texts: string[]
  private readonly needles: Buffer[]
  private readonly replacement = Buffer.from(REDACTED)

  constructor(secrets: Iterable<string | undefined>) {
    const forms = new Set<string>()
    for (const secret of secrets) {
      if (secret === undefined || secret.length < MIN_SCRUBBED_LENGTH) continue
      forms.add(secret)
      forms.add(JSON.stringify(secret).slice(1, -1)) // as it appears inside a JSON string
      forms.add(encodeURIComponent(secret)) // as it appears in an echoed URL
    }
    this.texts = [...forms].sort((a, b) => b.length - a.length)
    this.needles = this.texts.map((t) => Buffer.from(t))
  }

  get empty(): boolean {
    return this.texts.length === 0
  }

  /** The body with every secret replaced; the same Buffer when none occurs in it. */
  buffer(body: Buffer): Buffer {
    let out = body
    for (const needle of this.needles) if (out.includes(needle)) out = replaceAll(out, needle, this.replacement)
    return out
  }

  /**
   * Relayed bytes with every secret overwritten by `*` of the same length: the same Buffer when
   * none occurs. (A secret split across two chunks is not seen: the first half is already sent.)
   */
  mask(chunk: Buffer): Buffer {
    let out = chunk
    for (const needle of this.needles) {
      let at = out.indexOf(needle)
      if (at === -1) continue
      if (out === chunk) out = Buffer.from(chunk) // never write into undici's buffer
      for (; at !== -1; at = out.indexOf(needle, at + needle.length)) out.fill(0x2a, at, at + needle.length)
    }
    return out
  }

  /** mask() for text. */
  maskText(value: string): string {
    let out = value
    for (const t of this.texts) if (out.includes(t)) out = out.split(t).join('*'.repeat(t.length))
    return out
  }

  text(value: string): string {
    let out = value
    for (const t of this.texts) if (out.includes(t)) out = out.split(t).join(REDACTED)
    return out
  }
}

function replaceAll(haystack: Buffer, needle: Buffer, replacement: Buffer): Buffer {
  const parts: Buffer[] = []
  let from = 0
  for (let at = haystack.indexOf(needle, from); at !== -1; at = haystack.indexOf(needle, from)) {
    parts.push(haystack.subarray(from, at), replacement)
    from = at + needle.length
  }
  parts.push(haystack.subarray(from))
  return Buffer.concat(parts)
}

/** `Bearer sk-…` / `Basic …` / `Token …`: the credential alone is a secret form too (an upstream may echo just that). */
export function credentialOf(headerValue: string): string | undefined {
  const m = /^(?:bearer|basic|token|key)\s+(\S+)\s*$/i.exec(headerValue)
  return m?.[1]
}
