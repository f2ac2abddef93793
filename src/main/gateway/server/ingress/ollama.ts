// Ollama API ingress: an Ollama-only tool (Open WebUI's Ollama connection, editor and browser
// plugins) pointed at Switchyard gets every model Switchyard serves, with limits, failover and
// metering: /api/chat and /api/generate (NDJSON streams unless `stream: false`), /api/embed and
// the legacy /api/embeddings, /api/tags, /api/show, /api/ps, /api/version, and `/` answering
// like Ollama. Requests to Ollama providers go through byte for byte; others are translated.
import { GatewayError } from '../../common/errors'
import { sendJson } from '../../common/respond'
import { ollamaEmbedToOpenAI, ollamaLegacyEmbeddingsToOpenAI, ollamaPs, ollamaShow, ollamaTags, ollamaVersion, type OllamaModelInfo } from '../../dialects'
import { openAIEmbeddingsToOllamaEmbed, openAIEmbeddingsToOllamaLegacy } from '../../dialects/ollama/embeddings'
import { sendDialectError } from '../../forward/clientResponse'
import type { RequestContext } from '../../pipeline/context'
import type { GatewayRequest } from '../../pipeline/request'
import type { ModelRequestHandler } from './modelRequest'
import { authorizedOrRefused, readJsonBody, requireModelName, type IngressDeps, type IngressRead } from './readRequest'
import type { IngressMatcher, IngressRoute } from './route'

export interface OllamaHandlerDeps {
  handle: ModelRequestHandler
  ingress: IngressDeps
  /** Every model the gateway can serve. */
  models(ctx: RequestContext): OllamaModelInfo[]
  /** Models resident right now on the backends that report it (Ollama /api/ps and friends). */
  loaded(ctx: RequestContext): OllamaModelInfo[]
}

export function createOllamaIngress(deps: OllamaHandlerDeps): IngressMatcher {
  const conversation = (ctx: RequestContext, endpoint: '/api/chat' | '/api/generate'): IngressRoute => ({
    model: true,
    wire: 'ollama',
    run: () => deps.handle(ctx, 'ollama', endpoint, (read) => chatRequest(read, endpoint)),
  })
  const embeddings = (ctx: RequestContext, legacy: boolean): IngressRoute => ({
    model: true,
    wire: 'ollama',
    run: () =>
      deps.handle(ctx, 'ollama', legacy ? '/api/embeddings' : '/api/embed', ({ ctx, body, caller }): GatewayRequest => {
        const model = requireModelName(body.model)
        const openai = legacy ? ollamaLegacyEmbeddingsToOpenAI(body) : ollamaEmbedToOpenAI(body)
        return {
          ctx,
          dialect: 'openai-chat',
          clientDialect: 'ollama',
          endpoint: '/embeddings',
          raw: Buffer.from(JSON.stringify(openai)),
          body: openai as unknown as Record<string, unknown>,
          model,
          stream: false,
          mapAnswer: (answer) => (legacy ? openAIEmbeddingsToOllamaLegacy(answer) : openAIEmbeddingsToOllamaEmbed(answer, model)),
          ...caller,
        }
      }),
  })
  const listing = (ctx: RequestContext, run: () => void | Promise<void>): IngressRoute => ({ model: false, wire: 'ollama', run: () => (authorizedOrRefused(ctx, deps.ingress, 'ollama') ? run() : undefined) })

  return (ctx) => {
    const { path } = ctx
    const method = ctx.req.method
    if (path === '/' && (method === 'GET' || method === 'HEAD') && !wantsHtml(ctx)) {
      return { model: false, wire: 'ollama', run: () => void ctx.res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8' }).end(method === 'HEAD' ? undefined : 'Ollama is running') }
    }
    if (!path.startsWith('/api/')) return undefined
    if (method === 'POST') {
      if (path === '/api/chat' || path === '/api/generate') return conversation(ctx, path)
      if (path === '/api/embed' || path === '/api/embeddings') return embeddings(ctx, path === '/api/embeddings')
      if (path === '/api/show') return listing(ctx, () => show(ctx))
      return undefined
    }
    if (method !== 'GET') return undefined
    if (path === '/api/tags') return listing(ctx, () => sendJson(ctx.res, 200, ollamaTags(deps.models(ctx))))
    if (path === '/api/ps') return listing(ctx, () => sendJson(ctx.res, 200, ollamaPs(deps.loaded(ctx))))
    if (path === '/api/version') return { model: false, wire: 'ollama', run: () => sendJson(ctx.res, 200, ollamaVersion()) }
    return undefined
  }

  async function show(ctx: RequestContext): Promise<void> {
    const { body } = await readJsonBody(ctx)
    const name = requireModelName(body.model ?? body.name)
    const info = deps.models(ctx).find((m) => m.name === name || m.name === `${name}:latest`)
    if (!info) sendDialectError(ctx.res, 'ollama', new GatewayError('model_not_found', `model '${name.slice(0, 200)}' not found`), ctx.requestId)
    else sendJson(ctx.res, 200, ollamaShow(info))
  }
}

function chatRequest({ ctx, raw, body, caller }: IngressRead, endpoint: '/api/chat' | '/api/generate'): GatewayRequest {
  const model = requireModelName(body.model)
  const generate = endpoint === '/api/generate'
  if (!generate && body.messages !== undefined && !Array.isArray(body.messages)) throw new GatewayError('invalid_request', '"messages" must be an array', { param: 'messages' })
  // Ollama streams unless told not to.
  const req: GatewayRequest = { ctx, dialect: 'ollama', endpoint, raw, body, model, stream: body.stream !== false, responseFlags: generate ? { ollamaGenerate: true } : undefined, ...caller }
  // An empty generate is Ollama's "load the model" call: nothing to ask a backend.
  if (generate && (body.prompt === undefined || body.prompt === '') && !Array.isArray(body.images)) {
    req.answer = { model, created_at: new Date().toISOString(), response: '', done: true, done_reason: 'load' }
  }
  return req
}

/** A browser opening the gateway's root wants the dashboard, not Ollama's greeting. */
function wantsHtml(ctx: RequestContext): boolean {
  return String(ctx.req.headers.accept ?? '').includes('text/html')
}
