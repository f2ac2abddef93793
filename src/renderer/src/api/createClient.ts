// Picks the transport once at start-up: the preload bridge when we run inside Electron, the web
// bridge over HTTP when a browser opened the headless dashboard. Nothing else in the UI knows.
import { takeAdminToken } from './adminToken'
import { createHttpClient } from './httpTransport'
import { createIpcClient } from './ipcTransport'
import type { UiClient } from './types'

export function createClient(win: Window = window): UiClient {
  if (win.switchyard) return createIpcClient(win.switchyard)
  const token = takeAdminToken({ location: win.location, history: win.history, storage: win.sessionStorage })
  return createHttpClient({ baseUrl: win.location.origin, token })
}
