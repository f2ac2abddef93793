// Team mode for admission: which lines a shared store decides, asking it (one round trip for
// every candidate, key and the app together), the leases it grants (mirrored on the local
// limiters, which keep this instance's own view and are what decides while the store is gone),
// and the book of what this instance admitted alone, pushed back when the store returns.
//
// A line is shared while the store is up and the line has something to share: configured
// limits, a learned upstream budget or cooldown, or a key pool with either. Everything else (a
// local GPU without limits) is admitted here without asking anyone.
import { randomBytes } from 'node:crypto'
import type { AppGate, ProviderLine, RemoteVerdict } from './admissionTypes'
import type { KeyState } from './keyRing'
import type { Lease, ProviderLimiter } from './providerLimiter'
import type { LimiterSpec, ProbeCandidate, RemoteBlock, SharedLimits, UnsyncedLease } from './sharedLimits'
import { totalTokens, type TokenEstimate } from './tokenEstimate'
import type { GateResult } from './waitingRoom'

const OK: GateResult = { ok: true }
/** A refusal with no time attached (concurrency) is looked at again after this at the latest. */
const CONCURRENCY_RECHECK_MS = 2_000
const MAX_BOOK = 20_000

export interface SharedChoice {
  line: ProviderLine
  key?: KeyState
  leaseId: string
}

interface BookEntry extends UnsyncedLease {
  synced: boolean
}

export class SharedGate {
  private readonly prefix = randomBytes(4).toString('hex')
  private seq = 0
  private readonly book = new Map<string, BookEntry>()
  private readonly unsubscribe: Array<() => void> = []

  constructor(
    readonly store: SharedLimits,
    private readonly lines: ReadonlyMap<string, ProviderLine>,
    private readonly apps: ReadonlyMap<string, AppGate>,
    private readonly clock: () => number,
    private readonly windowMs: number,
    private readonly pump: () => void,
  ) {
    this.unsubscribe.push(
      store.onRelease((ids) => this.released(ids)),
      store.onLearned((id, view) => this.limiterOf(id)?.mirrorUpstream(view, this.clock())),
      store.onStatus(() => {
        this.clearVerdicts()
        this.pump()
      }),
    )
    store.setResyncSource((all) => this.unsynced(all))
  }

  lineShared(line: ProviderLine, now: number): boolean {
    if (!this.store.up) return false
    if (line.limiter.hasLimits() || line.limiter.hasUpstreamState(now)) return true
    return line.keys?.all().some((k) => k.limiter.hasLimits() || k.limiter.hasUpstreamState(now)) ?? false
  }

  appShared(app: AppGate | undefined): boolean {
    return app !== undefined && this.store.up && app.limiter.hasLimits()
  }

  /** What the store last said, while it holds. */
  verdict(v: RemoteVerdict | undefined, now: number): GateResult {
    if (!v || now >= v.until) return OK
    return { ok: false, reason: v.reason, retryAfterMs: Math.max(0, v.retryAfterMs - (now - v.at)), wakeMs: v.until - now }
  }

  /**
   * One question for all `lines` (best first) and the app: the first that fits is charged, in the
   * store, atomically. Refusals are recorded on the lines (and the app). Throws when the store is
   * unreachable (it is then down, and the caller decides locally).
   */
  async ask(lines: readonly ProviderLine[], app: AppGate | undefined, estimate: TokenEstimate): Promise<SharedChoice | undefined> {
    const leaseId = `${this.prefix}${(++this.seq).toString(36)}`
    const keyOrders = lines.map((l) => (l.keys && l.keys.size > 0 ? l.keys.preference() : undefined))
    const candidates: ProbeCandidate[] = lines.map((l, i) => ({ provider: spec(l.id, l.limiter, 'p'), keys: keyOrders[i]?.map((k) => spec(k.id, k.limiter)) }))
    const result = await this.store.probe({ leaseId, candidates, app: app && spec(`a:${app.name}`, app.limiter), estimate })
    const now = this.clock()
    if (result.ok) {
      const line = lines[result.index]!
      const key = result.key === undefined ? undefined : keyOrders[result.index]?.[result.key]
      if (key) line.keys!.chose(key)
      line.remote = undefined
      return { line, key, leaseId }
    }
    if (app) app.remote = toVerdict(result.app, now)
    if (!result.app) lines.forEach((l, i) => (l.remote = toVerdict(result.blocks[i], now)))
    return undefined
  }

