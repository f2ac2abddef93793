// SSE keep-alives while the upstream loads a model or the request waits in the queue, so clients
// and proxies with idle timeouts keep the connection. Anthropic clients get the API's own `ping`
// event; OpenAI clients get a comment line, which every SSE parser skips.
import { ANTHROPIC_PING } from '../sse'

export { ANTHROPIC_PING }

export const DEFAULT_KEEPALIVE_MS = 10_000

export interface KeepAlive {
  /** Stops the pings; call it before writing the next real event and when the exchange ends. */
  close(): void
}

/**
 * Writes `payload` every `intervalMs` until closed. The caller must only start it at an event
 * boundary (after headers or a complete event). The timer is unref'd: it never holds the process.
 */
export function startKeepAlive(write: (payload: string) => void, payload: string = ANTHROPIC_PING, intervalMs: number = DEFAULT_KEEPALIVE_MS): KeepAlive {
  const timer = setInterval(() => write(payload), intervalMs)
  timer.unref()
  return { close: () => clearInterval(timer) }
}

