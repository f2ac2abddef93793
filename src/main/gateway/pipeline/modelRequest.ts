// Entry point for every model request (OpenAI and Anthropic routes): ingress, then the proxy
// pipeline; whatever fails is answered in the caller's protocol and counted once.
import { GatewayError, toGatewayError } from '../errors'
import { sendProtocolError, type ClientProtocol } from '../forward/clientResponse'
import type { RequestContext } from '../server/context'
import { readGatewayRequest, type IngressDeps } from './ingress'
import { proxy, type ProxyDeps, type ProxyOutcome } from './proxy'
import type { ClientEndpoint } from './request'

export type ModelRequestHandler = (ctx: RequestContext, protocol: ClientProtocol, endpoint: ClientEndpoint) => Promise<void>

export function createModelRequestHandler(deps: ProxyDeps & IngressDeps): ModelRequestHandler {
  return async function handleModelRequest(ctx, protocol, endpoint) {
    deps.stats.requestStarted()
    const started = Date.now()
    let outcome: ProxyOutcome = { failed: true, tokens: 0 }
    try {
      const req = await readGatewayRequest(ctx, protocol, endpoint, deps)
      if (ctx.res.destroyed) {
        outcome = { failed: false, tokens: 0 } // the client left while sending its body: nothing to answer, nothing dispatched
        return
      }
      outcome = await proxy(req, deps)
    } catch (err) {
      renderFailure(ctx, protocol, err, deps)
    } finally {
      deps.stats.requestEnded(outcome.failed, Date.now() - started, outcome.tokens)
    }
  }
}

export function renderFailure(ctx: RequestContext, protocol: ClientProtocol, err: unknown, deps: Pick<ProxyDeps, 'logger'>): void {
  const error = toGatewayError(err)
  if (!(err instanceof GatewayError)) deps.logger.error({ reqId: ctx.requestId, err: (err as Error)?.message }, 'unexpected error')
  if (error.code === 'body_too_large') ctx.res.shouldKeepAlive = false // do not read the rest of a huge upload
  if (ctx.res.headersSent || ctx.res.destroyed) {
    ctx.res.destroy()
    return
  }
  ctx.res.setHeader('x-request-id', ctx.requestId)
  sendProtocolError(ctx.res, protocol, error, ctx.requestId)
}
