// Ollama's native side-channel payloads: /api/ps (models loaded right now) and /api/tags (models
// installed). Names carry a tag (`llama3.2:latest`); clients often omit `:latest`, so both forms match.
import type { ResidentModelDescription } from '../../adapter'

export interface OllamaLoadedModel {
  name: string
  model: string
  /** Epoch ms at which Ollama unloads it if idle; undefined when unknown or never. */
  expiresAt?: number
  /** Bytes resident in GPU memory (0 = running on CPU). */
  sizeVram?: number
  size?: number
  digest?: string
  details?: Pick<ResidentModelDescription, 'format' | 'family' | 'parameterSize' | 'quantizationLevel'>
}

export function parseOllamaPs(json: unknown): OllamaLoadedModel[] {
  const models = (json as { models?: unknown } | null)?.models
  if (!Array.isArray(models)) throw new TypeError('/api/ps: no "models" array')
  const out: OllamaLoadedModel[] = []
  for (const m of models) {
    if (typeof m !== 'object' || m === null) continue
    const r = m as Record<string, unknown>
    const name = typeof r.name === 'string' ? r.name : typeof r.model === 'string' ? r.model : undefined
    if (!name) continue
    const expires = typeof r.expires_at === 'string' ? Date.parse(r.expires_at) : NaN
    out.push({
      name,
      model: typeof r.model === 'string' ? r.model : name,
      // A zero time ("0001-01-01...") means no expiry is set.
      expiresAt: Number.isFinite(expires) && expires > 0 ? expires : undefined,
      sizeVram: typeof r.size_vram === 'number' ? r.size_vram : undefined,
      size: typeof r.size === 'number' ? r.size : undefined,
      ...(typeof r.digest === 'string' ? { digest: r.digest } : {}),
      ...psDetails(r.details),
    })
  }
  return out
}

function psDetails(value: unknown): Pick<OllamaLoadedModel, 'details'> {
  if (typeof value !== 'object' || value === null) return {}
  const d = value as Record<string, unknown>
  const text = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined)
  const details = { format: text(d.format), family: text(d.family), parameterSize: text(d.parameter_size), quantizationLevel: text(d.quantization_level) }
  return { details: Object.fromEntries(Object.entries(details).filter(([, v]) => v !== undefined)) }
}

/** Model names from /api/tags: each installed name, plus the name without `:latest`. */
export function parseOllamaTags(json: unknown): string[] {
  const models = (json as { models?: unknown } | null)?.models
  if (!Array.isArray(models)) throw new TypeError('/api/tags: no "models" array')
  const names = new Set<string>()
  for (const m of models) {
    const r = (typeof m === 'object' && m !== null ? m : {}) as Record<string, unknown>
    for (const field of [r.name, r.model]) {
      if (typeof field !== 'string' || field === '') continue
      names.add(field)
      const bare = withoutLatest(field)
      if (bare !== field) names.add(bare)
    }
  }
  return [...names]
}

export function withoutLatest(name: string): string {
  return name.endsWith(':latest') ? name.slice(0, -':latest'.length) : name
}

/** Whether `model` (as a client or route names it) is among the loaded ones and not past its expiry. */
export function isOllamaModelLoaded(loaded: readonly OllamaLoadedModel[], model: string, now: number): boolean {
  const wanted = withoutLatest(model)
  return loaded.some(
    (m) => (withoutLatest(m.name) === wanted || withoutLatest(m.model) === wanted) && (m.expiresAt === undefined || m.expiresAt > now),
  )
}
