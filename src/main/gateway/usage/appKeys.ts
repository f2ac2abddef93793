// App keys (`sy-` + 32 base64url characters = 192 random bits) identify calling apps. Only a
// SHA-256 of each key is stored: the keys are random, so a plain fast hash is enough (a slow KDF
// guards low-entropy passwords, not these). Lookups hit an in-memory map, never the database;
// last-used times are kept in memory and written in the background.
import { createHash, randomBytes } from 'node:crypto'
import type Database from 'better-sqlite3'
import type { AppKeyView } from '../../../shared/api'

export const APP_KEY_PREFIX = 'sy-'
const KEY_BODY = /^sy-[A-Za-z0-9_-]{32}$/
const NAME = /^[\w .@:/-]{1,64}$/u
const SHOWN_PREFIX_CHARS = 8

/** An app key as lists show it (never the key itself): the app API's view. */
export type AppKeyInfo = AppKeyView

export type AppPriority = AppKeyView['priority']

export interface AppPolicy {
  rpm?: number
  tpm?: number
  priority?: AppPriority
}

export type AppKeyLookup = { ok: true; app: string } | { ok: false; reason: 'unknown_app_key' }

export class AppKeyError extends Error {
  constructor(
    readonly code: 'invalid_name' | 'name_taken' | 'not_found',
    message: string,
  ) {
    super(message)
  }
}

interface KeyRow {
  name: string
  key_hash: string
  prefix: string
  created_at: number
  last_used_at: number | null
  rpm: number | null
  tpm: number | null
  priority: string
}

export function hashAppKey(key: string): string {
  return createHash('sha256').update(key).digest('hex')
}

export function isAppKey(value: string): boolean {
  return value.startsWith(APP_KEY_PREFIX)
}

/** An app key as a team shares it (state/: SharedAppKeys): the hash, never the key. */
export interface AppKeyRecord {
  name: string
  keyHash: string
  prefix: string
  createdAt: number
  rpm?: number
  tpm?: number
  priority: AppPriority
}

export type AppKeyChange = { kind: 'created'; record: AppKeyRecord } | { kind: 'revoked'; name: string; keyHash: string }

export class AppKeyStore {
  private byHash = new Map<string, string>()
  private info = new Map<string, AppKeyInfo>()
  private hashes = new Map<string, string>()
  private usedSinceSave = new Set<string>()
  private readonly timer: NodeJS.Timeout
  private readonly changeListeners = new Set<(change: AppKeyChange) => void>()

  constructor(
    private readonly db: Database.Database,
    private readonly opts: { now?: () => number; saveLastUsedEveryMs?: number } = {},
  ) {
    this.reload()
    this.timer = setInterval(() => this.saveLastUsed(), opts.saveLastUsedEveryMs ?? 60_000)
    this.timer.unref()
  }

  /** Re-reads the table (e.g. after another process changed it). */
  reload(): void {
    const rows = this.db.prepare('SELECT name, key_hash, prefix, created_at, last_used_at, rpm, tpm, priority FROM app_keys').all() as KeyRow[]
    this.byHash = new Map(rows.map((r) => [r.key_hash, r.name]))
    this.hashes = new Map(rows.map((r) => [r.name, r.key_hash]))
    this.info = new Map(
      rows.map((r) => [
        r.name,
        { name: r.name, createdAt: r.created_at, lastUsedAt: r.last_used_at ?? undefined, prefix: r.prefix, rpm: r.rpm ?? undefined, tpm: r.tpm ?? undefined, priority: r.priority === 'high' ? 'high' : 'normal' },
      ]),
    )
  }

  /** Creates a key for a new app. The returned key is shown once and never stored. */
  create(name: string, policy: AppPolicy = {}): { name: string; key: string } {
    const clean = name.trim()
    if (!NAME.test(clean)) throw new AppKeyError('invalid_name', 'app name: 1-64 letters, digits, spaces or . _ - @ : /')
    if (this.info.has(clean)) throw new AppKeyError('name_taken', `an app named "${clean}" already has a key; revoke it first`)
    const key = APP_KEY_PREFIX + randomBytes(24).toString('base64url')
    const hash = hashAppKey(key)
    const createdAt = this.now()
    const prefix = key.slice(0, SHOWN_PREFIX_CHARS)
    const priority: AppPriority = policy.priority === 'high' ? 'high' : 'normal'
    this.db
      .prepare('INSERT INTO app_keys (name, key_hash, prefix, created_at, rpm, tpm, priority) VALUES (?, ?, ?, ?, ?, ?, ?)')
      .run(clean, hash, prefix, createdAt, policy.rpm ?? null, policy.tpm ?? null, priority)
    this.byHash.set(hash, clean)
    this.hashes.set(clean, hash)
    this.info.set(clean, { name: clean, createdAt, prefix, rpm: policy.rpm, tpm: policy.tpm, priority })
    this.tell({ kind: 'created', record: { name: clean, keyHash: hash, prefix, createdAt, rpm: policy.rpm, tpm: policy.tpm, priority } })
    return { name: clean, key }
  }

