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

  constructor(
    private readonly req: GatewayRequest,
    private readonly admission: Admission,
    private readonly runtime: Runtime,
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

  /** A lease now when a candidate has room (the common case, no promise), else after waiting. Throws the queue's GatewayError. */
  async admit(candidates: string[], gone: ClientGone): Promise<Admitted> {
    const { req } = this
    const ask = { candidates, estimate: this.tokens(candidates), app: req.keyedApp, priority: req.priority }
    return this.admission.tryAcquire(ask) ?? (await this.admission.acquire({ ...ask, signal: gone.signal() }))
  }
}
