// The API over the headless web bridge: /admin/api/<path from api.ts>, JSON, Bearer admin token.
import { api, operationNames, WEB_BRIDGE_PREFIX, type OperationName } from '../../../shared/api'
import { openEventStream, type EventStreamOptions } from './eventStream'
import { ApiClientError, type UiClient } from './types'

export interface HttpClientOptions {
  /** Origin of the gateway; the dashboard is served by it, so usually location.origin. */
  baseUrl: string
  token: string | undefined
  fetch?: typeof fetch
  events?: Omit<EventStreamOptions, 'url' | 'headers' | 'fetch'>
}

/** Method, URL and body for one operation call; path `:params` are taken from the arguments. */
export function buildRequest(name: OperationName, args: unknown, baseUrl: string): { method: string; url: string; body?: string } {
  const spec = api[name].http
  const fields: Record<string, unknown> = args !== null && typeof args === 'object' ? { ...(args as Record<string, unknown>) } : {}
  const path = spec.path.replace(/:([A-Za-z0-9_]+)/g, (_m, key: string) => {
    const value = fields[key]
    delete fields[key]
    return encodeURIComponent(String(value ?? ''))
  })
  const url = new URL(WEB_BRIDGE_PREFIX + path, baseUrl)
  if (spec.body === 'args') return { method: spec.method, url: url.href, body: JSON.stringify(args ?? null) }
  for (const [key, value] of Object.entries(fields)) if (value !== undefined) url.searchParams.set(key, String(value))
  return { method: spec.method, url: url.href }
}

export function createHttpClient(opts: HttpClientOptions): UiClient {
  const doFetch = opts.fetch ?? globalThis.fetch.bind(globalThis)
  const auth: Record<string, string> = opts.token ? { authorization: `Bearer ${opts.token}` } : {}

  const call = async (name: OperationName, args: unknown): Promise<unknown> => {
    const request = buildRequest(name, args, opts.baseUrl)
    let response: Response
    try {
      response = await doFetch(request.url, {
        method: request.method,
        headers: request.body === undefined ? auth : { ...auth, 'content-type': 'application/json' },
        body: request.body,
        cache: 'no-store',
      })
    } catch {
      throw new ApiClientError('unreachable', 'Cannot reach the Switchyard gateway. Is it still running?')
    }
    const body = (await response.json().catch(() => undefined)) as { error?: { code?: string; message?: string } } | undefined
    if (response.ok) return body
    const error = body?.error
    throw new ApiClientError(
      response.status === 401 ? 'unauthorized' : (error?.code ?? `http_${response.status}`),
      error?.message ?? `${name} failed with HTTP ${response.status}`,
    )
  }

  const events = openEventStream({
    ...opts.events,
    url: new URL(`${WEB_BRIDGE_PREFIX}/events`, opts.baseUrl).href,
    headers: auth,
    fetch: doFetch,
  })

  const client: Record<string, unknown> = { transport: 'http', on: events.on }
  for (const name of operationNames) client[name] = (args?: unknown) => call(name, args)
  return client as unknown as UiClient
}
