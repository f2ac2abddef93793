// A tiny typed pub/sub for what the gateway pushes to UIs (stats ticks, status changes).
import type { ApiEvents, EventName } from '../../../shared/api'

type Listener<E extends EventName> = (payload: ApiEvents[E]) => void

export class EventHub {
  private readonly listeners: { [E in EventName]: Set<Listener<E>> } = { stats: new Set(), status: new Set(), update: new Set() }

  on<E extends EventName>(event: E, listener: Listener<E>): () => void {
    const set = this.listeners[event] as Set<Listener<E>>
    set.add(listener)
    return () => set.delete(listener)
  }

  emit<E extends EventName>(event: E, payload: ApiEvents[E]): void {
    for (const listener of this.listeners[event] as Set<Listener<E>>) {
      try {
        listener(payload)
      } catch {
        // one broken subscriber must not starve the others
      }
    }
  }

  count(event: EventName): number {
    return this.listeners[event].size
  }

  private readonly closeListeners = new Set<() => void>()

  /** Called when the gateway stops: long-lived subscribers (event streams) end, so they do not hold shutdown. */
  onClose(listener: () => void): () => void {
    this.closeListeners.add(listener)
    return () => this.closeListeners.delete(listener)
  }

  close(): void {
    for (const listener of [...this.closeListeners]) {
      try {
        listener()
      } catch {
        // as in emit
      }
    }
    this.closeListeners.clear()
  }
}
