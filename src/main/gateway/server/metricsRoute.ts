// GET /metrics: Prometheus text. Gauges that mirror live state (queue depth, upstream health)
// are set from their sources right before each scrape rather than on the request path.
import type { Admission } from '../admission/admission'
import type { Router } from '../routing/router'
import type { RequestContext } from '../pipeline/context'
import type { UsageService } from '../usage/usageService'

export async function serveMetrics(ctx: RequestContext, deps: { usage: UsageService; admission: Admission; router: Router }): Promise<void> {
  const metrics = deps.usage.metrics
  const routing = deps.router.status()
  metrics.retainProviders(routing.map((s) => s.providerId))
  for (const [provider, snap] of Object.entries(deps.admission.snapshot())) metrics.setQueueDepth(provider, snap.queued)
  for (const s of routing) metrics.setUpstreamUp(s.providerId, s.health.available)
  const body = await metrics.exposition()
  ctx.res.writeHead(200, { 'content-type': metrics.contentType, 'content-length': Buffer.byteLength(body) })
  ctx.res.end(body)
}
