// Gemini API ingress (Google's native v1beta REST, as @google/genai and Gemini CLI call it):
// models/{model}:generateContent and :streamGenerateContent (SSE with alt=sse, else one JSON
// array), :countTokens, :embedContent, :batchEmbedContents, and the model list. The caller's key
// arrives as x-goog-api-key or ?key=; it identifies the app like any client key (an app key works
// there) and is never forwarded.
import { estimateRequestTokens } from '../../admission/tokenEstimate'
import { GatewayError } from '../../common/errors'
import { sendJson } from '../../common/respond'
import { codecFor, decodeGeminiCountTokens, geminiCountTokensResponse, geminiEmbedToOpenAI, geminiModel, geminiModelList, geminiTarget, openAIEmbeddingsToGemini, parseGeminiPath, type GeminiModelInfo } from '../../dialects'
import { sendDialectError } from '../../forward/clientResponse'
import type { RequestContext } from '../../pipeline/context'
import type { ModelRequestHandler } from './modelRequest'
import { authorizedOrRefused, readJsonBody, requireModelName, type IngressDeps } from './readRequest'
import type { IngressMatcher } from './route'

export interface GeminiHandlerDeps {
  handle: ModelRequestHandler
  ingress: IngressDeps
  /** Every model the gateway can serve. */
  models(ctx: RequestContext): GeminiModelInfo[]
}

// `/v1/models` is the OpenAI model list: Gemini clients list models under v1beta (or v1alpha).
const MODEL_LIST = /^\/(v1beta|v1alpha)\/models\/?$/
const MODEL_GET = /^\/(v1beta|v1alpha)\/models\/([^:]+)$/

export function createGeminiIngress(deps: GeminiHandlerDeps): IngressMatcher {
  return (ctx) => {
    if (!ctx.path.startsWith('/v1')) return undefined
    acceptQueryKey(ctx)
    const url = ctx.req.url ?? ctx.path
    const call = parseGeminiPath(url)
    if (call) {
      if (ctx.req.method !== 'POST') return undefined
      if (call.method === 'countTokens') return { model: false, wire: 'gemini', run: () => countTokens(ctx, call.model) }
      if (call.method === 'embedContent' || call.method === 'batchEmbedContents') {
        const method = call.method
        return {
          model: true,
          wire: 'gemini',
          run: () =>
            deps.handle(ctx, 'gemini', `/v1beta/${method}`, ({ ctx, body, caller }) => {
              const model = requireModelName(call.model)
              const openai = geminiEmbedToOpenAI(method, body, model)
              return {
                ctx,
                dialect: 'openai-chat',
                clientDialect: 'gemini',
                endpoint: '/embeddings',
                raw: Buffer.from(JSON.stringify(openai)),
                body: openai as unknown as Record<string, unknown>,
                model,
                stream: false,
                mapAnswer: (answer) => openAIEmbeddingsToGemini(method, answer),
                ...caller,
              }
            }),
        }
      }
      const stream = call.method === 'streamGenerateContent'
      const endpoint = stream ? '/v1beta/streamGenerateContent' : '/v1beta/generateContent'
      return {
        model: true,
        wire: 'gemini',
        run: () =>
          deps.handle(ctx, 'gemini', endpoint, ({ ctx, raw, body, caller }) => ({
            ctx,
            dialect: 'gemini',
            endpoint,
            raw,
            body,
            model: requireModelName(call.model),
            stream,
            target: { ...geminiTarget(call), method: call.method, sse: call.sse },
            responseFlags: stream && !call.sse ? { geminiJsonArray: true } : undefined,
            ...caller,
          })),
      }
    }
    if (ctx.req.method !== 'GET') return undefined
    if (MODEL_LIST.test(ctx.path)) return { model: false, wire: 'gemini', run: () => listModels(ctx) }
    const get = MODEL_GET.exec(ctx.path)
    if (get) return { model: false, wire: 'gemini', run: () => getModel(ctx, decodeURIComponent(get[2]!)) }
    return undefined
  }

  function listModels(ctx: RequestContext): void {
    if (authorizedOrRefused(ctx, deps.ingress, 'gemini')) sendJson(ctx.res, 200, geminiModelList(deps.models(ctx)))
  }

  function getModel(ctx: RequestContext, id: string): void {
    if (!authorizedOrRefused(ctx, deps.ingress, 'gemini')) return
    const name = id.startsWith('models/') ? id.slice('models/'.length) : id
    const info = deps.models(ctx).find((m) => m.id === name)
    if (!info) sendDialectError(ctx.res, 'gemini', new GatewayError('model_not_found', `models/${name.slice(0, 200)} is not found`), ctx.requestId)
    else sendJson(ctx.res, 200, geminiModel(info))
  }

  /** Counted here, with the gateway's tokenizer (the same estimate admission uses). */
  async function countTokens(ctx: RequestContext, model: string): Promise<void> {
    if (!authorizedOrRefused(ctx, deps.ingress, 'gemini')) return
    const { body } = await readJsonBody(ctx)
    const canonical = decodeGeminiCountTokens(body, model)
    const chat = codecFor('openai-chat').encodeRequest(canonical, { upstreamModel: model }).body as Record<string, unknown>
    const { input } = estimateRequestTokens(chat, { shape: 'chat', model, defaultMaxTokens: 0 })
    sendJson(ctx.res, 200, geminiCountTokensResponse(input))
  }
}

/** `?key=` is a Gemini client's way to send its key: read it as the header the SDK would have sent. */
function acceptQueryKey(ctx: RequestContext): void {
  if (ctx.req.headers['x-goog-api-key'] !== undefined) return
  const url = ctx.req.url ?? ''
  const q = url.indexOf('?')
  if (q === -1) return
  const key = new URLSearchParams(url.slice(q + 1)).get('key')
  if (key) ctx.req.headers['x-goog-api-key'] = key
}
