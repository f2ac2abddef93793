import type { Dialect, RequestTarget, ResponseContext } from '../dialects/codec'
import type { RequestContext } from './context'

/**
 * Client-facing endpoints that reach a provider, by dialect. The ledger's endpoint column and the
 * /metrics endpoint label use these names.
 */
export type ClientEndpoint =
  | '/chat/completions'
  | '/completions'
  | '/embeddings'
  | '/v1/messages'
  | '/responses'
  | '/responses/compact'
  | '/v1beta/generateContent'
  | '/v1beta/streamGenerateContent'
  | '/api/chat'
  | '/api/generate'

/** A request after ingress: parsed, attributed to an app, ready to be routed. */
export interface GatewayRequest {
  ctx: RequestContext
  /** The dialect of `body` (what the codecs decode). */
  dialect: Dialect
  /**
   * The dialect the client speaks, when it differs from the body's: a Gemini or Ollama embeddings
   * call is sent on as an OpenAI embeddings body, but its errors go back in the client's shape.
   */
  clientDialect?: Dialect
  endpoint: ClientEndpoint | '/embeddings'
  /** The body bytes as received (forwarded untouched when nothing must change). */
  raw: Buffer
  body: Record<string, unknown>
  model: string
  stream: boolean
  /** What the URL said that the body does not (Gemini: the model, streaming, the method's path). */
  target?: RequestTarget & { method?: string; sse?: boolean }
  /** What the answer's shape depends on beyond the dialect (Gemini's JSON-array stream, Ollama's generate). */
  responseFlags?: Pick<ResponseContext, 'geminiJsonArray' | 'ollamaGenerate'>
  /** A non-streamed 2xx answer, in `dialect`, turned into what the client asked for (embeddings of other dialects). */
  mapAnswer?: (answer: unknown) => object
  /** Answered by the gateway itself, without a provider (Ollama's empty "load the model" generate call). */
  answer?: object
  /** Sees every body chunk the client is sent (the Responses store keeps finished responses). */
  tap?: (chunk: Buffer | string, last: boolean) => void
  app: string
  /**
   * The app whose own limits (app key rpm/tpm) apply: set only when it presented its app key, so a
   * caller that merely names itself after a keyed app neither spends nor is held by its budget.
   */
  keyedApp?: string
  /** Queue priority: apps whose key says so go before batch jobs. */
  priority: 'high' | 'normal'
}

/** The dialect the client reads errors and keep-alives in. */
export function clientDialectOf(req: Pick<GatewayRequest, 'dialect' | 'clientDialect'>): Dialect {
  return req.clientDialect ?? req.dialect
}
