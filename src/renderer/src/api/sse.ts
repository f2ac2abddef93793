// The dashboard's side of the one SSE parser (src/shared/sse.ts): fed decoded text in arbitrary
// pieces (a line or an event may be split across network reads), it emits complete events, named
// `message` when the server gave no name, as EventSource does.
import { SseEventParser } from '../../../shared/sse'

export interface SseEvent {
  event: string
  data: string
}

export function createSseParser(onEvent: (event: SseEvent) => void): { feed(text: string): void } {
  const parser = new SseEventParser()
  return {
    feed(text) {
      for (const e of parser.push(text)) onEvent({ event: e.event ?? 'message', data: e.data })
    },
  }
}
