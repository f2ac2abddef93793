// Windows tells top-level windows, not the app, that the session ends (WM_QUERYENDSESSION /
// WM_ENDSESSION, Electron's `query-session-end` / `session-end`), and a tray app often has no
// window open. A hidden BaseWindow (no web contents, no renderer process: just a native window
// handle) is kept for as long as the app runs so those messages always arrive.
import { BaseWindow } from 'electron'
import type { SessionEndKind } from './lifecycle'

export interface SessionWindowLike {
  on(event: 'query-session-end' | 'session-end', listener: (event: { preventDefault?(): void }) => void): unknown
  destroy(): void
  isDestroyed(): boolean
}

export function watchWindowsSessionEnd(
  onEnd: (kind: SessionEndKind, event?: { preventDefault?(): void }) => void,
  create: () => SessionWindowLike = () => new BaseWindow({ show: false, width: 1, height: 1, skipTaskbar: true, focusable: false, title: 'Switchyard session guard' }) as unknown as SessionWindowLike,
): () => void {
  const win = create()
  win.on('query-session-end', (event) => onEnd('query-session-end', event))
  win.on('session-end', (event) => onEnd('session-end', event))
  return () => {
    if (!win.isDestroyed()) win.destroy()
  }
}
