// The gateway's fixed request lifecycle: guard (Host/Origin) -> CORS -> route -> handler.
// Every failure becomes a GatewayError rendered in the caller's protocol.
import type { IncomingMessage, ServerResponse } from 'node:http'
import { newRequestId } from '../common/requestId'
import { GatewayError } from '../common/errors'
import type { Dialect } from '../forward/clientResponse'
import type { Logger } from '../common/log'
import { renderFailure } from './ingress/modelRequest'
import type { OpenAIEndpoint } from './ingress/openai'
import type { IngressMatcher } from './ingress/route'
import type { Runtime } from '../runtime/runtime'
import type { HostRoutes, RequestContext } from '../pipeline/context'
import { checkRequest } from './guard'
import { sendJson } from '../common/respond'

export interface ListenerDeps {
  runtime(): Runtime
  openai: {
    proxy(ctx: RequestContext, endpoint: OpenAIEndpoint): Promise<void>
    listModels(ctx: RequestContext): void
    getModel(ctx: RequestContext, id: string): void
  }
  anthropic: {
    messages(ctx: RequestContext): Promise<void>
    countTokens(ctx: RequestContext): Promise<void>
  }
  /** The dialects whose paths are matched by the dialect itself (Responses, Gemini, Ollama), in order. */
  ingress?: IngressMatcher[]
  /** GET /health: the gateway serves; anything degraded (accounting) is listed, never a non-200. */
  health(): Record<string, unknown>
  /** GET /metrics (Prometheus text). */
  metrics(ctx: RequestContext): Promise<void>
  hostRoutes?: HostRoutes
  /**
   * A request turned away before any handler took it (unknown path, wrong method, foreign Host,
   * paused or shutting down): recorded like an ingress rejection, so every request leaves a row.
   */
  recordRejection?(ctx: RequestContext, err: unknown): void
  /** 503 for model traffic while paused (tray) or shutting down; admin routes keep working. */
  refusal(): GatewayError | undefined
  logger: Logger
}

const OPENAI_PATHS: Record<string, OpenAIEndpoint> = {
  '/v1/chat/completions': '/chat/completions',
  '/v1/completions': '/completions',
  '/v1/embeddings': '/embeddings',
  // Tools configured with a base URL lacking /v1 call these.
  '/chat/completions': '/chat/completions',
  '/completions': '/completions',
  '/embeddings': '/embeddings',
}

export function createRequestListener(deps: ListenerDeps) {
  return function onRequest(req: IncomingMessage, res: ServerResponse): void {
    const url = req.url ?? '/'
    const q = url.indexOf('?')
    const path = q === -1 ? url : url.slice(0, q)
    const ctx: RequestContext = { req, res, requestId: newRequestId(), path, runtime: deps.runtime() }
    const protocol: Dialect = wireOf(path)
    let wire = protocol
    try {
      checkRequest(req.headers, ctx.runtime.guard)
      const origin = req.headers.origin
      if (origin !== undefined) {
        res.setHeader('access-control-allow-origin', origin)
        res.setHeader('vary', 'origin')
        if (req.method === 'OPTIONS') return preflight(req, res)
      }
      for (const match of deps.ingress ?? []) {
        const found = match(ctx)
        if (!found) continue
        wire = found.wire
        if (found.model) {
          const refusal = deps.refusal()
          if (refusal) throw refusal
        }
        const ran = found.run()
        if (ran instanceof Promise) ran.catch((err: unknown) => reject(ctx, found.wire, err))
        return
      }
      const handled = route(ctx, protocol)
      if (handled instanceof Promise) handled.catch((err: unknown) => reject(ctx, protocol, err))
    } catch (err) {
      reject(ctx, wire, err)
    }
  }

  /** Answers a request the listener itself turned away, and leaves its trace in the request log. */
  function reject(ctx: RequestContext, protocol: Dialect, err: unknown): void {
    renderFailure(ctx, protocol, err, deps)
    deps.recordRejection?.(ctx, err)
  }

  function route(ctx: RequestContext, protocol: Dialect): void | Promise<void> {
    const { req, path } = ctx
    const endpoint = OPENAI_PATHS[path]
    if (endpoint !== undefined || protocol === 'anthropic-messages') {
      if (req.method !== 'POST') throw methodNotAllowed('POST')
      const refusal = deps.refusal()
      if (refusal) throw refusal
      if (endpoint !== undefined) return deps.openai.proxy(ctx, endpoint)
      if (path === '/v1/messages') return deps.anthropic.messages(ctx)
      if (path === '/v1/messages/count_tokens') return deps.anthropic.countTokens(ctx)
      throw notFound(path)
    }
    if (path === '/v1/models' || path === '/models') {
      if (req.method !== 'GET') throw methodNotAllowed('GET')
      return deps.openai.listModels(ctx)
    }
    if (path.startsWith('/v1/models/')) {
      if (req.method !== 'GET') throw methodNotAllowed('GET')
      return deps.openai.getModel(ctx, decodePathSegment(path.slice('/v1/models/'.length)))
    }
    if (path === '/health') return sendJson(ctx.res, 200, deps.health())
    if (path === '/metrics') {
      if (req.method !== 'GET') throw methodNotAllowed('GET')
      return deps.metrics(ctx)
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
  }
}

function decodePathSegment(segment: string): string {
  try {
    return decodeURIComponent(segment)
  } catch {
    throw new GatewayError('invalid_request', 'malformed percent-encoding in the path')
  }
}

function preflight(req: IncomingMessage, res: ServerResponse): void {
  res.writeHead(204, {
    'access-control-allow-methods': 'GET, POST, PUT, DELETE, OPTIONS',
    'access-control-allow-headers': String(req.headers['access-control-request-headers'] ?? 'content-type, authorization'),
    'access-control-max-age': '600',
  })
  res.end()
}

function methodNotAllowed(allowed: string): GatewayError {
  return new GatewayError('method_not_allowed', `use ${allowed} for this path`)
}

function notFound(path: string): GatewayError {
  return new GatewayError('not_found', `no route for ${path.slice(0, 200)}`)
}

/** The dialect a path's errors are answered in (before any handler looked at the request). */
function wireOf(path: string): Dialect {
  if (path.startsWith('/v1/messages')) return 'anthropic-messages'
  if (path.startsWith('/v1/responses') || path.startsWith('/responses')) return 'openai-responses'
  if (path.startsWith('/v1beta/') || path.startsWith('/v1alpha/')) return 'gemini'
  if (path.startsWith('/api/')) return 'ollama'
  return 'openai-chat'
}
