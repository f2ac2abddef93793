import type { ServerResponse } from 'node:http'
import { GatewayError, openAIErrorType } from './errors'

export function sendJson(res: ServerResponse, status: number, body: unknown, headers?: Record<string, string>): void {
  if (res.headersSent) {
    res.destroy()
    return
  }
  const payload = JSON.stringify(body)
  res.writeHead(status, {
    ...headers,
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(payload),
  })
  res.end(payload)
}

export function openAIErrorBody(err: GatewayError): { error: { message: string; type: string; code: string; param: string | null } } {
  return { error: { message: err.message, type: openAIErrorType(err.status), code: err.code, param: err.param ?? null } }
}

/** Every error a client of the OpenAI routes (and the admin API) sees goes through here. */
export function sendOpenAIError(res: ServerResponse, err: GatewayError): void {
  const headers: Record<string, string> = {}
  if (err.retryAfterSec !== undefined) headers['retry-after'] = String(Math.max(1, Math.ceil(err.retryAfterSec)))
  sendJson(res, err.status, openAIErrorBody(err), headers)
}
