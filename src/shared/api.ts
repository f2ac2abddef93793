// The app API: every operation the UI can call, declared once. Main's handlers, the preload
// bridge, the headless web bridge and the renderer client are all checked against this table.
import { z } from 'zod'
import type { Config, ProviderKind } from './config'

export type GatewayState = 'starting' | 'listening' | 'paused' | 'error' | 'stopped'

export interface GatewayStatus {
  state: GatewayState
  /** Base URL clients use, e.g. http://127.0.0.1:7171 (undefined until listening). */
  url?: string
  host: string
  port: number
  error?: string
  activeProvider?: string
  version: string
}

export interface ProviderView {
  id: string
  name: string
  kind: ProviderKind
  baseUrl: string
  enabled: boolean
  active: boolean
  /** Whether a key is configured; the key itself never leaves the main process. */
  keySet: boolean
  models: string[]
  defaultModel?: string
}

export interface ProviderStats {
  requests: number
  inFlight: number
  errors: number
}

export interface StatsSnapshot {
  at: number
  uptimeMs: number
  requestsTotal: number
  errorsTotal: number
  inFlight: number
  providers: Record<string, ProviderStats>
}

export interface ApiError {
  code: string
  message: string
}
export type ApiResult<T> = { ok: true; value: T } | { ok: false; error: ApiError }

type HttpMethod = 'GET' | 'POST' | 'PUT' | 'DELETE'

export interface OperationSpec<Args, Result> {
  http: {
    method: HttpMethod
    /** Path under the web bridge; `:name` segments become args fields. */
    path: string
    /** 'args': the JSON body is the whole argument. Otherwise args come from path params (and the query when `query`). */
    body?: 'args'
    /** Read arguments from the query string (GET operations with filters); other operations ignore it. */
    query?: true
  }
  args: z.ZodType<Args>
  /** Phantom field carrying the result type; never set at runtime. */
  result?: Result
}

function operation<Args, Result>(spec: OperationSpec<Args, Result>): OperationSpec<Args, Result> {
  return spec
}

const noArgs = z.undefined().or(z.strictObject({})).transform(() => undefined)

export const api = {
  getStatus: operation<undefined, GatewayStatus>({ http: { method: 'GET', path: '/status' }, args: noArgs }),
  getConfig: operation<undefined, Config>({ http: { method: 'GET', path: '/config' }, args: noArgs }),
  // The config is validated by the shared config schema in the handler, where the stored secrets are.
  replaceConfig: operation<unknown, Config>({ http: { method: 'PUT', path: '/config', body: 'args' }, args: z.unknown() }),
  listProviders: operation<undefined, { items: ProviderView[] }>({ http: { method: 'GET', path: '/providers' }, args: noArgs }),
  setActiveProvider: operation<{ id: string }, GatewayStatus>({
    http: { method: 'POST', path: '/active-provider', body: 'args' },
    args: z.strictObject({ id: z.string().min(1).max(64) }),
  }),
  getStats: operation<undefined, StatsSnapshot>({ http: { method: 'GET', path: '/stats' }, args: noArgs }),
} as const

export type Api = typeof api
export type OperationName = keyof Api
export type ArgsOf<K extends OperationName> = Api[K] extends OperationSpec<infer A, unknown> ? A : never
export type ResultOf<K extends OperationName> = Api[K] extends OperationSpec<unknown, infer R> ? R : never

/** What main implements once and both IPC and the web bridge call. */
export type ApiHandlers = { [K in OperationName]: (args: ArgsOf<K>) => Promise<ResultOf<K>> }

/** What the renderer calls, whichever transport carries it. */
export type ApiClient = {
  [K in OperationName]: ArgsOf<K> extends undefined ? () => Promise<ResultOf<K>> : (args: ArgsOf<K>) => Promise<ResultOf<K>>
}

/** Pushed from main to the UI. */
export interface ApiEvents {
  stats: StatsSnapshot
  status: GatewayStatus
}
export type EventName = keyof ApiEvents
export const apiEventNames = ['stats', 'status'] as const satisfies readonly EventName[]

export const WEB_BRIDGE_PREFIX = '/admin/api'
export const WEB_EVENTS_PATH = '/events'
export const ipcChannel = (name: OperationName): string => `switchyard:${name}`
export const ipcEventChannel = (name: EventName): string => `switchyard:event:${name}`

export const operationNames = Object.keys(api) as OperationName[]

/** The surface the preload script exposes on `window.switchyard`. */
export interface PreloadBridge {
  invoke: { [K in OperationName]: (args?: unknown) => Promise<ApiResult<ResultOf<K>>> }
  on<E extends EventName>(event: E, listener: (payload: ApiEvents[E]) => void): () => void
}
