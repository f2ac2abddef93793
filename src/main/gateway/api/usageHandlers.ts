// Usage queries, the request log, exports and app keys, over the usage service.
import type { ApiHandlers, AppKeyView, UsageRow } from '../../../shared/api'
import type { Admission } from '../admission/admission'
import { AppKeyError } from '../usage/appKeys'
import { requestLogEntry } from '../usage/ledgerRecords'
import type { UsageService } from '../usage/usageService'
import { ApiFailure } from './apiFailure'
import type { StateStore } from '../state/stateStore'
import { parseGroupBy } from '../usage/usageQueries'
import { dayKeyFormatter, parseRange } from '../usage/timeRange'

type UsageHandlers = Pick<ApiHandlers, 'getUsage' | 'getTodayUsage' | 'exportUsage' | 'listRequests' | 'getRequestFacets' | 'listApps' | 'createApp' | 'revokeApp'>

export function createUsageHandlers(deps: { usage: UsageService; admission: Admission; state?: StateStore }): UsageHandlers {
  const { usage } = deps
  const apps = (): { items: AppKeyView[] } => ({
    items: usage.appKeys.list().map((a) => ({ name: a.name, prefix: a.prefix, createdAt: a.createdAt, lastUsedAt: a.lastUsedAt, rpm: a.rpm, tpm: a.tpm, priority: a.priority })),
  })
  return {
    async getUsage({ scope, ...query } = {}) {
      if (scope === 'team') return teamUsage(deps.state, usage, query)
      return rangeErrors(() => usage.queries.usage(query))
    },
    async getTodayUsage() {
      return usage.queries.today()
    },
    async exportUsage({ format, from, to }) {
      const body = rangeErrors(() => [...usage.export(format, { from, to })].join(''))
      const stamp = new Date().toISOString().slice(0, 10)
      return { filename: `switchyard-usage-${stamp}.${format}`, contentType: format === 'csv' ? 'text/csv; charset=utf-8' : 'application/json', body }
    },
    async listRequests(args) {
      const page = rangeErrors(() => usage.requests.page(args ?? {}))
      return page.nextCursor ? { items: page.items.map(requestLogEntry), nextCursor: page.nextCursor } : { items: page.items.map(requestLogEntry) }
    },
    async getRequestFacets() {
      return usage.requests.facets()
    },
    async listApps() {
      return apps()
    },
    async createApp({ name, rpm, tpm, priority }) {
      const created = appKeyErrors(() => usage.appKeys.create(name, { rpm, tpm, priority }))
      if (rpm !== undefined || tpm !== undefined) deps.admission.setAppLimits(created.name, { rpm, tpm })
      return created
    },
    async revokeApp({ name }) {
      appKeyErrors(() => usage.appKeys.revoke(name))
      deps.admission.setAppLimits(name, undefined)
      return apps()
    },
  }
}

/** The team's hourly totals (team mode); a 409 when there is no team or its store is down. */
async function teamUsage(state: StateStore | undefined, usage: UsageService, query: { from?: string; to?: string; groupBy?: string }): Promise<{ rows: UsageRow[] }> {
  if (!state || state.backend === 'embedded') throw new ApiFailure('invalid_argument', 'team usage needs team mode (state.redis in the config)')
  if (!state.usage.available) throw new ApiFailure('conflict', 'the team\'s shared state (Redis) is unreachable: team usage cannot be read now')
  const { from, to } = rangeErrors(() => parseRange(query, Date.now()))
  const groupBy = rangeErrors(() => parseGroupBy(query.groupBy))
  const rows = await state.usage.query({ from, to, groupBy, dayOf: dayKeyFormatter(usage.queries.timeZone) })
  return { rows }
}

function rangeErrors<T>(f: () => T): T {
  try {
    return f()
  } catch (err) {
    if (err instanceof RangeError) throw new ApiFailure('invalid_argument', err.message)
    throw err
  }
}

function appKeyErrors<T>(f: () => T): T {
  try {
    return f()
  } catch (err) {
    if (err instanceof AppKeyError) throw new ApiFailure(err.code === 'not_found' ? 'not_found' : err.code === 'name_taken' ? 'conflict' : 'invalid_argument', err.message)
    throw err
  }
}
