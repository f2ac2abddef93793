// OpenAI-compatible ingress: /v1/chat/completions, /v1/completions, /v1/embeddings, and the model
// list (/v1/models, /v1/models/{id}) that OpenAI and Anthropic SDKs both read. The model list
// asks for the same caller check as every model request: where app keys are required, listing
// the models needs one too.
import { GatewayError } from '../../common/errors'
import { sendDialectError, type Dialect } from '../../forward/clientResponse'
import type { ModelRequestHandler } from './modelRequest'
import type { RequestContext } from '../../pipeline/context'
import { requireModelName } from './readRequest'
import { sendJson } from '../../common/respond'

export type OpenAIEndpoint = '/chat/completions' | '/completions' | '/embeddings'

interface ModelEntry {
  id: string
  ownedBy: string
}

export function createOpenAIHandlers(handle: ModelRequestHandler, models: (ctx: RequestContext) => ModelEntry[], authorize: (ctx: RequestContext) => void) {
  // Anthropic clients (their SDKs always send anthropic-version) get Anthropic's shapes.
  const anthropic = (ctx: RequestContext): boolean => ctx.req.headers['anthropic-version'] !== undefined
  /** Runs the caller check; false (the 401 already sent in the caller's shape) when it fails. */
  const authorized = (ctx: RequestContext, protocol: Dialect): boolean => {
    try {
      authorize(ctx)
      return true
    } catch (err) {
      if (!(err instanceof GatewayError)) throw err
      sendDialectError(ctx.res, protocol, err, ctx.requestId)
      return false
    }
  }
  const openAIModel = (m: ModelEntry, created: number) => ({ id: m.id, object: 'model', created, owned_by: m.ownedBy })
  const anthropicModel = (m: ModelEntry, createdAt: string) => ({ type: 'model', id: m.id, display_name: m.id, created_at: createdAt })

  return {
    proxy: (ctx: RequestContext, endpoint: OpenAIEndpoint) =>
      handle(ctx, 'openai-chat', endpoint, ({ ctx, raw, body, caller }) => ({ ctx, dialect: 'openai-chat', endpoint, raw, body, model: requireModelName(body.model), stream: body.stream === true, ...caller })),
    listModels(ctx: RequestContext): void {
      if (!authorized(ctx, anthropic(ctx) ? 'anthropic-messages' : 'openai-chat')) return
      const now = Date.now()
      const list = models(ctx)
      if (anthropic(ctx)) {
        const createdAt = new Date(now).toISOString()
        const data = list.map((m) => anthropicModel(m, createdAt))
        sendJson(ctx.res, 200, { data, has_more: false, first_id: data[0]?.id ?? null, last_id: data.at(-1)?.id ?? null })
        return
      }
      const created = Math.floor(now / 1000)
      sendJson(ctx.res, 200, { object: 'list', data: list.map((m) => openAIModel(m, created)) })
    },
    /** GET /v1/models/{id} (models.retrieve in both SDKs). */
    getModel(ctx: RequestContext, id: string): void {
      const protocol = anthropic(ctx) ? 'anthropic-messages' : 'openai-chat'
      if (!authorized(ctx, protocol)) return
      const entry = models(ctx).find((m) => m.id === id)
      if (!entry) {
        sendDialectError(ctx.res, protocol, new GatewayError('model_not_found', `model "${id.slice(0, 200)}" is not served here`, { param: 'model' }), ctx.requestId)
        return
      }
      const now = Date.now()
      sendJson(ctx.res, 200, protocol === 'anthropic-messages' ? anthropicModel(entry, new Date(now).toISOString()) : openAIModel(entry, Math.floor(now / 1000)))
    },
  }
}
