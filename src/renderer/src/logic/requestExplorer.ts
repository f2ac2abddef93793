// The request explorer's pure parts: filters -> the server query, the dialect an endpoint
// speaks, what a row's timings and failover path read as in the detail drawer.
import type { RequestLogEntry, RequestQuery, RequestStatusClass } from '../../../shared/api'
import { formatMs } from './format'

export const RANGE_PRESETS = [
  { value: 'all', label: 'All time' },
  { value: '15m', label: 'Last 15 min' },
  { value: '1h', label: 'Last hour' },
  { value: '24h', label: 'Last 24 h' },
  { value: '7d', label: 'Last 7 days' },
] as const
export type RangePreset = (typeof RANGE_PRESETS)[number]['value']

const RANGE_MS: Record<Exclude<RangePreset, 'all'>, number> = { '15m': 15 * 60_000, '1h': 3_600_000, '24h': 86_400_000, '7d': 7 * 86_400_000 }

export interface RequestFilters {
  status?: RequestStatusClass
  app?: string
  provider?: string
  model?: string
  endpoint?: string
  range: RangePreset
  /** A request id or its start; other filters are ignored while it is set. */
  requestId?: string
}

export function emptyFilters(): RequestFilters {
  return { range: 'all' }
}

export function activeFilterCount(f: RequestFilters): number {
  return [f.status, f.app, f.provider, f.model, f.endpoint, f.requestId].filter((v) => v !== undefined && v !== '').length + (f.range === 'all' ? 0 : 1)
}

/** The server query for a page: the range ends "now" (each live refresh moves it). */
export function requestQuery(f: RequestFilters, opts: { now: number; limit: number; cursor?: string }): RequestQuery {
  const q: RequestQuery = { limit: opts.limit }
  if (opts.cursor) q.cursor = opts.cursor
  const id = f.requestId?.trim()
  if (id) return { ...q, requestId: id }
  if (f.status) q.status = f.status
  if (f.app) q.app = f.app
  if (f.provider) q.provider = f.provider
  if (f.model) q.model = f.model
  if (f.endpoint) q.endpoint = f.endpoint
  if (f.range !== 'all') q.from = new Date(opts.now - RANGE_MS[f.range]).toISOString()
  return q
}

/** Which API an endpoint belongs to, as the UI names it. */
export function dialectOf(endpoint: string): string {
  const e = endpoint.replace(/^\/v1(?=\/)/, '')
  if (e.startsWith('/chat/completions') || e === '/completions') return 'OpenAI Chat'
  if (e.startsWith('/responses')) return 'OpenAI Responses'
  if (e.startsWith('/embeddings')) return 'OpenAI Embeddings'
  if (e.startsWith('/messages')) return 'Anthropic Messages'
  if (e.startsWith('/models') || endpoint.startsWith('/v1beta/')) return endpoint.startsWith('/v1beta/') ? 'Gemini' : 'Model list'
  if (endpoint.startsWith('/api/')) return 'Ollama'
  return 'Other'
}

export const STATUS_OPTIONS: Array<{ value: RequestStatusClass; label: string }> = [
  { value: '2xx', label: 'Succeeded (2xx)' },
  { value: '4xx', label: 'Client errors (4xx)' },
  { value: '5xx', label: 'Server errors (5xx)' },
  { value: 'errors', label: 'Any failure' },
]

export interface DetailLine {
  label: string
  value: string
  hint?: string
}

/** Timings for the drawer: queue wait, time to first byte and duration (which includes the wait). */
export function timingLines(r: RequestLogEntry): DetailLine[] {
  return [
    { label: 'Started', value: new Date(r.ts).toLocaleString() },
    queueWaitLine(r),
    { label: 'Time to first byte', value: formatMs(r.ttftMs), hint: r.ttftMs === null ? (r.stream ? 'no byte reached the client' : 'not measured for non-streamed answers') : undefined },
    { label: 'Duration', value: r.state === 'in_flight' ? 'still running' : formatMs(r.latencyMs) },
  ]
}

function queueWaitLine(r: RequestLogEntry): DetailLine {
  const label = 'Queue wait'
  // Rows written before the wait was recorded, and requests refused before admission, have none.
  if (r.queueWaitMs === undefined || r.queueWaitMs === null) return { label, value: '—', hint: r.state === 'in_flight' ? 'known when it ends' : 'not recorded for this request' }
  if (r.queueWaitMs === 0) return { label, value: formatMs(0), hint: 'admitted at once' }
  return { label, value: formatMs(r.queueWaitMs), hint: 'waited for a free slot or the rate limits' }
}

/** One line per upstream attempt: who, which model, what happened. */
export function attemptLines(r: RequestLogEntry): Array<{ provider: string; model: string; result: string; latency: string; ok: boolean }> {
  if (!r.path || r.path.length === 0) {
    return [{ provider: r.provider || '—', model: r.upstreamModel || r.routeModel || '—', result: r.errorClass ?? (r.status ? String(r.status) : r.state), latency: formatMs(r.latencyMs), ok: !r.errorClass && r.status < 400 }]
  }
  return r.path.map((p) => ({
    provider: p.provider,
    model: p.model,
    result: p.status !== undefined ? `${p.status} ${p.outcome}` : p.outcome,
    latency: formatMs(p.latencyMs),
    ok: p.outcome === 'success',
  }))
}
