// How the desktop app ends: a quit that drains the gateway and flushes the ledger, a watchdog
// that exits if that hangs, and the OS ending the session (Windows log-off/shut-down, powerMonitor
// `shutdown` on macOS and Linux), where there may be no time for a graceful stop and the ledger is
// flushed synchronously first. Plus the notification keeper: a Notification that nothing
// references can be garbage-collected before the user clicks it, and its click is then lost.
import { DEFAULT_GRACE_MS } from '../gateway'

/** A quit may take the gateway's grace period plus a few seconds for the ledger and the log. */
export const QUIT_WATCHDOG_MS = DEFAULT_GRACE_MS + 5_000

export interface Timers {
  setTimeout(fn: () => void, ms: number): unknown
  clear(handle: unknown): void
}

const nodeTimers: Timers = { setTimeout: (fn, ms) => setTimeout(fn, ms), clear: (h) => clearTimeout(h as NodeJS.Timeout) }

export interface QuitWatchdog {
  /** Starts counting (idempotent). */
  arm(): void
  disarm(): void
  readonly armed: boolean
}

/** Calls onExpire (log + app.exit) when a quit did not finish in time. Not unref'd: it must fire. */
export function createQuitWatchdog(opts: { timeoutMs?: number; onExpire(): void; timers?: Timers }): QuitWatchdog {
  const timers = opts.timers ?? nodeTimers
  let handle: unknown
  return {
    arm() {
      if (handle !== undefined) return
      handle = timers.setTimeout(() => {
        handle = undefined
        opts.onExpire()
      }, opts.timeoutMs ?? QUIT_WATCHDOG_MS)
    },
    disarm() {
      if (handle === undefined) return
      timers.clear(handle)
      handle = undefined
    },
    get armed() {
      return handle !== undefined
    },
  }
}

export type SessionEndKind = 'query-session-end' | 'session-end' | 'shutdown'

export interface SessionEndPlan {
  /** Write the pending ledger rows and the log now, synchronously. */
  flushNow: boolean
  /** Let windows close for real (hide-on-close would hold the session up). */
  allowClose: boolean
  /** Begin the graceful stop (drain + close), as far as the OS lets it run. */
  beginShutdown: boolean
  /** powerMonitor `shutdown`: ask the OS to wait, then quit (Electron's documented pattern). */
  preventDefaultAndQuit: boolean
}

/**
 * Windows asks first (query-session-end: we may still run async work) and then ends the session
 * (session-end: the process can be killed at any moment, so the flush is synchronous and comes
 * first). macOS and Linux announce it once (powerMonitor `shutdown`).
 */
export function sessionEndPlan(kind: SessionEndKind): SessionEndPlan {
  switch (kind) {
    case 'query-session-end':
      return { flushNow: true, allowClose: true, beginShutdown: true, preventDefaultAndQuit: false }
    case 'session-end':
      return { flushNow: true, allowClose: true, beginShutdown: true, preventDefaultAndQuit: false }
    case 'shutdown':
      return { flushNow: true, allowClose: true, beginShutdown: false, preventDefaultAndQuit: true }
  }
}

export interface SessionEndDeps {
  flushNow(): void
  allowClose(): void
  beginShutdown(): void
  quit(): void
  log?(kind: SessionEndKind): void
}

/** Applies the plan for one OS event; `event` is Electron's (preventDefault where it exists). */
export function handleSessionEnd(kind: SessionEndKind, event: { preventDefault?(): void } | undefined, deps: SessionEndDeps): void {
  const plan = sessionEndPlan(kind)
  deps.log?.(kind)
  if (plan.allowClose) deps.allowClose()
  if (plan.flushNow) {
    try {
      deps.flushNow()
    } catch {
      // nothing more can be done in the last moments of a session
    }
  }
  if (plan.preventDefaultAndQuit) {
    event?.preventDefault?.()
    deps.quit()
  } else if (plan.beginShutdown) deps.beginShutdown()
}

/** The part of Electron's Notification the keeper uses. */
export interface NotificationLike {
  on(event: 'click' | 'close' | 'failed', listener: () => void): unknown
  show(): void
}

/** Holds each shown notification until it is clicked, closed or failed. */
export function createNotificationKeeper<N extends NotificationLike>(): { show(notification: N): void; readonly size: number } {
  const live = new Set<N>()
  return {
    show(notification) {
      live.add(notification)
      const release = (): void => void live.delete(notification)
      notification.on('click', release)
      notification.on('close', release)
      notification.on('failed', release)
      notification.show()
    },
    get size() {
      return live.size
    },
  }
}