  /** The lease of a shared admission: mirrored locally, released in the store when it ends. */
  sharedLease(choice: SharedChoice, app: AppGate | undefined, estimate: TokenEstimate, now: number, batch: (fn: () => void) => void): Lease {
    const { line, key, leaseId } = choice
    const ids = [`p:${line.id}`, ...(key ? [key.id] : []), ...(app ? [`a:${app.name}`] : [])]
    const local = [line.limiter.admit(estimate, now), ...(key ? [key.limiter.admit(estimate, now)] : []), ...(app ? [app.limiter.admit(estimate, now)] : [])]
    this.store.track(leaseId, ids)
    // Kept for a window, so that a Redis that restarts empty learns it again (pushed idempotently).
    const entry: BookEntry = { leaseId, at: now, tokens: totalTokens(estimate), open: true, limiters: this.specsOf(line, key, app, now, true), synced: true }
    this.trimBook(now)
    this.book.set(leaseId, entry)
    const store = this.store
    const end = (mode: 'settle' | 'cancel', actualTokens?: number): void => {
      if (local[0]!.done) return
      entry.open = false
      if (mode === 'cancel') this.book.delete(leaseId)
      else if (actualTokens !== undefined && Number.isFinite(actualTokens)) entry.tokens = actualTokens
      // The store first: a queue woken by the local release then asks after the release arrived.
      store.release(leaseId, ids, mode === 'cancel' ? { kind: 'cancel' } : { kind: 'settle', actualTokens }, estimate)
      batch(() => {
        for (const l of local) {
          if (mode === 'cancel') l.cancel()
          else l.settle(actualTokens)
        }
        this.released(ids)
      })
    }
    return {
      estimate,
      key: key?.label,
      get done() {
        return local[0]!.done
      },
      settle: (actualTokens) => end('settle', actualTokens),
      cancel: () => end('cancel'),
    }
  }

  /**
   * A lease granted here while the store could not be asked, on limits the team shares: kept in
   * the book and pushed to the store when it is back (then released there like a shared one).
   */
  bookLocal(lease: Lease, limiters: LimiterSpec[], now: number): Lease {
    if (limiters.length === 0) return lease
    const entry: BookEntry = { leaseId: `${this.prefix}${(++this.seq).toString(36)}`, at: now, tokens: totalTokens(lease.estimate), open: true, limiters, synced: false }
    this.trimBook(now)
    this.book.set(entry.leaseId, entry)
    const finish = (mode: 'settle' | 'cancel', actualTokens?: number): void => {
      if (lease.done) return
      if (mode === 'cancel') lease.cancel()
      else lease.settle(actualTokens)
      entry.open = false
      if (mode === 'cancel') entry.tokens = 0
      else if (actualTokens !== undefined && Number.isFinite(actualTokens)) entry.tokens = actualTokens
      if (mode === 'cancel') this.book.delete(entry.leaseId)
      if (entry.synced) {
        const ids = limiters.map((l) => l.id)
        this.store.release(entry.leaseId, ids, mode === 'cancel' ? { kind: 'cancel' } : { kind: 'settle', actualTokens }, lease.estimate)
      }
    }
    return {
      estimate: lease.estimate,
      key: lease.key,
      get done() {
        return lease.done
      },
      settle: (actualTokens) => finish('settle', actualTokens),
      cancel: () => finish('cancel'),
    }
  }

