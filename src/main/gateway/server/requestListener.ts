// The gateway's fixed request lifecycle: id -> guard (Host/Origin) -> CORS -> route -> handler.
// Every failure becomes a GatewayError rendered in the caller's protocol in one place.
import { randomUUID } from 'node:crypto'
import type { IncomingMessage, ServerResponse } from 'node:http'
import { GatewayError, toGatewayError } from '../errors'
import type { Logger } from '../log'
import type { OpenAIEndpoint } from '../protocols/openai/handler'
import type { Runtime } from '../runtime'
import type { HostRoutes, RequestContext } from './context'
import { checkRequest } from './guard'
import { sendJson, sendOpenAIError } from './respond'

export interface ListenerDeps {
  runtime(): Runtime
  openai: {
    proxy(ctx: RequestContext, endpoint: OpenAIEndpoint): Promise<void>
    listModels(ctx: RequestContext): void
  }
  hostRoutes?: HostRoutes
  /** 503 for model traffic while paused (tray) or shutting down; admin routes keep working. */
  refusal(): GatewayError | undefined
  onRejected(): void
  logger: Logger
}

const PROXY_PATHS: Record<string, OpenAIEndpoint> = {
  '/v1/chat/completions': '/chat/completions',
  '/v1/completions': '/completions',
  '/v1/embeddings': '/embeddings',
  // Tools configured with a base URL lacking /v1 call these.
  '/chat/completions': '/chat/completions',
  '/completions': '/completions',
  '/embeddings': '/embeddings',
}

export function createRequestListener(deps: ListenerDeps) {
  const fail = (ctx: RequestContext, err: unknown): void => {
    const error = toGatewayError(err)
    if (!(err instanceof GatewayError)) deps.logger.error({ reqId: ctx.requestId, err: (err as Error)?.message }, 'unexpected error')
    if (error.code === 'body_too_large') ctx.res.shouldKeepAlive = false // do not read the rest of a huge upload
    deps.onRejected()
    if (ctx.res.headersSent || ctx.res.destroyed) {
      ctx.res.destroy()
      return
    }
    sendOpenAIError(ctx.res, error)
  }

  return function onRequest(req: IncomingMessage, res: ServerResponse): void {
    const requestId = randomUUID()
    const url = req.url ?? '/'
    const q = url.indexOf('?')
    const ctx: RequestContext = { req, res, requestId, path: q === -1 ? url : url.slice(0, q), runtime: deps.runtime() }
    res.setHeader('x-request-id', requestId)
    try {
      checkRequest(req.headers, ctx.runtime.guard)
    } catch (err) {
      fail(ctx, err)
      return
    }
    const origin = req.headers.origin
    if (origin !== undefined) {
      res.setHeader('access-control-allow-origin', origin)
      res.setHeader('vary', 'origin')
      if (req.method === 'OPTIONS') {
        res.writeHead(204, {
          'access-control-allow-methods': 'GET, POST, PUT, DELETE, OPTIONS',
          'access-control-allow-headers': String(req.headers['access-control-request-headers'] ?? 'content-type, authorization'),
          'access-control-max-age': '600',
        })
        res.end()
        return
      }
    }
    const handled = route(ctx)
    if (handled instanceof Promise) handled.catch((err: unknown) => fail(ctx, err))
  }

  function route(ctx: RequestContext): void | Promise<void> {
    const { req, path } = ctx
    const endpoint = PROXY_PATHS[path]
    try {
      if (endpoint !== undefined) {
        if (req.method !== 'POST') throw methodNotAllowed('POST')
        const refusal = deps.refusal()
        if (refusal) throw refusal
        return deps.openai.proxy(ctx, endpoint)
      }
      if (path === '/v1/models' || path === '/models') {
        if (req.method !== 'GET') throw methodNotAllowed('GET')
        deps.openai.listModels(ctx)
        return
      }
      if (path === '/health') {
        sendJson(ctx.res, 200, { status: 'ok' })
        return
      }
      if (deps.hostRoutes) {
        const hosted = deps.hostRoutes(ctx)
        if (hosted instanceof Promise) {
          return hosted.then((ok) => {
            if (!ok) throw notFound(path)
          })
        }
        if (hosted) return
      }
      throw notFound(path)
    } catch (err) {
      fail(ctx, err)
    }
  }
}

function methodNotAllowed(allowed: string): GatewayError {
  return new GatewayError('method_not_allowed', `use ${allowed} for this path`)
}

function notFound(path: string): GatewayError {
  return new GatewayError('not_found', `no route for ${path.slice(0, 200)}`)
}
