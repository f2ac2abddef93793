// Server-sent events over fetch(): EventSource cannot send an Authorization header. One stream
// is shared by all listeners, opened with the first and closed with the last, and reconnected
// with backoff when the gateway restarts.
import { apiEventNames, type ApiEvents, type EventName } from '../../../shared/api'
import { createSseParser } from './sse'
import type { Unsubscribe } from './types'

export interface EventStreamOptions {
  url: string
  headers: Record<string, string>
  fetch: typeof fetch
  /** Backoff between reconnects: starts here, doubles, capped at maxRetryMs. */
  retryMs?: number
  maxRetryMs?: number
}

type AnyListener = (payload: never) => void

export function openEventStream(opts: EventStreamOptions) {
  const listeners = new Map<EventName, Set<AnyListener>>()
  let controller: AbortController | undefined
  let retryTimer: ReturnType<typeof setTimeout> | undefined
  const baseRetry = opts.retryMs ?? 1000
  let retryMs = baseRetry

  const total = (): number => [...listeners.values()].reduce((n, set) => n + set.size, 0)

  const dispatch = (event: string, data: string): void => {
    if (!(apiEventNames as readonly string[]).includes(event)) return
    let payload: unknown
    try {
      payload = JSON.parse(data)
    } catch {
      return
    }
    for (const listener of listeners.get(event as EventName) ?? []) (listener as (p: unknown) => void)(payload)
  }

  async function connect(): Promise<void> {
    const abort = new AbortController()
    controller = abort
    try {
      const response = await opts.fetch(opts.url, { headers: { ...opts.headers, accept: 'text/event-stream' }, signal: abort.signal, cache: 'no-store' })
      // A wrong token will not fix itself: stop instead of hammering the gateway.
      if (response.status === 401 || response.status === 403) return
      if (!response.ok || !response.body) throw new Error(`HTTP ${response.status}`)
      retryMs = baseRetry
      const parser = createSseParser((e) => dispatch(e.event, e.data))
      const reader = response.body.pipeThrough(new TextDecoderStream()).getReader()
      for (;;) {
        const { value, done } = await reader.read()
        if (done) break
        parser.feed(value)
      }
    } catch {
      // dropped or refused; retried below unless we were closed on purpose
    }
    if (controller !== abort || abort.signal.aborted) return
    controller = undefined
    retryTimer = setTimeout(() => {
      retryTimer = undefined
      if (total() > 0 && !controller) void connect()
    }, retryMs)
    retryMs = Math.min(retryMs * 2, opts.maxRetryMs ?? 15_000)
  }

  function close(): void {
    controller?.abort()
    controller = undefined
    if (retryTimer !== undefined) clearTimeout(retryTimer)
    retryTimer = undefined
    retryMs = baseRetry
  }

  function on<E extends EventName>(event: E, listener: (payload: ApiEvents[E]) => void): Unsubscribe {
    let set = listeners.get(event)
    if (!set) listeners.set(event, (set = new Set()))
    set.add(listener as AnyListener)
    if (!controller && retryTimer === undefined) void connect()
    return () => {
      set.delete(listener as AnyListener)
      if (total() === 0) close()
    }
  }

  /** Drops the connection and opens a new one (new credentials) if anyone listens. */
  function reconnect(): void {
    close()
    if (total() > 0) void connect()
  }

  return { on, close, reconnect }
}
