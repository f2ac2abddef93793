// Mapping between ledger rows and SQL: statements, bound parameters (coerced here, at flush, so a
// sloppy caller can never poison a batch or cost anything on the request path) and rollup deltas.
import type { AttemptStep, InFlightRow, LedgerState, StoredUsageRow, UsageRow } from './types'

export const HOUR_MS = 3_600_000

const IN_FLIGHT_COLUMNS = 'request_id, ts, app, provider, route_model, upstream_model, endpoint, stream'
const FINAL_COLUMNS = `${IN_FLIGHT_COLUMNS}, status, state, prompt_tokens, completion_tokens, cached_tokens,
  cache_creation_tokens, reasoning_tokens, cost_usd, latency_ms, ttft_ms, attempts, error_class, estimated, path, key_label, queue_wait_ms`
const FINAL_SETS = FINAL_COLUMNS.split(',')
  .map((c) => `${c.trim()} = ?`)
  .join(', ')

// Positional parameters, in the column order above: binding an array is about a third cheaper
// than binding by name, and the flush is the one place where per-row cost adds up.
export const LEDGER_SQL = {
  insertInFlight: `
    INSERT INTO requests (${IN_FLIGHT_COLUMNS}, state) VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'in_flight')`,
  insertFinal: `
    INSERT INTO requests (${FINAL_COLUMNS}) VALUES (${Array(24).fill('?').join(', ')})`,
  /** Turns a request's in-flight marker (by rowid, the last parameter) into its final row. */
  updateFinal: `
    UPDATE requests SET ${FINAL_SETS} WHERE id = ? AND state = 'in_flight'`,
  addRollup: `
    INSERT INTO rollups_hourly (hour, provider, app, model, requests, errors, prompt_tokens, completion_tokens,
      cached_tokens, cache_creation_tokens, reasoning_tokens, cost_usd)
    VALUES (@hour, @provider, @app, @model, @requests, @errors, @prompt, @completion, @cached, @cacheCreation, @reasoning, @cost)
    ON CONFLICT (hour, provider, app, model) DO UPDATE SET
      requests = requests + excluded.requests, errors = errors + excluded.errors,
      prompt_tokens = prompt_tokens + excluded.prompt_tokens, completion_tokens = completion_tokens + excluded.completion_tokens,
      cached_tokens = cached_tokens + excluded.cached_tokens, cache_creation_tokens = cache_creation_tokens + excluded.cache_creation_tokens,
      reasoning_tokens = reasoning_tokens + excluded.reasoning_tokens, cost_usd = cost_usd + excluded.cost_usd`,
  inFlightGroups: `
    SELECT (ts / ${HOUR_MS}) * ${HOUR_MS} AS hour, provider, app,
      CASE WHEN upstream_model <> '' THEN upstream_model ELSE route_model END AS model, count(*) AS n
    FROM requests WHERE state = 'in_flight' GROUP BY 1, 2, 3, 4`,
  markInterrupted: `UPDATE requests SET state = 'interrupted', error_class = 'interrupted' WHERE state = 'in_flight'`,
  inFlightMarkers: `SELECT id, request_id FROM requests WHERE state = 'in_flight'`,
  // In-flight markers stay: their request is still running (or is reconciled at the next start).
  deleteOlderThan: `DELETE FROM requests WHERE id IN (SELECT id FROM requests WHERE ts < ? AND state <> 'in_flight' ORDER BY ts LIMIT ?)`,
} as const

export interface RollupDelta {
  hour: number
  provider: string
  app: string
  model: string
  requests: number
  errors: number
  prompt: number
  completion: number
  cached: number
  cacheCreation: number
  reasoning: number
  cost: number
}

const text = (v: unknown, max = 256): string => (typeof v === 'string' ? v : v === undefined || v === null ? '' : String(v)).slice(0, max)
const int = (v: unknown): number => (typeof v === 'number' && Number.isFinite(v) && v > 0 ? Math.round(v) : 0)
const nullableInt = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) && v >= 0 ? Math.round(v) : null)
const STATES: ReadonlySet<string> = new Set(['ok', 'error', 'aborted', 'interrupted'])

/** A final row as it is bound: coerced values, booleans as 0/1, the path as JSON. */
export type FinalParams = Omit<UsageRow, 'stream' | 'state' | 'estimated' | 'path' | 'keyLabel' | 'queueWaitMs'> & { stream: number; state: string; estimated: number; path: string | null; keyLabel: string | null; queueWaitMs: number | null }

export function inFlightParams(row: InFlightRow): unknown[] {
  return [text(row.requestId), int(row.ts), text(row.app), text(row.provider), text(row.routeModel), text(row.upstreamModel), text(row.endpoint), row.stream ? 1 : 0]
}

