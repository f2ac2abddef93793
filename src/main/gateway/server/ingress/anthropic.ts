// Anthropic ingress: POST /v1/messages (through the same pipeline as OpenAI requests) and
// /v1/messages/count_tokens (answered by an Anthropic upstream when the model routes to one,
// else counted here).
import { runAttempt } from '../../forward/attempt'
import { ClientResponse } from '../../forward/clientResponse'
import type { PoolRegistry } from '../../forward/poolRegistry'
import type { Logger } from '../../common/log'
import { GatewayError } from '../../common/errors'
import { authorizeCaller, readJsonBody, requireModelName, type IngressDeps } from './readRequest'
import { renderFailure, type ModelRequestHandler } from './modelRequest'
import type { Router } from '../../routing/router'
import type { RequestContext } from '../../pipeline/context'
import { sendJson } from '../../common/respond'
import { defaultTokenCounter } from '../../admission/tokenCounter'
import { countAnthropicInputTokens } from '../../admission/anthropicTokens'
import { validateAnthropicRequest } from '../../dialects/anthropicMessages/validate'
import { anthropicUpstreamHeaders } from '../../providers/kinds/anthropic/upstream'

export interface AnthropicHandlerDeps {
  handle: ModelRequestHandler
  router: Router
  pools: PoolRegistry
  logger: Logger
  /** The same caller check as every model request: where app keys are required, counting needs one too. */
  ingress: IngressDeps
}

export function createAnthropicHandlers(deps: AnthropicHandlerDeps) {
  async function countTokens(ctx: RequestContext): Promise<void> {
    try {
      authorizeCaller(ctx, deps.ingress)
      const { raw, body: parsed } = await readJsonBody(ctx)
      const body = validateAnthropicRequest(parsed, { countTokens: true })
      const candidate = deps.router.plan(ctx.runtime, body.model, {}).ordered[0]
      const provider = candidate && ctx.runtime.providers.get(candidate.providerId)
      if (!candidate || !provider || !provider.adapter.countsTokens) {
        await defaultTokenCounter.warmUp() // count exactly, not with the fallback heuristic
        sendJson(ctx.res, 200, { input_tokens: countAnthropicInputTokens(body) })
        return
      }
      const client = new ClientResponse(ctx.res, 'anthropic-messages', ctx.requestId)
      client.servedBy(provider.config.id, candidate.upstreamModel)
      const result = await runAttempt({
        dispatcher: deps.pools.get(provider.upstream),
        upstream: provider.upstream,
        providerId: provider.config.id,
        path: '/v1/messages/count_tokens',
        headers: anthropicUpstreamHeaders(ctx.req.headers, provider.upstream.headers, ctx.requestId),
        body: candidate.upstreamModel === body.model ? raw : Buffer.from(JSON.stringify({ ...body, model: candidate.upstreamModel })),
        client,
        translation: 'passthrough',
        sniffFirstEvent: false,
      })
      if (result.kind === 'committed') return
      if (result.upstreamError) client.sendUpstreamError(result.upstreamError.status, result.upstreamError.body)
      else if (result.outcome !== 'client_aborted') client.fail(result.error)
    } catch (err) {
      renderFailure(ctx, 'anthropic-messages', err, deps)
    }
  }

  return {
    messages: (ctx: RequestContext) =>
      deps.handle(ctx, 'anthropic-messages', '/v1/messages', ({ ctx, raw, body, caller }) => {
        const model = requireModelName(body.model)
        if (!Array.isArray(body.messages)) throw new GatewayError('invalid_request', 'messages: Field required', { param: 'messages' })
        return { ctx, dialect: 'anthropic-messages', endpoint: '/v1/messages', raw, body, model, stream: body.stream === true, ...caller }
      }),
    countTokens,
  }
}
