// GET /v1beta/models, paged with pageToken: {"models":[{"name":"models/gemini-2.5-flash",
// "supportedGenerationMethods":["generateContent",...],...}],"nextPageToken":"..."}.
import { jsonOf } from '../../backendClient'
import type { DiscoveredModels, SideGet } from '../../adapter'

const MAX_PAGES = 10
const MAX_MODELS = 10_000

export async function listGeminiModels(get: SideGet, url: string): Promise<DiscoveredModels> {
  const names: string[] = []
  let token: string | undefined
  for (let page = 0; page < MAX_PAGES; page++) {
    const u = new URL(url)
    u.searchParams.set('pageSize', '1000')
    if (token !== undefined) u.searchParams.set('pageToken', token)
    const json = jsonOf(await get(u.toString(), { maxBytes: 16 * 1024 * 1024 }))
    names.push(...parseGeminiModelList(json))
    const next = (json as { nextPageToken?: unknown }).nextPageToken
    if (typeof next !== 'string' || next === '' || names.length >= MAX_MODELS) break
    token = next
  }
  return { models: [...new Set(names)], contextLength: {} }
}

/** Model ids without their `models/` prefix, as clients name them in the request path. */
export function parseGeminiModelList(json: unknown): string[] {
  const models = (json as { models?: unknown } | null)?.models
  if (!Array.isArray(models)) {
    // An account without models answers `{}`.
    if (typeof json === 'object' && json !== null && !Array.isArray(json) && Object.keys(json).length === 0) return []
    throw new TypeError('model list: no "models" array')
  }
  const ids: string[] = []
  for (const m of models) {
    const name = (m as { name?: unknown } | null)?.name
    if (typeof name !== 'string' || name === '') continue
    ids.push(name.startsWith('models/') ? name.slice('models/'.length) : name)
    if (ids.length >= MAX_MODELS) break
  }
  return ids
}
