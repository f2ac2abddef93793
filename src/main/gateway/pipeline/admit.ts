// Stage "admit": a lease on one of the remaining candidates, within its limits (RPM/TPM,
// concurrency, learned upstream budgets) and the calling app's; else a place in the queue until
// one frees up, the queue times out or the client leaves.
import type { Admission } from '../admission/admission'
import type { Lease } from '../admission/providerLimiter'
import { estimateRequestTokens, type RequestShape, type TokenEstimate } from '../admission/tokenEstimate'
import type { Runtime } from '../runtime/runtime'
import type { ClientGone } from './clientGone'
import type { GatewayRequest } from './request'

export interface Admitted {
  providerId: string
  lease: Lease
}

const SHAPES: Partial<Record<GatewayRequest['endpoint'], RequestShape>> = {
  '/chat/completions': 'chat',
  '/completions': 'completions',
  '/embeddings': 'embeddings',
  '/v1/messages': 'anthropic-messages',
}

export class Admitter {
  private estimate?: TokenEstimate
  private waitNoted = false

  constructor(
    private readonly req: GatewayRequest,
    private readonly admission: Admission,
    private readonly runtime: Runtime,
    /** Told once how long the first admit() kept the request waiting (the ledger's queue wait). */
    private readonly onFirstWait?: (ms: number) => void,
  ) {}

  /** Tokens the request is expected to use (counted once, and only when a TPM limit asks for it). */
  tokens(candidates: readonly string[]): TokenEstimate {
    if (this.estimate) return this.estimate
    const { req } = this
    this.estimate = this.admission.needsTokenEstimate(candidates, req.keyedApp)
      ? estimateRequestTokens(req.body, { shape: SHAPES[req.endpoint] ?? 'json', model: req.model, defaultMaxTokens: this.runtime.providers.get(candidates[0]!)?.config.defaultMaxTokens })
      : { input: 0, output: 0 }
    return this.estimate
  }

  /**
   * A lease now when a candidate has room (the common case: no promise, no await), else
   * undefined and the caller waits with wait().
   */
  now(candidates: string[]): Admitted | undefined {
    const admitted = this.admission.tryAcquire(this.ask(candidates))
    if (admitted) this.noteWait(0)
    return admitted
  }

  /** A lease once a candidate has room. Throws the queue's GatewayError (full, timed out, client gone). */
  async wait(candidates: string[], gone: ClientGone): Promise<Admitted> {
    const queuedAt = Date.now()
    try {
      return await this.admission.acquire({ ...this.ask(candidates), signal: gone.signal() })
    } finally {
      // A request that timed out in the queue waited too: its 429 row says how long.
      this.noteWait(Date.now() - queuedAt)
    }
  }

  private ask(candidates: string[]) {
    return { candidates, estimate: this.tokens(candidates), app: this.req.keyedApp, priority: this.req.priority }
  }

  /** Only the wait before the first lease counts: a failover's later wait is part of its retry. */
  private noteWait(ms: number): void {
    if (this.waitNoted) return
    this.waitNoted = true
    this.onFirstWait?.(ms)
  }
}
