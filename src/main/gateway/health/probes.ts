// Active health probes: one cheap, token-free GET per backend, where and as its kind's adapter
// says (vLLM's /health at the server root, Ollama's /api/version, llama.cpp's /health, an OpenAI
// base's /models with the key; none for metered cloud APIs: the passive signal is enough there).
// A probe never generates.
import { BackendRequestError, type BackendClient } from '../providers/backendClient'
import { probeUrl, type BackendTarget } from '../providers/backendTarget'
import { adapterFor } from '../providers/registry'
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

/** The kind's reading of a probe's status, with its latency. */
export function probeVerdict(target: BackendTarget, status: number, latencyMs: number): ProbeReport {
  const verdict = adapterFor(target.kind).probe?.judge(status) ?? { ok: status >= 200 && status < 300 }
  const report: ProbeReport = { ok: verdict.ok, latencyMs, status }
  if (verdict.busy) report.busy = true
  if (verdict.error !== undefined) report.error = verdict.error
  return report
}
