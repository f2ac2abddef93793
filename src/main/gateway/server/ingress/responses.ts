// OpenAI Responses ingress: POST /v1/responses (through the one pipeline: passed through to
// backends that speak it, translated for the others), and the stateful part of the API served
// from the local response store — previous_response_id, GET and DELETE /v1/responses/{id},
// GET /v1/responses/{id}/input_items. POST /v1/responses/compact (Codex's remote compaction) goes
// through the same pipeline: passed through to backends that speak Responses, and made from a
// summary the routed model writes everywhere else (dialects/openaiResponses/compaction.ts).
import { GatewayError } from '../../common/errors'
import { sendJson } from '../../common/respond'
import { compactionInput } from '../../dialects/openaiResponses/compaction'
import { sendDialectError } from '../../forward/clientResponse'
import type { RequestContext } from '../../pipeline/context'
import type { GatewayRequest } from '../../pipeline/request'
import type { ResponseStore } from '../../store/responseStore'
import { ResponsesCapture } from '../../store/responsesCapture'
import type { ModelRequestHandler } from './modelRequest'
import type { IngressMatcher } from './route'
import { authorizedOrRefused, requireModelName, type IngressDeps, type IngressRead } from './readRequest'

export interface ResponsesHandlerDeps {
  handle: ModelRequestHandler
  /** Undefined when `responses.store` is off. */
  store(): ResponseStore | undefined
  ingress: IngressDeps
}

export function createResponsesHandlers(deps: ResponsesHandlerDeps) {
  function build(read: IngressRead): GatewayRequest {
    const { ctx, caller } = read
    let { raw, body } = read
    const model = requireModelName(body.model)
    const store = deps.store()
    let history: unknown[] = []
    const previous = body.previous_response_id
    if (typeof previous === 'string' && previous !== '') {
      const found = store?.get(previous)
      if (!found) throw new GatewayError('invalid_request', `Previous response with id '${previous.slice(0, 100)}' not found.`, { param: 'previous_response_id', status: 400 })
      // Stateless backends get the whole conversation; the client keeps sending only what is new.
      history = [...found.input, ...outputItems(found.response)]
      const { previous_response_id: _dropped, ...rest } = body
      body = { ...rest, input: [...history, ...inputItems(body.input)] }
      raw = Buffer.from(JSON.stringify(body))
    }
    const req: GatewayRequest = { ctx, dialect: 'openai-responses', endpoint: '/responses', raw, body, model, stream: body.stream === true, ...caller }
    if (store && body.store !== false) {
      const input = previous ? (body.input as unknown[]) : inputItems(body.input)
      req.tap = new ResponsesCapture((response) => {
        if (typeof response.id === 'string') store.save({ id: response.id, response, input })
      }).tap
    }
    return req
  }

  /** A compaction is one unary call: nothing is stored, `previous_response_id` is not Codex's. */
  function buildCompaction({ ctx, raw, body, caller }: IngressRead): GatewayRequest {
    const model = requireModelName(body.model)
    compactionInput(body) // a bad `input` is the caller's 400, before any backend is asked
    return { ctx, dialect: 'openai-responses', endpoint: '/responses/compact', raw, body, model, stream: false, ...caller }
  }

  return {
    create: (ctx: RequestContext) => deps.handle(ctx, 'openai-responses', '/responses', build),
    compact: (ctx: RequestContext) => deps.handle(ctx, 'openai-responses', '/responses/compact', buildCompaction),

    /** GET /v1/responses/{id}, DELETE /v1/responses/{id}, GET /v1/responses/{id}/input_items. */
    stored(ctx: RequestContext, id: string, sub: '' | 'input_items'): void {
      if (!authorizedOrRefused(ctx, deps.ingress, 'openai-responses')) return
      const store = deps.store()
      const found = store?.get(id)
      if (!store || !found) {
        sendDialectError(ctx.res, 'openai-responses', new GatewayError('not_found', `No response found with id '${id.slice(0, 100)}'.`), ctx.requestId)
        return
      }
      if (ctx.req.method === 'DELETE' && sub === '') {
        store.delete(id)
        sendJson(ctx.res, 200, { id, object: 'response.deleted', deleted: true })
        return
      }
      if (sub === 'input_items') {
        const items = found.input.map((item, i) => withId(item, `${id}_in_${i}`))
        sendJson(ctx.res, 200, { object: 'list', data: items, first_id: idOf(items[0]), last_id: idOf(items.at(-1)), has_more: false })
        return
      }
      sendJson(ctx.res, 200, found.response)
    },
  }
}

/** A request's `input`: a string is one user message. */
function inputItems(input: unknown): unknown[] {
  if (typeof input === 'string') return [{ type: 'message', role: 'user', content: [{ type: 'input_text', text: input }] }]
  return Array.isArray(input) ? input : []
}

function outputItems(response: Record<string, unknown>): unknown[] {
  return Array.isArray(response.output) ? response.output : []
}

function withId(item: unknown, fallback: string): unknown {
  if (typeof item !== 'object' || item === null || Array.isArray(item)) return item
  return 'id' in item ? item : { id: fallback, ...item }
}

function idOf(item: unknown): string | null {
  return typeof item === 'object' && item !== null && typeof (item as { id?: unknown }).id === 'string' ? (item as { id: string }).id : null
}

const STORED = /^\/(?:v1\/)?responses\/([^/]+)(\/input_items)?$/

/** The Responses API's paths: POST /v1/responses and /v1/responses/compact (also without /v1), and the stored-response routes. */
export function responsesIngress(handlers: ReturnType<typeof createResponsesHandlers>): IngressMatcher {
  return (ctx) => {
    const { path } = ctx
    const method = ctx.req.method
    if (path === '/v1/responses' || path === '/responses') return method === 'POST' ? { model: true, wire: 'openai-responses', run: () => handlers.create(ctx) } : undefined
    if (path === '/v1/responses/compact' || path === '/responses/compact') return method === 'POST' ? { model: true, wire: 'openai-responses', run: () => handlers.compact(ctx) } : undefined
    const stored = STORED.exec(path)
    if (!stored || stored[1] === 'compact') return undefined
    const sub = stored[2] ? 'input_items' : ''
    if (method !== 'GET' && !(method === 'DELETE' && sub === '')) return undefined
    return { model: false, wire: 'openai-responses', run: () => handlers.stored(ctx, decodeURIComponent(stored[1]!), sub) }
  }
}
