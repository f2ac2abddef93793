// Newline-delimited JSON (Ollama's streams), both ways. Like the SSE parser, it is fed raw
// upstream reads that may split a line, a CRLF pair or a UTF-8 character anywhere: the unfinished
// tail is carried over and only complete lines come out. JSON text cannot hold a raw CR or LF
// (both are escaped inside strings), so CR, LF and CRLF all end a line, as in SSE; blank lines
// carry nothing and are skipped.

export class NdjsonParser {
  private readonly decoder = new TextDecoder('utf-8')
  private carry = ''

  /** Feeds one read; returns the lines it completed (possibly none), without their line ends. */
  push(chunk: Uint8Array): string[] {
    return this.consume(this.decoder.decode(chunk, { stream: true }), false)
  }

  /** The stream ended: flushes a dangling UTF-8 sequence and returns a last line left without its line end. */
  end(): string[] {
    return this.consume(this.decoder.decode(), true)
  }

  private consume(text: string, final: boolean): string[] {
    const out: string[] = []
    const input = this.carry + text
    // The carry holds no line end, so scanning resumes where the last read stopped (linear time).
    let start = 0
    const n = input.length
    for (let i = this.carry.length; i < n; i++) {
      const c = input.charCodeAt(i)
      if (c !== 0x0a && c !== 0x0d) continue
      this.line(input.slice(start, i), out)
      start = i + 1 // a CRLF pair leaves an empty line between CR and LF, which is skipped
    }
    const rest = input.slice(start)
    this.carry = final ? '' : rest
    if (final) this.line(rest, out)
    return out
  }

  private line(line: string, out: string[]): void {
    if (line.trim() !== '') out.push(line)
  }
}

/** One value as an NDJSON line. */
export function ndjsonLine(payload: unknown): string {
  return `${JSON.stringify(payload)}\n`
}