  /** The limiters of a grant that the team shares (what the book records); `all` for a shared grant. */
  specsOf(line: ProviderLine, key: KeyState | undefined, app: AppGate | undefined, now: number, all = false): LimiterSpec[] {
    const out: LimiterSpec[] = []
    const shares = (l: ProviderLimiter) => all || l.hasLimits() || l.hasUpstreamState(now)
    if (shares(line.limiter)) out.push(spec(line.id, line.limiter, 'p'))
    if (key && shares(key.limiter)) out.push(spec(key.id, key.limiter))
    if (app && (all || app.limiter.hasLimits())) out.push(spec(`a:${app.name}`, app.limiter))
    return out
  }

  close(): void {
    for (const off of this.unsubscribe) off()
  }

  /**
   * For a reconnect: at first (`all`) everything still counting in a window or running, shared
   * or granted here alone (the store adds what it lacks, by lease id, so a mere blip adds nothing
   * twice); in later rounds of the same resync only what was granted meanwhile.
   */
  private unsynced(all: boolean): UnsyncedLease[] {
    this.trimBook(this.clock())
    const round = [...this.book.values()].filter((e) => all || !e.synced)
    for (const e of round) e.synced = true
    return round.map((e) => ({ leaseId: e.leaseId, at: e.at, tokens: e.tokens, open: e.open, limiters: e.limiters }))
  }

  /**
   * Drops what no longer counts in any window. The book is in admission order, so the walk stops
   * at the first entry still in the window (amortised O(1) per admission); the few long-running
   * requests older than that are stepped over. Over MAX_BOOK, the oldest closed ones go first.
   */
  private trimBook(now: number): void {
    for (const [id, e] of this.book) {
      if (now - e.at < this.windowMs) break
      if (!e.open) this.book.delete(id)
    }
    if (this.book.size < MAX_BOOK) return
    for (const [id, e] of this.book) {
      if (this.book.size < MAX_BOOK * 0.9) break
      if (!e.open) this.book.delete(id)
    }
  }

  /** A release anywhere: the refusals it may have lifted are forgotten, and the queue looks again. */
  private released(ids: readonly string[]): void {
    let any = false
    for (const id of ids) {
      if (id.startsWith('p:') || id.startsWith('k:')) {
        const line = this.lines.get(id.startsWith('p:') ? id.slice(2) : id.slice(2, id.lastIndexOf(':')))
        if (line?.remote) {
          line.remote = undefined
          any = true
        }
      } else if (id.startsWith('a:')) {
        const app = this.apps.get(id.slice(2))
        if (app?.remote) {
          app.remote = undefined
          any = true
        }
      }
    }
    if (any) this.pump()
  }

  private clearVerdicts(): void {
    for (const line of this.lines.values()) line.remote = undefined
    for (const app of this.apps.values()) app.remote = undefined
  }

  private limiterOf(id: string): ProviderLimiter | undefined {
    if (id.startsWith('p:')) return this.lines.get(id.slice(2))?.limiter
    if (id.startsWith('a:')) return this.apps.get(id.slice(2))?.limiter
    if (id.startsWith('k:')) {
      const rest = id.slice(2)
      for (const line of this.lines.values()) {
        if (!rest.startsWith(`${line.id}:`) || !line.keys) continue
        const key = line.keys.get(rest.slice(line.id.length + 1))
        if (key) return key.limiter
      }
    }
    return undefined
  }
}

function spec(id: string, limiter: ProviderLimiter, kind?: 'p'): LimiterSpec {
  return { id: kind ? `${kind}:${id}` : id, limits: limiter.getLimits() }
}

function toVerdict(block: RemoteBlock | undefined, now: number): RemoteVerdict | undefined {
  if (!block) return undefined
  const wake = block.wakeMs > 0 ? Math.min(block.wakeMs, block.reason === 'concurrency' ? CONCURRENCY_RECHECK_MS : block.wakeMs) : CONCURRENCY_RECHECK_MS
  return { reason: block.reason, retryAfterMs: block.retryAfterMs, at: now, until: now + Math.max(1, wake) }
}
