// OpenAI-compatible ingress: /v1/chat/completions, /v1/completions, /v1/embeddings and /v1/models.
import type { RequestContext } from '../../server/context'
import { GatewayError } from '../../errors'
import { forward } from '../../forward/forward'
import { upstreamRequestHeaders } from '../../forward/headers'
import type { PoolRegistry } from '../../forward/poolRegistry'
import { resolveModel, usableModels } from '../../routing/resolve'
import { isJsonContentType, parseJsonObject, readBody } from '../../server/body'
import { sendJson } from '../../server/respond'
import type { LiveStats } from '../../stats/liveStats'
import type { Logger } from '../../log'

export type OpenAIEndpoint = '/chat/completions' | '/completions' | '/embeddings'

export interface OpenAIDeps {
  pools: PoolRegistry
  stats: LiveStats
  logger: Logger
}

export function createOpenAIHandlers(deps: OpenAIDeps) {
  const { pools, stats, logger } = deps

  async function proxy(ctx: RequestContext, endpoint: OpenAIEndpoint): Promise<void> {
    const { req, res, runtime: rt } = ctx
    if (!isJsonContentType(req.headers['content-type'])) {
      throw new GatewayError('unsupported_media_type', 'send the request body as JSON with Content-Type: application/json')
    }
    const raw = await readBody(req, rt.maxBodyBytes)
    const body = parseJsonObject(raw)
    const model = body.model
    if (typeof model !== 'string' || model === '') {
      throw new GatewayError('invalid_request', '"model" is required and must be a string', { param: 'model' })
    }
    const { provider, upstreamModel } = resolveModel(rt, model)
    // Untouched bytes unless the model name must change on the way up.
    const upstreamBody = upstreamModel === model ? raw : Buffer.from(JSON.stringify({ ...body, model: upstreamModel }))
    if (res.destroyed) return // the client left while we read its body
    const providerId = provider.config.id
    const streaming = body.stream === true
    stats.requestStarted(providerId)
    forward({
      dispatcher: pools.get(provider.upstream),
      upstream: provider.upstream,
      providerId,
      path: endpoint,
      headers: upstreamRequestHeaders(req.headers, provider.upstream.headers, ctx.requestId),
      body: upstreamBody,
      res,
      responseHeaders: {
        'x-request-id': ctx.requestId,
        'x-switchyard-provider': providerId,
        'x-switchyard-model': upstreamModel,
      },
      rewriteModel: !streaming && upstreamModel !== model ? model : undefined,
      onDone(outcome) {
        const failed = outcome.errorCode !== undefined && outcome.errorCode !== 'client_aborted'
        stats.requestEnded(providerId, failed)
        if (failed || outcome.status >= 500) {
          logger.warn({ reqId: ctx.requestId, provider: providerId, status: outcome.status, code: outcome.errorCode }, 'upstream request failed')
        } else if (logger.isLevelEnabled('debug')) {
          logger.debug({ reqId: ctx.requestId, provider: providerId, endpoint, status: outcome.status, aborted: outcome.clientAborted, firstByteMs: outcome.firstByteMs }, 'request done')
        }
      },
    })
  }

  function listModels(ctx: RequestContext): void {
    const rt = ctx.runtime
    const created = Math.floor(Date.now() / 1000)
    const data = usableModels(rt).map((id) => {
      const owner = rt.exactRoutes.has(id) ? 'switchyard' : (rt.modelOwners.get(id)?.[0]?.config.id ?? 'switchyard')
      return { id, object: 'model', created, owned_by: owner }
    })
    sendJson(ctx.res, 200, { object: 'list', data })
  }

  return { proxy, listModels }
}
