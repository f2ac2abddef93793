// Entry point for every model request, whatever its dialect: ingress (caller, body), the dialect
// handler's own reading of it, then the pipeline; whatever fails is answered in the caller's
// dialect and counted once.
import { GatewayError, toGatewayError } from '../../common/errors'
import { sendJson } from '../../common/respond'
import { sendDialectError, type Dialect } from '../../forward/clientResponse'
import type { RequestContext } from '../../pipeline/context'
import { proxy, type ProxyDeps, type ProxyOutcome } from '../../pipeline/proxy'
import type { GatewayRequest } from '../../pipeline/request'
import { identifyApp } from '../../usage/identifyApp'
import { readIngress, type IngressDeps, type IngressRead } from './readRequest'

/** A dialect handler's reading of what ingress read: the request the pipeline serves. */
export type RequestBuilder = (read: IngressRead) => GatewayRequest

/** `wire`: the dialect failures are answered in; `endpoint`: what the request log calls it when it never got further. */
export type ModelRequestHandler = (ctx: RequestContext, wire: Dialect, endpoint: string, build: RequestBuilder) => Promise<void>

export function createModelRequestHandler(deps: ProxyDeps & IngressDeps): ModelRequestHandler {
  return async function handleModelRequest(ctx, wire, endpoint, build) {
    deps.stats.requestStarted()
    const started = Date.now()
    let outcome: ProxyOutcome = { failed: true, tokens: 0 }
    let metered = false // proxy() keeps its own ledger row
    try {
      const req = build(await readIngress(ctx, deps))
      metered = true
      if (ctx.res.destroyed) {
        outcome = { failed: false, tokens: 0 } // the client left while sending its body: nothing to answer, nothing dispatched
        return
      }
      if (req.answer) {
        answerDirectly(req, deps)
        outcome = { failed: false, tokens: 0 }
        return
      }
      outcome = await proxy(req, deps)
    } catch (err) {
      renderFailure(ctx, wire, err, deps)
      if (!metered) recordRejection(ctx, endpoint, err, deps)
    } finally {
      deps.stats.requestEnded(outcome.failed, Date.now() - started, outcome.tokens)
    }
  }
}

/** A request the gateway answers itself: the answer, and its row (no provider, no tokens). */
function answerDirectly(req: GatewayRequest, deps: Pick<ProxyDeps, 'usage'>): void {
  req.ctx.res.setHeader('x-request-id', req.ctx.requestId)
  sendJson(req.ctx.res, 200, req.answer)
  void deps.usage?.startRequest({ requestId: req.ctx.requestId, app: req.app, routeModel: req.model, endpoint: req.endpoint, stream: false }).finish({ status: 200 })
}

export function renderFailure(ctx: RequestContext, wire: Dialect, err: unknown, deps: Pick<ProxyDeps, 'logger'>): void {
  const error = toGatewayError(err)
  if (!(err instanceof GatewayError)) deps.logger.error({ reqId: ctx.requestId, err: (err as Error)?.message }, 'unexpected error')
  const send = (): void => {
    if (ctx.res.headersSent || ctx.res.destroyed) {
      ctx.res.destroy()
      return
    }
    ctx.res.setHeader('x-request-id', ctx.requestId)
    sendDialectError(ctx.res, wire, error, ctx.requestId)
  }
  if (error.code === 'body_too_large') afterUploadEnds(ctx, send)
  else send()
}

/** Uploads beyond this are cut instead of read to their end after a 413. */
const MAX_DISCARDED_BYTES = 64 * 1024 * 1024
/** How long a 413 waits for the client to finish sending what it announced. */
const DISCARD_TIMEOUT_MS = 30_000

/**
 * After a 413 the client is still sending. Answering now and closing (a client that sent
 * `Connection: close`) resets the connection with its bytes unread, and the reset can destroy the
 * 413 before the client reads it: so the rest is read and thrown away first, and the answer goes
 * out when the upload ends (the connection even stays usable). Uploads announced or found to be
 * huge are cut instead.
 */
function afterUploadEnds(ctx: RequestContext, answer: () => void): void {
  const { req, res } = ctx
  const declared = Number(req.headers['content-length'])
  if (req.complete || (Number.isFinite(declared) && declared > MAX_DISCARDED_BYTES)) {
    if (!req.complete) res.shouldKeepAlive = false
    answer()
    return
  }
  let discarded = 0
  const finish = (): void => {
    clearTimeout(timer)
    req.off('data', onData)
    req.off('end', finish)
    req.off('close', finish)
    answer()
  }
  const onData = (chunk: Buffer): void => {
    discarded += chunk.length
    if (discarded <= MAX_DISCARDED_BYTES) return
    res.shouldKeepAlive = false
    finish()
  }
  const timer = setTimeout(() => {
    res.shouldKeepAlive = false
    finish()
  }, DISCARD_TIMEOUT_MS)
  req.on('data', onData)
  req.once('end', finish)
  req.once('close', finish)
  req.resume()
}

/**
 * A request turned away at ingress (bad key, bad body, too large) still gets a ledger row and a
 * requests_total sample: "my tool gets 415s" should show up in the request log.
 */
export function recordRejection(ctx: RequestContext, endpoint: string, err: unknown, deps: Pick<ProxyDeps, 'usage'> & IngressDeps): void {
  if (!deps.usage) return
  const error = toGatewayError(err)
  const who = identifyApp(ctx.req.headers, deps.appKeys)
  const meter = deps.usage.startRequest({ requestId: ctx.requestId, app: who.ok ? who.app : 'unknown', routeModel: '', endpoint, stream: false })
  void meter.finish({ status: error.status, errorClass: error.code })
}