  /** Keys created or revoked through this store (a team shares them). */
  onChange(listener: (change: AppKeyChange) => void): () => void {
    this.changeListeners.add(listener)
    return () => this.changeListeners.delete(listener)
  }

  /** Every key as a team shares it. */
  records(): AppKeyRecord[] {
    return [...this.info.values()].map((i) => ({ name: i.name, keyHash: this.hashes.get(i.name)!, prefix: i.prefix, createdAt: i.createdAt, rpm: i.rpm, tpm: i.tpm, priority: i.priority }))
  }

  /**
   * Takes in the team's keys: new or changed ones are stored here (so they work while Redis is
   * away, too), keys the team revoked go; keys only this instance knows (made before it joined,
   * or while Redis was away) are returned for the team. Returns whether anything changed here.
   */
  mergeTeam(team: { keys: readonly AppKeyRecord[]; revoked: ReadonlyMap<string, string> }): { changed: boolean; onlyHere: AppKeyRecord[] } {
    let changed = false
    const upsert = this.db.prepare(
      `INSERT INTO app_keys (name, key_hash, prefix, created_at, rpm, tpm, priority) VALUES (?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (name) DO UPDATE SET key_hash = excluded.key_hash, prefix = excluded.prefix, created_at = excluded.created_at, rpm = excluded.rpm, tpm = excluded.tpm, priority = excluded.priority`,
    )
    const teamNames = new Set<string>()
    this.db.transaction(() => {
      for (const k of team.keys) {
        if (!NAME.test(k.name) || !/^[0-9a-f]{64}$/.test(k.keyHash)) continue
        teamNames.add(k.name)
        const i = this.info.get(k.name)
        const same = i && this.hashes.get(k.name) === k.keyHash && i.rpm === k.rpm && i.tpm === k.tpm && i.priority === k.priority
        if (same) continue
        this.db.prepare('DELETE FROM app_keys WHERE key_hash = ? AND name <> ?').run(k.keyHash, k.name)
        upsert.run(k.name, k.keyHash, k.prefix, k.createdAt, k.rpm ?? null, k.tpm ?? null, k.priority === 'high' ? 'high' : 'normal')
        changed = true
      }
      for (const [name, hash] of this.hashes) {
        if (teamNames.has(name) || team.revoked.get(name) !== hash) continue
        this.db.prepare('DELETE FROM app_keys WHERE name = ?').run(name)
        changed = true
      }
    })()
    if (changed) this.reload()
    const onlyHere = this.records().filter((r) => !teamNames.has(r.name))
    return { changed, onlyHere }
  }

  private tell(change: AppKeyChange): void {
    for (const l of this.changeListeners) l(change)
  }

  /** Limits and priority an app key carries (undefined for apps without a key). */
  policy(name: string): AppPolicy | undefined {
    const i = this.info.get(name)
    return i && { rpm: i.rpm, tpm: i.tpm, priority: i.priority }
  }

  list(): AppKeyInfo[] {
    return [...this.info.values()].map((i) => ({ ...i })).sort((a, b) => a.name.localeCompare(b.name))
  }

  /** Revokes an app's key: requests presenting it get 401 from then on. */
  revoke(name: string): void {
    if (!this.info.has(name)) throw new AppKeyError('not_found', `no app named "${name}"`)
    this.db.prepare('DELETE FROM app_keys WHERE name = ?').run(name)
    const keyHash = this.hashes.get(name) ?? ''
    this.info.delete(name)
    this.hashes.delete(name)
    this.usedSinceSave.delete(name)
    for (const [hash, app] of this.byHash) if (app === name) this.byHash.delete(hash)
    this.tell({ kind: 'revoked', name, keyHash })
  }

  /** O(1), in memory: a hash and a map lookup. */
  lookup(key: string): AppKeyLookup {
    if (!KEY_BODY.test(key)) return { ok: false, reason: 'unknown_app_key' }
    const app = this.byHash.get(hashAppKey(key))
    if (app === undefined) return { ok: false, reason: 'unknown_app_key' }
    const info = this.info.get(app)
    if (info) {
      info.lastUsedAt = this.now()
      this.usedSinceSave.add(app)
    }
    return { ok: true, app }
  }

  /** Writes last-used times gathered since the previous save (best effort: it is only a hint). */
  saveLastUsed(): void {
    if (this.usedSinceSave.size === 0) return
    const update = this.db.prepare('UPDATE app_keys SET last_used_at = ? WHERE name = ?')
    try {
      this.db.transaction(() => {
        for (const name of this.usedSinceSave) {
          const at = this.info.get(name)?.lastUsedAt
          if (at !== undefined) update.run(at, name)
        }
      })()
      this.usedSinceSave.clear()
    } catch {
      // A locked database: try again at the next save.
    }
  }

  close(): void {
    clearInterval(this.timer)
    if (this.db.open) this.saveLastUsed()
  }

  private now(): number {
    return (this.opts.now ?? Date.now)()
  }
}
