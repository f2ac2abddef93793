// Streaming callers that wait — in the admission queue, or for a local model to load — get SSE
// keep-alives (OpenAI: comments; Anthropic: ping events) so their own idle timeouts do not fire.
// The first one commits a 200 event-stream head, after which a failure can only be an error
// event; so they start only after a grace period in which most failures show up as statuses.
import type { ClientResponse } from '../forward/clientResponse'

export const KEEPALIVE_GRACE_MS = 5_000
export const KEEPALIVE_EVERY_MS = 10_000

export interface KeepAliveTiming {
  graceMs?: number
  everyMs?: number
}

export interface KeepAlive {
  stop(): void
}

export function startKeepAlive(client: ClientResponse, graceMs = KEEPALIVE_GRACE_MS, everyMs = KEEPALIVE_EVERY_MS): KeepAlive {
  let timer: NodeJS.Timeout | undefined = setTimeout(function tick() {
    if (client.gone || (client.started && !client.isEventStreamOpen)) return
    try {
      client.openEventStream()
      client.keepAlive()
    } catch {
      // A timer's throw would reach the process: this exchange is broken, end it alone.
      client.res.destroy()
      return
    }
    timer = setTimeout(tick, everyMs)
    timer.unref()
  }, graceMs)
  timer.unref()
  return {
    stop() {
      if (timer) clearTimeout(timer)
      timer = undefined
    },
  }
}
