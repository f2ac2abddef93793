// OpenAI-compatible ingress: /v1/chat/completions, /v1/completions, /v1/embeddings and /v1/models.
import type { RequestContext } from '../../server/context'
import type { ModelRequestHandler } from '../../pipeline/modelRequest'
import { sendJson } from '../../server/respond'

export type OpenAIEndpoint = '/chat/completions' | '/completions' | '/embeddings'

export function createOpenAIHandlers(handle: ModelRequestHandler, models: (ctx: RequestContext) => Array<{ id: string; ownedBy: string }>) {
  return {
    proxy: (ctx: RequestContext, endpoint: OpenAIEndpoint) => handle(ctx, 'openai', endpoint),
    listModels(ctx: RequestContext): void {
      const now = Date.now()
      const list = models(ctx)
      // Anthropic clients (their SDKs always send anthropic-version) get Anthropic's list shape.
      if (ctx.req.headers['anthropic-version'] !== undefined) {
        const createdAt = new Date(now).toISOString()
        const data = list.map((m) => ({ type: 'model', id: m.id, display_name: m.id, created_at: createdAt }))
        sendJson(ctx.res, 200, { data, has_more: false, first_id: data[0]?.id ?? null, last_id: data.at(-1)?.id ?? null })
        return
      }
      const created = Math.floor(now / 1000)
      sendJson(ctx.res, 200, { object: 'list', data: list.map((m) => ({ id: m.id, object: 'model', created, owned_by: m.ownedBy })) })
    },
  }
}
