// Active health probes: one cheap, token-free GET per backend kind. A probe never generates.
//   vllm               GET {server root}/health          (vLLM serves it outside /v1)
//   ollama             GET {root}/api/version
//   openai-compatible  GET {base}/models with the key    (404/405 still prove the server is up)
//   anthropic          none: the passive signal from real requests is enough for a cloud API
import { BackendRequestError, type BackendClient } from '../providers/backendClient'
import { probeUrl, type BackendTarget } from '../providers/backendTarget'
import type { ProbeReport } from './healthRegistry'

export async function probeBackend(client: BackendClient, target: BackendTarget, timeoutMs: number): Promise<ProbeReport | undefined> {
  const url = probeUrl(target)
  if (url === undefined) return undefined
  const started = performance.now()
  try {
    const res = await client.get(url, { headers: target.headers, timeoutMs, maxBytes: 1024 * 1024 })
    return probeVerdict(target, res.status, res.latencyMs)
  } catch (err) {
    const e = err instanceof BackendRequestError ? err : new BackendRequestError('error', String(err))
    return { ok: false, latencyMs: performance.now() - started, error: e.code === 'timeout' ? `timeout: ${e.message}` : e.message }
  }
}

export function probeVerdict(target: BackendTarget, status: number, latencyMs: number): ProbeReport {
  if (status >= 200 && status < 300) return { ok: true, latencyMs, status }
  if (status === 429) return { ok: true, busy: true, latencyMs, status }
  if (target.kind === 'openai-compatible') {
    if (status === 401 || status === 403) return { ok: false, latencyMs, status, error: `key rejected (${status})` }
    if (status < 500) return { ok: true, latencyMs, status } // no /models here, but the server answers
  }
  if (status === 503 && target.kind !== 'vllm') return { ok: true, busy: true, latencyMs, status }
  return { ok: false, latencyMs, status, error: `answered ${status}` }
}
