import type { IncomingMessage, ServerResponse } from 'node:http'
import type { Runtime } from '../runtime/runtime'

/** What every stage of one request sees. */
export interface RequestContext {
  req: IncomingMessage
  res: ServerResponse
  requestId: string
  /** Path without the query string. */
  path: string
  /** The config version this request started on; it finishes on it. */
  runtime: Runtime
}

/** Routes a host adds on the gateway's port (the headless web bridge: /admin/api, /ui). Returns false when the path is not theirs. */
export type HostRoutes = (ctx: RequestContext) => boolean | Promise<boolean>
