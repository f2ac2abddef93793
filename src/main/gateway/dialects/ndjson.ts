// Newline-delimited JSON (Ollama's streams), both ways. Lines are cut by the one stream framer
// (src/shared/sse.ts, `lines` mode), fed raw upstream reads decoded here (a read may split a
// UTF-8 character anywhere): CR, LF and CRLF all end a line, as in SSE (JSON text cannot hold a
// raw CR or LF: both are escaped inside strings), a CRLF split across reads included; blank lines
// carry nothing and are skipped.
import { SseFramer } from '../../../shared/sse'

export class NdjsonParser {
  private readonly decoder = new TextDecoder('utf-8')
  private readonly framer = new SseFramer({ records: 'lines', eager: true, maxRecordChars: Infinity })
  private out: string[] = []

  /** Feeds one read; returns the lines it completed (possibly none), without their line ends. */
  push(chunk: Uint8Array): string[] {
    this.out = []
    this.framer.push(this.decoder.decode(chunk, { stream: true }), this.onLine)
    return this.out
  }

  /** The stream ended: flushes a dangling UTF-8 sequence and returns a last line left without its line end. */
  end(): string[] {
    this.out = []
    this.framer.push(this.decoder.decode(), this.onLine)
    this.framer.flush(this.onLine)
    return this.out
  }

  private readonly onLine = (s: string, start: number, end: number): void => {
    let e = end
    while (e > start && (s.charCodeAt(e - 1) === 10 || s.charCodeAt(e - 1) === 13)) e--
    const line = s.slice(start, e)
    if (line.trim() !== '') this.out.push(line)
  }
}

/** One value as an NDJSON line. */
export function ndjsonLine(payload: unknown): string {
  return `${JSON.stringify(payload)}\n`
}