export function finalParams(row: UsageRow): FinalParams {
  return {
    requestId: text(row.requestId),
    ts: int(row.ts),
    app: text(row.app),
    provider: text(row.provider),
    routeModel: text(row.routeModel),
    upstreamModel: text(row.upstreamModel),
    endpoint: text(row.endpoint),
    stream: row.stream ? 1 : 0,
    status: int(row.status),
    state: STATES.has(row.state) ? row.state : 'error',
    promptTokens: int(row.promptTokens),
    completionTokens: int(row.completionTokens),
    cachedTokens: int(row.cachedTokens),
    cacheCreationTokens: int(row.cacheCreationTokens),
    reasoningTokens: int(row.reasoningTokens),
    costUsd: typeof row.costUsd === 'number' && Number.isFinite(row.costUsd) && row.costUsd > 0 ? row.costUsd : 0,
    latencyMs: nullableInt(row.latencyMs),
    ttftMs: nullableInt(row.ttftMs),
    attempts: Math.max(1, int(row.attempts)),
    errorClass: row.errorClass ? text(row.errorClass, 128) : null,
    estimated: row.estimated ? 1 : 0,
    path: row.path && row.path.length > 0 ? JSON.stringify(row.path.slice(0, 10)) : null,
    keyLabel: row.keyLabel ? text(row.keyLabel, 64) : null,
    queueWaitMs: nullableInt(row.queueWaitMs),
  }
}

/** The bound values of upsertFinal, in FINAL_COLUMNS order. */
export function finalValues(p: FinalParams): unknown[] {
  return [
    p.requestId, p.ts, p.app, p.provider, p.routeModel, p.upstreamModel, p.endpoint, p.stream, p.status, p.state,
    p.promptTokens, p.completionTokens, p.cachedTokens, p.cacheCreationTokens, p.reasoningTokens, p.costUsd,
    p.latencyMs, p.ttftMs, p.attempts, p.errorClass, p.estimated, p.path, p.keyLabel, p.queueWaitMs,
  ]
}

export function rollupKey(hour: number, provider: string, app: string, model: string): string {
  return `${hour}\u0000${provider}\u0000${app}\u0000${model}`
}

/** Adds a stored final row (its bound parameters) to the batch's rollup deltas. */
export function addToRollup(rollups: Map<string, RollupDelta>, p: FinalParams): void {
  const hour = Math.floor(p.ts / HOUR_MS) * HOUR_MS
  const model = p.upstreamModel || p.routeModel
  const k = rollupKey(hour, p.provider, p.app, model)
  let d = rollups.get(k)
  if (!d) {
    d = { hour, provider: p.provider, app: p.app, model, requests: 0, errors: 0, prompt: 0, completion: 0, cached: 0, cacheCreation: 0, reasoning: 0, cost: 0 }
    rollups.set(k, d)
  }
  d.requests++
  if (p.state !== 'ok') d.errors++
  d.prompt += p.promptTokens
  d.completion += p.completionTokens
  d.cached += p.cachedTokens
  d.cacheCreation += p.cacheCreationTokens
  d.reasoning += p.reasoningTokens
  d.cost += p.costUsd
}

/** The columns of `requests`, as queries select them, in export order. */
export const ROW_COLUMNS = `id, request_id, ts, app, provider, route_model, upstream_model, endpoint, stream, status, state,
  prompt_tokens, completion_tokens, cached_tokens, cache_creation_tokens, reasoning_tokens, cost_usd,
  latency_ms, ttft_ms, attempts, error_class, estimated, exported, path, key_label, queue_wait_ms`

export interface DbRow {
  id: number
  request_id: string
  ts: number
  app: string
  provider: string
  route_model: string
  upstream_model: string
  endpoint: string
  stream: number
  status: number
  state: string
  prompt_tokens: number
  completion_tokens: number
  cached_tokens: number
  cache_creation_tokens: number
  reasoning_tokens: number
  cost_usd: number
  latency_ms: number | null
  ttft_ms: number | null
  attempts: number
  error_class: string | null
  estimated: number
  exported: number
  path: string | null
  key_label: string | null
  queue_wait_ms: number | null
}

export function fromDb(r: DbRow): StoredUsageRow {
  return {
    id: r.id,
    requestId: r.request_id,
    ts: r.ts,
    app: r.app,
    provider: r.provider,
    routeModel: r.route_model,
    upstreamModel: r.upstream_model,
    endpoint: r.endpoint,
    stream: r.stream === 1,
    status: r.status,
    state: r.state as LedgerState,
    promptTokens: r.prompt_tokens,
    completionTokens: r.completion_tokens,
    cachedTokens: r.cached_tokens,
    cacheCreationTokens: r.cache_creation_tokens,
    reasoningTokens: r.reasoning_tokens,
    costUsd: r.cost_usd,
    latencyMs: r.latency_ms,
    ttftMs: r.ttft_ms,
    attempts: r.attempts,
    errorClass: r.error_class,
    estimated: r.estimated === 1,
    exported: r.exported === 1,
    path: parsePath(r.path),
    keyLabel: r.key_label ?? undefined,
    queueWaitMs: r.queue_wait_ms,
  }
}

function parsePath(json: string | null): AttemptStep[] | undefined {
  if (!json) return undefined
  try {
    const steps = JSON.parse(json) as unknown
    return Array.isArray(steps) ? (steps as AttemptStep[]) : undefined
  } catch {
    return undefined
  }
}
