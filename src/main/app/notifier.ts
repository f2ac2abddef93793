// Turns notificationsFor() into native notifications. It watches every stats tick, also while
// notifications are off, so turning them on does not announce stale changes.
import type { Gateway } from '../gateway'
import type { Logger } from '../gateway'
import type { ConfigStore } from '../gateway'
import { notificationsFor, type Notice, type WatchState } from './notifications'

export interface NotifierDeps {
  events: Pick<Gateway['events'], 'on'>
  configStore: Pick<ConfigStore, 'get'>
  enabled(): boolean
  /** Shows one notice (Electron: new Notification(...).show()). */
  show(notice: Notice): void
  logger?: Logger
}

export function createNotifier(deps: NotifierDeps): () => void {
  let state: WatchState | undefined
  return deps.events.on('stats', (snapshot) => {
    const names = new Map(deps.configStore.get().providers.map((p) => [p.id, p.name ?? p.id]))
    const result = notificationsFor(state, snapshot, names)
    state = result.state
    if (result.notices.length === 0 || !deps.enabled()) return
    for (const notice of result.notices) {
      try {
        deps.show(notice)
      } catch (err) {
        deps.logger?.warn({ err: (err as Error).message }, 'cannot show a notification')
      }
    }
  })
}
