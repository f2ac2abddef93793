import type { ClientProtocol } from '../forward/clientResponse'
import type { RequestContext } from '../server/context'

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
  /** Queue priority: apps whose key says so go before batch jobs. */
  priority: 'high' | 'normal'
}
