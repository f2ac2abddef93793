// OpenAI-compatible ingress: /v1/chat/completions, /v1/completions, /v1/embeddings and /v1/models.
import type { RequestContext } from '../../server/context'
import type { ModelRequestHandler } from '../../pipeline/modelRequest'
import { sendJson } from '../../server/respond'

export type OpenAIEndpoint = '/chat/completions' | '/completions' | '/embeddings'

export function createOpenAIHandlers(handle: ModelRequestHandler, models: (ctx: RequestContext) => Array<{ id: string; ownedBy: string }>) {
  return {
    proxy: (ctx: RequestContext, endpoint: OpenAIEndpoint) => handle(ctx, 'openai', endpoint),
    listModels(ctx: RequestContext): void {
      const created = Math.floor(Date.now() / 1000)
      sendJson(ctx.res, 200, { object: 'list', data: models(ctx).map((m) => ({ id: m.id, object: 'model', created, owned_by: m.ownedBy })) })
    },
  }
}
