// `/api/tags`, `/api/show`, `/api/ps` and `/api/version`: pure builders the gateway fills from its
// model catalog, in the shapes `ollama serve` answers with. Models Switchyard serves from other
// backends have no GGUF file: size 0, a digest derived from the name (stable, so clients that
// cache by digest see no change), and details the catalog may know (family, parameter size).
import { createHash } from 'node:crypto'

/** The Ollama release whose API these shapes follow; clients gate features (thinking, tools) on it. */
export const OLLAMA_API_VERSION = '0.32.15'

export interface OllamaModelInfo {
  /** The name clients send; listed as given (no `:latest` is added, so routes match exactly). */
  name: string
  modifiedAt?: Date | string | number
  size?: number
  digest?: string
  family?: string
  parameterSize?: string
  quantizationLevel?: string
  format?: string
  /** `completion`, `tools`, `thinking`, `vision`, `embedding`, … */
  capabilities?: string[]
  contextLength?: number
}

export interface OllamaModelDetails {
  parent_model: string
  format: string
  family: string
  families: string[]
  parameter_size: string
  quantization_level: string
}

export interface OllamaListedModel {
  name: string
  model: string
  modified_at: string
  size: number
  digest: string
  details: OllamaModelDetails
  capabilities?: string[]
}

function isoTime(value: Date | string | number | undefined): string {
  if (value === undefined) return new Date(0).toISOString()
  return new Date(typeof value === 'number' ? value * 1000 : value).toISOString()
}

function details(info: OllamaModelInfo): OllamaModelDetails {
  const family = info.family ?? ''
  return { parent_model: '', format: info.format ?? 'gguf', family, families: family === '' ? [] : [family], parameter_size: info.parameterSize ?? '', quantization_level: info.quantizationLevel ?? '' }
}

function listed(info: OllamaModelInfo): OllamaListedModel {
  const out: OllamaListedModel = {
    name: info.name,
    model: info.name,
    modified_at: isoTime(info.modifiedAt),
    size: info.size ?? 0,
    digest: info.digest ?? createHash('sha256').update(info.name).digest('hex'),
    details: details(info),
  }
  if (info.capabilities) out.capabilities = info.capabilities
  return out
}

/** `GET /api/tags`: every model clients may ask for. */
export function ollamaTags(models: readonly OllamaModelInfo[]): { models: OllamaListedModel[] } {
  return { models: models.map(listed) }
}

/** `POST /api/show`: clients read capabilities and the context length (`{architecture}.context_length`). */
export function ollamaShow(info: OllamaModelInfo): Record<string, unknown> {
  const arch = info.family || 'switchyard'
  const modelInfo: Record<string, unknown> = { 'general.architecture': arch, 'general.basename': info.name }
  if (info.contextLength !== undefined) modelInfo[`${arch}.context_length`] = info.contextLength
  const out: Record<string, unknown> = {
    modelfile: `# Served by Switchyard\nFROM ${info.name}\n`,
    parameters: '',
    template: '{{ .Prompt }}',
    details: details(info),
    model_info: modelInfo,
    modified_at: isoTime(info.modifiedAt),
  }
  out.capabilities = info.capabilities ?? ['completion']
  return out
}

/** `GET /api/ps`: models resident in memory, with when they unload. */
export function ollamaPs(models: ReadonlyArray<OllamaModelInfo & { expiresAt?: Date | string | number; sizeVram?: number }>): { models: Array<Record<string, unknown>> } {
  return {
    models: models.map((m) => {
      const { name, model, size, digest, details } = listed(m)
      const out: Record<string, unknown> = { name, model, size, digest, details, expires_at: isoTime(m.expiresAt), size_vram: m.sizeVram ?? 0 }
      if (m.contextLength !== undefined) out.context_length = m.contextLength
      return out
    }),
  }
}

/** `GET /api/version`. */
export function ollamaVersion(version: string = OLLAMA_API_VERSION): { version: string } {
  return { version }
}
