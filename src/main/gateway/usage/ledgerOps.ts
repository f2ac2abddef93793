// What crosses to the ledger's worker thread: each operation as a positional array of its fields
// (no keys to clone), one array of them per event-loop turn. bench/ledgerTransport.mjs chose this
// by numbers over a message per row, arrays of row objects, one message per flush window (a
// multi-millisecond clone on the event loop) and a SharedArrayBuffer ring. Values are copied as
// they are: coercion stays where it was, at flush (ledgerRows.ts), on the worker.
import type { LedgerOp } from './ledgerWriter'
import type { InFlightRow, UsageRow } from './types'

export const BEGIN = 0
export const FINAL = 1
/** An operation that could not be handed over (a value no thread can receive): it keeps its number, and nothing is written. */
export const SKIP = 2

/** `[BEGIN, requestId, ts, app, provider, routeModel, upstreamModel, endpoint, stream]`, plus the final row's fields for FINAL. */
export type PackedOp = unknown[]

export function packBegin(r: InFlightRow): PackedOp {
  return [BEGIN, r.requestId, r.ts, r.app, r.provider, r.routeModel, r.upstreamModel, r.endpoint, r.stream]
}

export function packFinal(r: UsageRow): PackedOp {
  return [
    FINAL, r.requestId, r.ts, r.app, r.provider, r.routeModel, r.upstreamModel, r.endpoint, r.stream,
    r.status, r.state, r.promptTokens, r.completionTokens, r.cachedTokens, r.cacheCreationTokens, r.reasoningTokens,
    r.costUsd, r.latencyMs, r.ttftMs, r.attempts, r.errorClass, r.estimated, r.path, r.keyLabel, r.queueWaitMs,
  ]
}

export function isFinal(op: PackedOp): boolean {
  return op[0] === FINAL
}

/** The operation a packed array stands for (field types are whatever the caller gave; flush coerces them). */
export function unpack(p: PackedOp, seq?: number): LedgerOp | undefined {
  const kind = p[0]
  if (kind === BEGIN) {
    const row = { requestId: p[1], ts: p[2], app: p[3], provider: p[4], routeModel: p[5], upstreamModel: p[6], endpoint: p[7], stream: p[8] } as InFlightRow
    return { kind: 'begin', row, seq }
  }
  if (kind !== FINAL) return undefined
  // Spelled out, not spread from the head: a spread literal is built in slow dictionary mode.
  const row = {
    requestId: p[1],
    ts: p[2],
    app: p[3],
    provider: p[4],
    routeModel: p[5],
    upstreamModel: p[6],
    endpoint: p[7],
    stream: p[8],
    status: p[9],
    state: p[10],
    promptTokens: p[11],
    completionTokens: p[12],
    cachedTokens: p[13],
    cacheCreationTokens: p[14],
    reasoningTokens: p[15],
    costUsd: p[16],
    latencyMs: p[17],
    ttftMs: p[18],
    attempts: p[19],
    errorClass: p[20],
    estimated: p[21],
    path: p[22],
    keyLabel: p[23],
    queueWaitMs: p[24],
  } as UsageRow
  return { kind: 'final', row, seq }
}

/**
 * An operation as something postMessage can carry: values no thread can receive (functions,
 * symbols) become null, and an operation that still cannot be copied (a BigInt, a cycle) becomes
 * SKIP. Only used after a whole turn's postMessage failed.
 */
export function cloneable(op: PackedOp): PackedOp {
  try {
    structuredClone(op)
    return op
  } catch {
    try {
      return JSON.parse(JSON.stringify(op)) as PackedOp
    } catch {
      return [SKIP]
    }
  }
}
