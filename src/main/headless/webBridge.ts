// The app API over HTTP for the dashboard in headless mode: /admin/api/<operation> (JSON) and
// /admin/api/events (SSE), all behind the admin token. Routes are derived from src/shared/api.ts.
import { timingSafeEqual } from 'node:crypto'
import type { ServerResponse } from 'node:http'
import {
  api,
  apiEventNames,
  argsFromHttp,
  type ExportFile,
  operationNames,
  WEB_BRIDGE_PREFIX,
  WEB_EVENTS_PATH,
  type ApiHandlers,
  type OperationName,
} from '../../shared/api'
import { ApiFailure } from '../gateway'
import { GatewayError, openAIErrorType } from '../gateway'
import type { EventHub } from '../gateway'
import type { Logger } from '../gateway'
import { isJsonContentType, parseJsonObject, readBody } from '../gateway'
import type { RequestContext } from '../gateway'
import { sendJson, sendOpenAIError } from '../gateway'

const MAX_ADMIN_BODY = 4 * 1024 * 1024
const KEEPALIVE_MS = 15_000

interface CompiledOperation {
  name: OperationName
  method: string
  segments: string[]
}

export interface WebBridgeDeps {
  handlers: ApiHandlers
  events: EventHub
  adminToken: string
  logger: Logger
}

/** Maps a bridge failure to its HTTP status; messages are already safe to show. */
const failureStatus: Record<ApiFailure['code'], number> = { invalid_argument: 400, not_found: 404, conflict: 409, internal: 500 }

export function createWebBridge(deps: WebBridgeDeps) {
  const operations: CompiledOperation[] = operationNames.map((name) => ({
    name,
    method: api[name].http.method,
    segments: splitPath(api[name].http.path),
  }))
  const expected = Buffer.from(deps.adminToken)

  function authorized(header: string | undefined): boolean {
    if (!header?.startsWith('Bearer ')) return false
    const given = Buffer.from(header.slice(7).trim())
    return given.length === expected.length && timingSafeEqual(given, expected)
  }

  /** Returns false when the path is not under /admin/api. */
  async function handle(ctx: RequestContext): Promise<boolean> {
    if (!ctx.path.startsWith(WEB_BRIDGE_PREFIX + '/')) return false
    const { req, res } = ctx
    if (!authorized(req.headers.authorization)) {
      sendOpenAIError(res, new GatewayError('unauthorized', 'missing or wrong admin token (Authorization: Bearer <token>)'))
      return true
    }
    const sub = ctx.path.slice(WEB_BRIDGE_PREFIX.length)
    if (req.method === 'GET' && (sub === WEB_EVENTS_PATH || sub === '/stats/stream')) {
      openEventStream(res, sub === WEB_EVENTS_PATH)
      return true
    }
    const match = matchOperation(operations, req.method ?? 'GET', splitPath(sub))
    if (!match) {
      sendOpenAIError(res, new GatewayError('not_found', `no admin operation at ${req.method} ${ctx.path.slice(0, 200)}`))
      return true
    }
    const spec = api[match.op.name]
    let body: unknown
    if (spec.http.body !== undefined) {
      if (!isJsonContentType(req.headers['content-type'])) throw new GatewayError('unsupported_media_type', 'send JSON with Content-Type: application/json')
      body = parseJsonObject(await readBody(req, MAX_ADMIN_BODY))
    }
    const query = Object.fromEntries(new URL(req.url ?? '/', 'http://x').searchParams)
    const rawArgs = argsFromHttp(match.op.name, match.params, query, body)
    const parsed = spec.args.safeParse(rawArgs)
    if (!parsed.success) {
      const message = parsed.error.issues.map((i) => `${i.path.join('.') || 'arguments'}: ${i.message}`).join('; ')
      sendOpenAIError(res, new GatewayError('invalid_request', message))
      return true
    }
    try {
      const handler = deps.handlers[match.op.name] as (args: unknown) => Promise<unknown>
      const result = await handler(parsed.data)
      if (spec.http.file) sendFile(res, result as ExportFile)
      else sendJson(res, 200, result)
    } catch (err) {
      if (err instanceof ApiFailure) {
        sendJson(res, failureStatus[err.code], { error: { message: err.message, type: openAIErrorType(failureStatus[err.code]), code: err.code, param: null } })
      } else {
        deps.logger.error({ op: match.op.name, err: (err as Error)?.message }, 'admin operation failed')
        sendOpenAIError(res, new GatewayError('internal_error', `${match.op.name} failed`))
      }
    }
    return true
  }

  /** Named events for the dashboard; the DESIGN's /stats/stream carries stats as plain data events. */
  function openEventStream(res: ServerResponse, named: boolean): void {
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', 'x-accel-buffering': 'no' })
    res.write(': connected\n\n')
    const unsubscribers = (named ? apiEventNames : (['stats'] as const)).map((event) =>
      deps.events.on(event, (payload) => {
        res.write(named ? `event: ${event}\ndata: ${JSON.stringify(payload)}\n\n` : `data: ${JSON.stringify(payload)}\n\n`)
      }),
    )
    const keepalive = setInterval(() => res.write(': keep-alive\n\n'), KEEPALIVE_MS)
    keepalive.unref()
    // A dashboard left open must not hold the gateway's shutdown for the whole grace period.
    const offClose = deps.events.onClose(() => res.end())
    res.on('close', () => {
      clearInterval(keepalive)
      offClose()
      unsubscribers.forEach((off) => off())
    })
  }

  return handle
}

function sendFile(res: ServerResponse, file: ExportFile): void {
  const body = Buffer.from(file.body, 'utf8')
  res.writeHead(200, {
    'content-type': file.contentType,
    'content-length': body.length,
    'content-disposition': `attachment; filename="${file.filename.replace(/[^\w.-]/g, '_')}"`,
    'cache-control': 'no-store',
  })
  res.end(body)
}

function splitPath(path: string): string[] {
  return path.split('/').filter((s) => s !== '')
}

function matchOperation(
  ops: CompiledOperation[],
  method: string,
  segments: string[],
): { op: CompiledOperation; params: Record<string, string> } | undefined {
  for (const op of ops) {
    if (op.method !== method || op.segments.length !== segments.length) continue
    const params: Record<string, string> = {}
    let ok = true
    for (let i = 0; i < segments.length && ok; i++) {
      const pattern = op.segments[i]!
      if (pattern.startsWith(':')) params[pattern.slice(1)] = safeDecode(segments[i]!)
      else ok = pattern === segments[i]
    }
    if (ok) return { op, params }
  }
  return undefined
}

function safeDecode(segment: string): string {
  try {
    return decodeURIComponent(segment)
  } catch {
    throw new GatewayError('invalid_request', 'malformed percent-encoding in the path')
  }
}
