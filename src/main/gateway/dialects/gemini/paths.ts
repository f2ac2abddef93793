// Gemini names the model and the method in the URL (`/v1beta/models/{model}:{method}`), not in
// the body: ingress reads them with parseGeminiPath, and encodeRequest builds the upstream path.
import type { RequestTarget } from '../codec'

export const GEMINI_METHODS = ['generateContent', 'streamGenerateContent', 'countTokens', 'embedContent', 'batchEmbedContents'] as const
export type GeminiMethod = (typeof GEMINI_METHODS)[number]

export interface GeminiPath {
  /** The model id without its `models/` prefix (tuned models keep `tunedModels/`). */
  model: string
  method: GeminiMethod
  /** `alt=sse`: the stream is server-sent events; without it, one JSON array. */
  sse: boolean
}

const PATH = /^\/(v1beta|v1alpha|v1)\/((?:models|tunedModels)\/[^:?]+(?::[^:?]+)*):([A-Za-z]+)$/

/** `/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse&key=…` -> model, method, sse; undefined for other paths. */
export function parseGeminiPath(pathAndQuery: string): GeminiPath | undefined {
  const q = pathAndQuery.indexOf('?')
  const path = q === -1 ? pathAndQuery : pathAndQuery.slice(0, q)
  const m = PATH.exec(path)
  if (!m) return undefined
  const method = GEMINI_METHODS.find((name) => name === m[3])
  if (!method) return undefined
  let resource: string
  try {
    resource = decodeURIComponent(m[2]!)
  } catch {
    return undefined
  }
  const model = resource.startsWith('models/') ? resource.slice('models/'.length) : resource
  const query = new URLSearchParams(q === -1 ? '' : pathAndQuery.slice(q + 1))
  return { model, method, sse: query.get('alt') === 'sse' }
}

/** The request target a Gemini path names, for decodeRequest. */
export function geminiTarget(path: GeminiPath): RequestTarget {
  return { model: path.model, stream: path.method === 'streamGenerateContent' }
}

/** A model id as its resource name: `gemini-2.5-flash` -> `models/gemini-2.5-flash`. */
export function modelResource(model: string): string {
  return model.startsWith('models/') || model.startsWith('tunedModels/') ? model : `models/${model}`
}

/** The upstream path for a model and method; streams always ask for SSE, the form the stream decoder reads. */
export function geminiPath(model: string, method: GeminiMethod): string {
  const [collection, ...rest] = modelResource(model).split('/')
  const path = `/v1beta/${collection}/${rest.map(encodeURIComponent).join('/')}:${method}`
  return method === 'streamGenerateContent' ? `${path}?alt=sse` : path
}
