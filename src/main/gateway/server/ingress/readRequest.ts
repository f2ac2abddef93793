// The ingress stage every model request shares: who is calling (app key, else a name), then the
// JSON body (size-limited). Each dialect's handler builds its GatewayRequest from this. Fails with
// a coded GatewayError the caller renders in the client's dialect.
import { GatewayError } from '../../common/errors'
import type { Dialect } from '../../dialects/codec'
import { sendDialectError } from '../../forward/clientResponse'
import { invalidModelName } from '../../common/headerValue'
import type { RequestContext } from '../../pipeline/context'
import type { GatewayRequest } from '../../pipeline/request'
import { identifyApp, type AppIdentity, type AppKeyResolver } from '../../usage/identifyApp'
import { isJsonContentType, parseJsonObject, readBody } from '../body'

export interface IngressDeps {
  appKeys?: AppKeyResolver & { policy(app: string): { priority?: 'high' | 'normal' } | undefined }
  /** Only app-key holders may use the gateway (config, or bound beyond loopback). */
  requireAppKey(): boolean
}

/** What ingress read: the caller and the body, before any dialect looked at it. */
export interface IngressRead {
  ctx: RequestContext
  raw: Buffer
  body: Record<string, unknown>
  caller: Pick<GatewayRequest, 'app' | 'keyedApp' | 'priority'>
}

export async function readIngress(ctx: RequestContext, deps: IngressDeps): Promise<IngressRead> {
  const identity = authorizeCaller(ctx, deps)
  // readJsonBody's steps, inline: one async frame and one await fewer per request.
  requireJsonContentType(ctx)
  const raw = await readBody(ctx.req, ctx.runtime.maxBodyBytes)
  const body = parseJsonObject(raw)
  const priority = identity.via === 'app-key' ? (deps.appKeys?.policy(identity.app)?.priority ?? 'normal') : 'normal'
  const keyedApp = identity.via === 'app-key' ? identity.app : undefined
  return { ctx, raw, body, caller: { app: identity.app, keyedApp, priority } }
}

/** The model a client asked for, checked: a non-empty string, printable, of a sane length. */
export function requireModelName(model: unknown): string {
  if (typeof model !== 'string' || model === '') {
    throw new GatewayError('invalid_request', '"model" is required and must be a string', { param: 'model' })
  }
  const invalid = invalidModelName(model)
  if (invalid) throw new GatewayError('invalid_request', invalid, { param: 'model' })
  return model
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

/** Checks the caller of a request that reads no body (lists, lookups); false when the 401 was already sent in `dialect`. */
export function authorizedOrRefused(ctx: RequestContext, deps: IngressDeps, dialect: Dialect): boolean {
  try {
    authorizeCaller(ctx, deps)
    return true
  } catch (err) {
    if (!(err instanceof GatewayError)) throw err
    sendDialectError(ctx.res, dialect, err, ctx.requestId)
    return false
  }
}

/** A JSON object request body, as sent and parsed (the size limit is the runtime's). */
export async function readJsonBody(ctx: RequestContext): Promise<{ raw: Buffer; body: Record<string, unknown> }> {
  requireJsonContentType(ctx)
  const raw = await readBody(ctx.req, ctx.runtime.maxBodyBytes)
  return { raw, body: parseJsonObject(raw) }
}

function requireJsonContentType(ctx: RequestContext): void {
  if (!isJsonContentType(ctx.req.headers['content-type'])) {
    throw new GatewayError('unsupported_media_type', 'send the request body as JSON with Content-Type: application/json')
  }
}
