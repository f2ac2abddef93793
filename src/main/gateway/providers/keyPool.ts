// The per-attempt hook of a provider's key pool: the auth headers of the key admission picked for
// this request (lease.key), resolved once per config version so the attempt only does a lookup.
// What an answer says about a key goes back through Admission.reportKey (the pool's state —
// rotation, limits, learned budgets, cooldowns — lives in admission and survives config changes).
import { keyPoolOf, type ProviderConfig } from '../../../shared/config'
import type { SecretResolver } from '../common/types'
import type { ProviderAdapter } from './adapter'

export interface PooledKey {
  label: string
  /** The auth headers to send for this key (over the provider's configured ones). */
  headers: Record<string, string>
  /** The resolved key, for the secret scrubber. */
  secret: string
}

export class KeyPool {
  private turn = 0
  private readonly byLabel: Map<string, PooledKey>

  constructor(readonly keys: readonly PooledKey[]) {
    this.byLabel = new Map(keys.map((k) => [k.label, k]))
  }

  /**
   * The key for this attempt: the one admission chose (`label`); without a choice (a lease
   * granted before the pool was configured), the next one in turn.
   */
  pick(_now: number, label?: string): PooledKey | undefined {
    if (label !== undefined) {
      const chosen = this.byLabel.get(label)
      if (chosen) return chosen
    }
    if (this.keys.length === 0) return undefined
    return this.keys[this.turn++ % this.keys.length]
  }
}

/** The pool of a provider with `apiKeys` (keys that do not resolve, e.g. an unset env var, are left out). */
export function keyPoolFor(p: ProviderConfig, secrets: SecretResolver, adapter: ProviderAdapter): KeyPool | undefined {
  const configured = keyPoolOf(p)
  if (configured.length === 0) return undefined
  const keys: PooledKey[] = []
  for (const k of configured) {
    const secret = secrets.resolve(k.key, p.id)
    if (secret) keys.push({ label: k.label, headers: adapter.authHeaders(secret), secret })
  }
  return new KeyPool(keys)
}
