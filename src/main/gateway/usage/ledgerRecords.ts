// What a stored ledger row looks like outside the gateway. fromDb (ledgerRows.ts) is the one
// mapping from the SQLite columns (snake_case) to a row; this is the one from that row to every
// record that leaves: the app API's request log entry, the export's CSV/JSON record and the
// webhook's record. Each is a choice of fields of ledgerRecord(), whose derived values (ISO time,
// total tokens, the failover path as text) are computed here and nowhere else, so a new column
// is added in one place and a record that should carry it names it once.
import type { RequestLogEntry } from '../../../shared/api'
import type { StoredUsageRow } from './types'

/** A stored row with its derived values: the superset every outward record picks from. */
export interface LedgerRecord extends RequestLogEntry {
  /** Request start as ISO 8601 (UTC). */
  time: string
  totalTokens: number
  /** `vllm-a:timeout > ollama:success`: the failover path, readable in a spreadsheet cell. */
  pathText: string | null
}

/** A stored row as the request log shows it: everything but storage bookkeeping. */
export function requestLogEntry(r: StoredUsageRow): RequestLogEntry {
  const { id: _id, exported: _exported, ...entry } = r
  return entry
}

export function ledgerRecord(r: StoredUsageRow): LedgerRecord {
  return {
    ...requestLogEntry(r),
    time: new Date(r.ts).toISOString(),
    totalTokens: r.promptTokens + r.completionTokens,
    pathText: r.path ? r.path.map((a) => `${a.provider}:${a.outcome}`).join(' > ') : null,
  }
}

/** The named fields of a record, in the given order (key order is the JSON and CSV order). */
export function pick<K extends keyof LedgerRecord>(rec: LedgerRecord, keys: readonly K[]): Pick<LedgerRecord, K> {
  const out = {} as Pick<LedgerRecord, K>
  for (const k of keys) out[k] = rec[k]
  return out
}
