// `GET /v1beta/models` and `GET /v1beta/models/{model}`: pure builders the gateway fills from its
// model catalog. Gemini clients read `name` (`models/…`), the token limits and
// `supportedGenerationMethods` (which calls a model takes).
export interface GeminiModelInfo {
  /** The id clients send (`gemini-2.5-flash`, or any route or provider model name). */
  id: string
  displayName?: string
  description?: string
  inputTokenLimit?: number
  outputTokenLimit?: number
  /** An embedding model: it takes embedContent calls instead of generateContent. */
  embedding?: boolean
  /** The model thinks (Gemini lists `thinking: true`). */
  thinking?: boolean
}

export interface GeminiModel {
  name: string
  baseModelId: string
  version: string
  displayName: string
  description: string
  inputTokenLimit: number
  outputTokenLimit: number
  supportedGenerationMethods: string[]
  thinking?: boolean
}

const GENERATE_METHODS = ['generateContent', 'streamGenerateContent', 'countTokens']
const EMBED_METHODS = ['embedContent', 'batchEmbedContents', 'countTokens']

export function geminiModel(info: GeminiModelInfo): GeminiModel {
  const out: GeminiModel = {
    name: `models/${info.id}`,
    baseModelId: info.id,
    version: '001',
    displayName: info.displayName ?? info.id,
    description: info.description ?? '',
    inputTokenLimit: info.inputTokenLimit ?? 0,
    outputTokenLimit: info.outputTokenLimit ?? 0,
    supportedGenerationMethods: info.embedding ? EMBED_METHODS : GENERATE_METHODS,
  }
  if (info.thinking !== undefined) out.thinking = info.thinking
  return out
}

/** The whole list in one page: a catalog is small, and clients stop when no nextPageToken comes. */
export function geminiModelList(models: readonly GeminiModelInfo[]): { models: GeminiModel[] } {
  return { models: models.map(geminiModel) }
}
