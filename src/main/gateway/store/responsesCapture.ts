// Reads the finished response object out of what a Responses client is sent — the
// `response.completed` (or `.incomplete`) event of a stream, or the whole JSON answer — so the
// response store can keep it. It only looks: the bytes go to the client unchanged.
import { SseFramer, sseField } from '../../../shared/sse'
import { sseData } from '../usage/streamBytes'

const MAX_JSON_BYTES = 16 * 1024 * 1024

export class ResponsesCapture {
  private mode: 'unknown' | 'sse' | 'json' | 'off' = 'unknown'
  private readonly framer = new SseFramer()
  private json: Buffer[] = []
  private jsonBytes = 0
  private done = false

  constructor(private readonly onResponse: (response: Record<string, unknown>) => void) {}

  /** Every chunk the client is sent, in order; `last` on the final one. */
  readonly tap = (chunk: Buffer | string, last: boolean): void => {
    if (this.done || this.mode === 'off') return
    const bytes = typeof chunk === 'string' ? Buffer.from(chunk) : chunk
    if (this.mode === 'unknown' && bytes.length > 0) this.mode = firstNonSpace(bytes) === 0x7b ? 'json' : 'sse'
    if (this.mode === 'sse') this.framer.push(bytes.toString('latin1'), this.onEvent)
    else if (this.mode === 'json') {
      this.jsonBytes += bytes.length
      if (this.jsonBytes > MAX_JSON_BYTES) this.mode = 'off'
      else this.json.push(bytes)
    }
    if (last) this.finish()
  }

  private finish(): void {
    if (this.done) return
    this.done = true
    if (this.mode !== 'json') return
    try {
      const doc = JSON.parse(Buffer.concat(this.json).toString('utf8')) as Record<string, unknown>
      if (doc.object === 'response') this.onResponse(doc)
    } catch {
      // not a response object: nothing to keep
    }
  }

  private readonly onEvent = (s: string, start: number, end: number): void => {
    const name = sseField(s, start, end, 'event')
    if (name !== 'response.completed' && name !== 'response.incomplete') return
    try {
      const doc = JSON.parse(sseData(s, start, end) ?? '') as { response?: Record<string, unknown> }
      if (doc.response) {
        this.done = true
        this.onResponse(doc.response)
      }
    } catch {
      // a malformed event: the client will see it too; nothing to keep
    }
  }
}

function firstNonSpace(bytes: Buffer): number {
  for (const b of bytes) if (b !== 0x20 && b !== 0x0a && b !== 0x0d && b !== 0x09) return b
  return -1
}
