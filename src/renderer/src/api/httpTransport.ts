// The API over the headless web bridge: /admin/api/<path from api.ts>, JSON, Bearer admin token.
import { api, httpRequestFor, operationNames, WEB_BRIDGE_PREFIX, WEB_EVENTS_PATH, type OperationName } from '../../../shared/api'
import { openEventStream, type EventStreamOptions } from './eventStream'
import { ApiClientError, type UiClient } from './types'

export interface HttpClientOptions {
  /** Origin of the gateway; the dashboard is served by it, so usually location.origin. */
  baseUrl: string
  token: string | undefined
  fetch?: typeof fetch
  events?: Omit<EventStreamOptions, 'url' | 'headers' | 'fetch'>
}

/** Method, URL and body for one operation call (the mapping lives in api.ts, shared with the web bridge). */
export function buildRequest(name: OperationName, args: unknown, baseUrl: string): { method: string; url: string; body?: string } {
  const request = httpRequestFor(name, args)
  const url = new URL(WEB_BRIDGE_PREFIX + request.path, baseUrl)
  for (const [key, value] of Object.entries(request.query)) url.searchParams.set(key, value)
  return { method: request.method, url: url.href, body: request.body === undefined ? undefined : JSON.stringify(request.body) }
}

export function createHttpClient(opts: HttpClientOptions): UiClient {
  const doFetch = opts.fetch ?? globalThis.fetch.bind(globalThis)
  // One object, changed in place by setToken: the event stream reads it at every (re)connect.
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
    if (response.ok && api[name].http.file) {
      const disposition = response.headers.get('content-disposition') ?? ''
      const filename = /filename="([^"]+)"/.exec(disposition)?.[1] ?? 'switchyard-export'
      return { filename, contentType: response.headers.get('content-type') ?? 'application/octet-stream', body: await response.text() }
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
    url: new URL(WEB_BRIDGE_PREFIX + WEB_EVENTS_PATH, opts.baseUrl).href,
    headers: auth,
    fetch: doFetch,
  })

  const setToken = (token: string | undefined): void => {
    if (token) auth.authorization = `Bearer ${token}`
    else delete auth.authorization
    events.reconnect?.()
  }
  const client: Record<string, unknown> = { transport: 'http', on: events.on, setToken }
  for (const name of operationNames) client[name] = (args?: unknown) => call(name, args)
  return client as unknown as UiClient
}
