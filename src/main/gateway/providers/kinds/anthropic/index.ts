// `anthropic`: Anthropic's API and Anthropic-compatible endpoints (DeepSeek's /anthropic, …): the
// Messages API under the API root, the key as x-api-key, rate limits in anthropic-ratelimit-*
// headers, count_tokens answered upstream. A metered cloud API is not probed: real requests tell.
import { presetsOf } from '../../../../../shared/providerPresets'
import { jsonOf } from '../../backendClient'
import { CLOUD_TIMEOUTS, type DiscoveredModels, type ProviderAdapter, type SideGet } from '../../adapter'
import { parseModelList } from '../openai-compatible/models'
import { ANTHROPIC_PRICES } from './prices'
import { anthropicApiRoot, anthropicAuthHeaders, DEFAULT_ANTHROPIC_VERSION } from './upstream'

const MAX_PAGES = 10
const MAX_MODELS = 10_000

function apiRoot(baseUrl: string): URL {
  const { origin, basePath } = anthropicApiRoot(baseUrl)
  return new URL(basePath || '/', origin)
}

const modelsUrl = (baseUrl: string): string => {
  const { origin, basePath } = anthropicApiRoot(baseUrl)
  return `${origin}${basePath}/v1/models`
}

/** GET /v1/models, paged with after_id: `{"data":[{"id":...}],"has_more","last_id"}`. */
async function listModels(get: SideGet, url: string): Promise<DiscoveredModels> {
  const names: string[] = []
  let after: string | undefined
  for (let page = 0; page < MAX_PAGES; page++) {
    const u = new URL(url)
    u.searchParams.set('limit', '1000')
    if (after !== undefined) u.searchParams.set('after_id', after)
    const json = jsonOf(await get(u.toString(), { maxBytes: 16 * 1024 * 1024 }))
    names.push(...parseModelList(json))
    const { has_more: hasMore, last_id: lastId } = json as { has_more?: unknown; last_id?: unknown }
    if (hasMore !== true || typeof lastId !== 'string' || names.length >= MAX_MODELS) break
    after = lastId
  }
  return { models: [...new Set(names)], contextLength: {} }
}

/** Side channels want the key as x-api-key plus an API version; a configured Bearer header is converted. */
function sideChannelHeaders(headers: Record<string, string>): Record<string, string> {
  const out = { ...headers }
  const bearer = /^Bearer\s+(.+)$/i.exec(out.authorization ?? '')
  if (out['x-api-key'] === undefined && bearer) out['x-api-key'] = bearer[1]!
  delete out.authorization
  out['anthropic-version'] ??= DEFAULT_ANTHROPIC_VERSION
  return out
}

export const anthropic: ProviderAdapter = {
  kind: 'anthropic',
  locality: 'by-host',
  dialects: [{ dialect: 'anthropic-messages', base: apiRoot }],
  authHeaders: anthropicAuthHeaders,
  sideChannelHeaders,
  defaultTimeouts: CLOUD_TIMEOUTS,
  models: { url: (t) => modelsUrl(t.baseUrl), list: (get, t) => listModels(get, modelsUrl(t.baseUrl)) },
  rateLimits: { headers: 'anthropic' },
  prices: ANTHROPIC_PRICES,
  encodeOptions: () => ({}),
  countsTokens: true,
  presets: presetsOf('anthropic'),
}
