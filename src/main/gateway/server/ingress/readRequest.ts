// Ingress stage: content type, body (size-limited), JSON, model, and who is calling. Fails with
// a coded GatewayError the caller renders in the client's protocol.
import { GatewayError } from '../../common/errors'
import type { ClientProtocol } from '../../forward/clientResponse'
import { invalidModelName } from '../../common/headerValue'
import { isJsonContentType, parseJsonObject, readBody } from '../body'
import type { RequestContext } from '../../pipeline/context'
import { identifyApp, type AppIdentity, type AppKeyResolver } from '../../usage/identifyApp'
import type { ClientEndpoint, GatewayRequest } from '../../pipeline/request'

export interface IngressDeps {
  appKeys?: AppKeyResolver & { policy(app: string): { priority?: 'high' | 'normal' } | undefined }
  /** Only app-key holders may use the gateway (config, or bound beyond loopback). */
  requireAppKey(): boolean
}

export async function readGatewayRequest(ctx: RequestContext, protocol: ClientProtocol, endpoint: ClientEndpoint, deps: IngressDeps): Promise<GatewayRequest> {
  const identity = authorizeCaller(ctx, deps)
  const { raw, body } = await readJsonBody(ctx)
  const model = body.model
  if (typeof model !== 'string' || model === '') {
    throw new GatewayError('invalid_request', '"model" is required and must be a string', { param: 'model' })
  }
  const invalid = invalidModelName(model)
  if (invalid) throw new GatewayError('invalid_request', invalid, { param: 'model' })
  if (protocol === 'anthropic' && !Array.isArray(body.messages)) {
    throw new GatewayError('invalid_request', 'messages: Field required', { param: 'messages' })
  }
  const priority = identity.via === 'app-key' ? (deps.appKeys?.policy(identity.app)?.priority ?? 'normal') : 'normal'
  const keyedApp = identity.via === 'app-key' ? identity.app : undefined
  return { ctx, protocol, endpoint, raw, body, model, stream: body.stream === true, app: identity.app, keyedApp, priority }
}

/** Who is calling; throws 401 for a bad key, or for no key where the gateway requires one. */
export function authorizeCaller(ctx: RequestContext, deps: IngressDeps): Extract<AppIdentity, { ok: true }> {
  const identity = identifyApp(ctx.req.headers, deps.appKeys)
  if (!identity.ok) throw new GatewayError('unauthorized', 'unknown or revoked Switchyard app key')
  if (identity.via !== 'app-key' && deps.requireAppKey()) {
    throw new GatewayError('unauthorized', 'this gateway requires an app key: send it as `Authorization: Bearer sy-...` (or `x-api-key`)')
  }
  return identity
}

/** A JSON object request body, as sent and parsed (the size limit is the runtime's). */
export async function readJsonBody(ctx: RequestContext): Promise<{ raw: Buffer; body: Record<string, unknown> }> {
  if (!isJsonContentType(ctx.req.headers['content-type'])) {
    throw new GatewayError('unsupported_media_type', 'send the request body as JSON with Content-Type: application/json')
  }
  const raw = await readBody(ctx.req, ctx.runtime.maxBodyBytes)
  return { raw, body: parseJsonObject(raw) }
}
