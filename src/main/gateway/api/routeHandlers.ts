// Route insights: where conversations are pinned and how well prompts hit the backends' caches.
import type { ApiHandlers } from '../../../shared/api'
import { ledgerCacheRows, routeInsights } from '../routing/routeInsights'
import type { Router } from '../routing/router'
import type { Runtime } from '../runtime/runtime'
import type { UsageService } from '../usage/usageService'

export function createRouteHandlers(deps: { router: Router; usage: UsageService; runtime(): Runtime }): Pick<ApiHandlers, 'getRouteInsights'> {
  return {
    async getRouteInsights() {
      const now = Date.now()
      const ledger = ledgerCacheRows(deps.usage.ledger.db, now - 24 * 3600_000)
      return { items: routeInsights(deps.runtime(), deps.router.tracker, ledger, now) }
    },
  }
}
