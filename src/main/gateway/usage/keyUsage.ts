// Per-key usage of key pools from this instance's ledger: requests, tokens and errors per
// provider and key label since a time (the dashboard's key pool view shows the last 24 h).
import type Database from 'better-sqlite3'

export interface KeyUsage {
  provider: string
  keyLabel: string
  requests: number
  tokens: number
  errors: number
}

export function keyUsageSince(db: Database.Database, since: number): KeyUsage[] {
  return db
    .prepare(
      `SELECT provider, key_label AS keyLabel, count(*) AS requests, sum(prompt_tokens + completion_tokens) AS tokens,
         sum(CASE WHEN state = 'ok' THEN 0 ELSE 1 END) AS errors
       FROM requests WHERE ts >= ? AND key_label IS NOT NULL AND state <> 'in_flight' GROUP BY provider, key_label`,
    )
    .all(since) as KeyUsage[]
}
