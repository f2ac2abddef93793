import type { ClientProtocol } from '../forward/clientResponse'
import type { RequestContext } from './context'

/** Client-facing endpoints that reach a provider. */
export type ClientEndpoint = '/chat/completions' | '/completions' | '/embeddings' | '/v1/messages'

/** A request after ingress: parsed, attributed to an app, ready to be routed. */
export interface GatewayRequest {
  ctx: RequestContext
  protocol: ClientProtocol
  endpoint: ClientEndpoint
  /** The body bytes as received (forwarded untouched when nothing must change). */
  raw: Buffer
  body: Record<string, unknown>
  model: string
  stream: boolean
  app: string
  /**
   * The app whose own limits (app key rpm/tpm) apply: set only when it presented its app key, so a
   * caller that merely names itself after a keyed app neither spends nor is held by its budget.
   */
  keyedApp?: string
  /** Queue priority: apps whose key says so go before batch jobs. */
  priority: 'high' | 'normal'
}
