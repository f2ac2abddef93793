import { describe, expect, it, vi } from 'vitest'
import { buildRequest, createHttpClient } from '../../../src/renderer/src/api/httpTransport'
import { ApiClientError } from '../../../src/renderer/src/api/types'

const base = 'http://127.0.0.1:7171'

function jsonResponse(status: number, body: unknown): Response {
  return new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } })
}

describe('buildRequest', () => {
  it('maps operations to their web-bridge routes', () => {
    expect(buildRequest('getStatus', undefined, base)).toEqual({ method: 'GET', url: `${base}/admin/api/status` })
    expect(buildRequest('listProviders', undefined, base)).toEqual({ method: 'GET', url: `${base}/admin/api/providers` })
    expect(buildRequest('setActiveProvider', { id: 'a b' }, base)).toEqual({ method: 'POST', url: `${base}/admin/api/active-provider`, body: '{"id":"a b"}' })
    expect(buildRequest('replaceConfig', { version: 1 }, base)).toEqual({ method: 'PUT', url: `${base}/admin/api/config`, body: '{"version":1}' })
  })
})

describe('createHttpClient', () => {
  it('sends the admin token, JSON content type for bodies, and returns the JSON result', async () => {
    const fetch = vi.fn(async () => jsonResponse(200, { state: 'listening' }))
    const client = createHttpClient({ baseUrl: base, token: 't0k', fetch: fetch as never })
    await expect(client.getStatus()).resolves.toEqual({ state: 'listening' })
    expect(fetch).toHaveBeenCalledWith(`${base}/admin/api/status`, expect.objectContaining({ method: 'GET', headers: { authorization: 'Bearer t0k' } }))
    await client.setActiveProvider({ id: 'x' })
    expect(fetch).toHaveBeenLastCalledWith(
      `${base}/admin/api/active-provider`,
      expect.objectContaining({ method: 'POST', body: '{"id":"x"}', headers: { authorization: 'Bearer t0k', 'content-type': 'application/json' } }),
    )
  })

  it('turns OpenAI-shaped error bodies into coded errors', async () => {
    const fetch = vi.fn(async () => jsonResponse(404, { error: { message: 'no provider with id "x"', code: 'invalid_request' } }))
    const client = createHttpClient({ baseUrl: base, token: 't', fetch: fetch as never })
    const err = await client.setActiveProvider({ id: 'x' }).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(ApiClientError)
    expect(err).toMatchObject({ code: 'invalid_request', message: 'no provider with id "x"' })
  })

  it('401 is always "unauthorized"; garbage bodies and network failures still give a message', async () => {
    const unauthorized = createHttpClient({ baseUrl: base, token: undefined, fetch: (async () => jsonResponse(401, { error: { code: 'unauthorized', message: 'm' } })) as never })
    await expect(unauthorized.getStats()).rejects.toMatchObject({ code: 'unauthorized' })
    const garbage = createHttpClient({ baseUrl: base, token: 't', fetch: (async () => new Response('<html>', { status: 502 })) as never })
    await expect(garbage.getStats()).rejects.toMatchObject({ code: 'http_502', message: 'getStats failed with HTTP 502' })
    const down = createHttpClient({ baseUrl: base, token: 't', fetch: (async () => Promise.reject(new TypeError('Failed to fetch'))) as never })
    await expect(down.getStats()).rejects.toMatchObject({ code: 'unreachable' })
  })
})
