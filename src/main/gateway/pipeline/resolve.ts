// Stage "resolve": the requested model -> the ordered candidates (provider + upstream model) of
// this request, healthy ones first, balanced by the route's strategy. Throws model_not_found.
import { requestDeadline } from '../routing/deadline'
import type { RequestPlan, Router } from '../routing/router'
import type { GatewayRequest } from './request'

export function resolveTargets(req: GatewayRequest, router: Router): RequestPlan {
  const { ctx } = req
  // The caller's own timeout, when it sends one, bounds failover (see routing/deadline.ts).
  const deadline = requestDeadline(ctx.req.headers, Date.now())
  return router.plan(ctx.runtime, req.model, { headers: ctx.req.headers, body: req.body, deadline })
}
