// LM Studio serves the OpenAI API and, beside it, a REST API that says which of its models are in
// memory: GET {origin}/api/v0/models -> {"data":[{"id":...,"state":"loaded"|"not-loaded"}]}.
// An OpenAI-compatible server on this machine or the LAN may be LM Studio: it is asked once, and
// no more when it has no such API.
import { jsonOf } from '../../backendClient'
import type { LoadSignal, ResidentReport } from '../../adapter'
import { isLocalHost } from '../../localHost'

function lmStudioUrl(baseUrl: string): string | undefined {
  const url = new URL(baseUrl)
  return isLocalHost(url.hostname.toLowerCase()) ? `${url.origin}/api/v0/models` : undefined
}

export const lmStudioLoad: LoadSignal = {
  url: (target) => lmStudioUrl(target.baseUrl),
  async read(get, target): Promise<ResidentReport> {
    const url = lmStudioUrl(target.baseUrl)
    if (!url) throw new Error('not on this machine or the LAN')
    const json = jsonOf(await get(url, { maxBytes: 1024 * 1024 }))
    const models = parseLmStudioModels(json)
    return { kind: 'lmstudio', loaded: models.filter((m) => m.loaded).map((m) => ({ names: [m.id] })), known: models.map((m) => m.id) }
  },
  tentative: true,
}

/** LM Studio's GET /api/v0/models: `{ data: [{ id, state: "loaded" | "not-loaded", ... }] }`. */
export function parseLmStudioModels(json: unknown): Array<{ id: string; loaded: boolean }> {
  const data = (json as { data?: unknown } | null)?.data
  if (!Array.isArray(data)) throw new TypeError('/api/v0/models: no "data" array')
  const out: Array<{ id: string; loaded: boolean }> = []
  for (const m of data) {
    const r = (typeof m === 'object' && m !== null ? m : {}) as Record<string, unknown>
    if (typeof r.id !== 'string' || typeof r.state !== 'string') continue
    out.push({ id: r.id, loaded: r.state === 'loaded' })
  }
  if (data.length > 0 && out.length === 0) throw new TypeError('/api/v0/models: not LM Studio (no model states)')
  return out
}
