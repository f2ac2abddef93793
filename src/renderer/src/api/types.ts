// What the UI talks to, whichever transport carries it (IPC in Electron, HTTP in a browser).
import type { ApiClient, ApiEvents, EventName } from '../../../shared/api'
import { friendlyError } from '../logic/friendlyErrors'

export type Unsubscribe = () => void

export interface UiClient extends ApiClient {
  readonly transport: 'ipc' | 'http'
  on<E extends EventName>(event: E, listener: (payload: ApiEvents[E]) => void): Unsubscribe
  /** Web mode: a new admin token (a `#token=` link pasted into an open tab). */
  setToken?(token: string | undefined): void
}

/** A failed API call: a stable code to branch on and a message that is safe to show. */
export class ApiClientError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message)
    this.name = 'ApiClientError'
  }
}

export function errorMessage(err: unknown): string {
  if (err instanceof ApiClientError && err.code === 'unauthorized') {
    return 'The admin token is missing or wrong. Open the dashboard link printed by `switchyard serve` (it ends in #token=…).'
  }
  if (err instanceof ApiClientError && err.code === 'unreachable') return err.message
  if (err instanceof Error) return friendlyError(err.message)
  return String(err)
}
