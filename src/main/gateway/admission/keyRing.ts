// A provider's key pool as admission sees it: every key has its own weight, its own limits and
// learned budget (a ProviderLimiter each), and a cooldown after answers that say the key cannot
// be used for a while (429, 401/403, 402 quota). A request is admitted on the provider only when
// some key can take it; the key is chosen by smooth weighted round-robin among those that can
// (nginx's algorithm: even spread, no bursts on the heaviest key).
import { MAX_UPSTREAM_WAIT_MS } from './upstreamBudget'
import { ProviderLimiter, type CheckResult, type Lease, type LimiterSnapshot, type Limits } from './providerLimiter'
import type { HeaderSource } from './upstreamHeaders'
import type { TokenEstimate } from './tokenEstimate'
import type { Clock } from './clock'

export interface KeyAdmissionConfig {
  label: string
  weight?: number
  limits?: Limits
  /** Changes when the key itself changes (its state then starts over). */
  fingerprint?: string
}

export type KeyTrouble = 'rate-limited' | 'auth' | 'quota'

export interface KeyState {
  readonly label: string
  /** Limiter id in a shared store: `k:<provider>:<label>`. */
  readonly id: string
  weight: number
  fingerprint?: string
  readonly limiter: ProviderLimiter
  /** Smooth weighted round-robin score. */
  current: number
  trouble?: { kind: KeyTrouble; status: number; at: number }
  consecutive429: number
  unsubscribe: () => void
}

export interface KeyOutcome {
  status: number
  headers?: HeaderSource
}

export interface KeySnapshot extends LimiterSnapshot {
  label: string
  weight: number
  available: boolean
  trouble?: KeyTrouble
  troubleStatus?: number
}

/** 401/403/402: the key is refused, not the request; retried after this (or after a config change). */
const REFUSED_KEY_MS = MAX_UPSTREAM_WAIT_MS
const FIRST_429_MS = 1_000
const MAX_429_MS = 60_000

export class KeyRing {
  private keys: KeyState[] = []

  constructor(
    private readonly providerId: string,
    private readonly newLimiter: (limits: Limits) => ProviderLimiter,
    private readonly onChange: () => void,
    private readonly clock: Clock,
  ) {}

  get size(): number {
    return this.keys.length
  }

  all(): readonly KeyState[] {
    return this.keys
  }

  /** Keeps the state (windows, cooldowns, rotation) of keys whose label and key stay the same. */
  configure(configs: readonly KeyAdmissionConfig[]): void {
    const before = new Map(this.keys.map((k) => [k.label, k]))
    const next: KeyState[] = []
    for (const c of configs) {
      let key = before.get(c.label)
      if (key && key.fingerprint !== c.fingerprint) {
        key.unsubscribe()
        key = undefined
      }
      if (key) {
        key.limiter.setLimits(c.limits ?? {})
        before.delete(c.label)
      } else {
        const limiter = this.newLimiter(c.limits ?? {})
        key = { label: c.label, id: `k:${this.providerId}:${c.label}`, weight: 1, limiter, current: 0, consecutive429: 0, unsubscribe: limiter.onChange(this.onChange) }
      }
      key.weight = Math.max(0, c.weight ?? 1)
      key.fingerprint = c.fingerprint
      next.push(key)
    }
    for (const gone of before.values()) gone.unsubscribe()
    this.keys = next
  }

  get(label: string): KeyState | undefined {
    return this.keys.find((k) => k.label === label)
  }

  /** Ok when some key can take the request; else the one that frees up first says why and when. */
  check(estimate: TokenEstimate, now: number): CheckResult {
    let soonest: CheckResult | undefined
    for (const key of this.keys) {
      const r = key.limiter.check(estimate, now)
      if (r.ok) return r
      if (!soonest || (!soonest.ok && waitOf(r) < waitOf(soonest))) soonest = r
    }
    return soonest ?? { ok: true }
  }

  /** Picks (and charges) a key that can take the request now. */
  admit(estimate: TokenEstimate, now: number): { key: KeyState; lease: Lease } | undefined {
    const usable = this.keys.filter((k) => k.limiter.check(estimate, now).ok)
    const key = this.rotate(usable)
    return key && { key, lease: key.limiter.admit(estimate, now) }
  }

  /** The keys in the order the rotation would try them (a shared store picks the first that fits). */
  preference(): KeyState[] {
    return [...this.keys].sort((a, b) => b.current + b.weight - (a.current + a.weight))
  }

  /** The shared store picked `key`: advance the rotation as if it had been picked here. */
  chose(key: KeyState): void {
    this.rotate(this.keys, key)
  }

  /** What an answer through `label` says about that key: its budget, and whether to rest it. */
  report(label: string, outcome: KeyOutcome, now: number = this.clock()): void {
    const key = this.get(label)
    if (!key) return
    if (outcome.headers) key.limiter.learn(outcome.headers, now)
    const { status } = outcome
    if (status >= 200 && status < 400) {
      key.consecutive429 = 0
      key.trouble = undefined
      return
    }
    if (status === 401 || status === 403 || status === 402) {
      key.trouble = { kind: status === 402 ? 'quota' : 'auth', status, at: now }
      key.limiter.coolDown(now + REFUSED_KEY_MS, now)
      return
    }
    if (status === 429) {
      key.consecutive429++
      key.trouble = { kind: 'rate-limited', status, at: now }
      // Retry-After (learned above) when the upstream sent one; else a growing pause.
      const pause = Math.min(FIRST_429_MS * 2 ** (key.consecutive429 - 1), MAX_429_MS)
      const snap = key.limiter.snapshot(now).upstream
      if (!snap?.cooldownUntil) key.limiter.coolDown(now + pause, now)
    }
  }

  snapshot(now: number): KeySnapshot[] {
    return this.keys.map((k) => {
      const snap = k.limiter.snapshot(now)
      const available = k.limiter.check({ input: 0, output: 0 }, now).ok
      return { ...snap, label: k.label, weight: k.weight, available, trouble: available ? undefined : k.trouble?.kind, troubleStatus: available ? undefined : k.trouble?.status }
    })
  }

  close(): void {
    for (const k of this.keys) k.unsubscribe()
  }

  private rotate(candidates: readonly KeyState[], forced?: KeyState): KeyState | undefined {
    if (candidates.length === 0) return undefined
    let total = 0
    let best: KeyState | undefined
    for (const k of candidates) {
      k.current += k.weight
      total += k.weight
      if (!best || k.current > best.current) best = k
    }
    const chosen = forced ?? best!
    chosen.current -= total
    return chosen
  }
}

function waitOf(r: CheckResult): number {
  return r.ok ? 0 : r.retryAfterMs
}
