// What `GET /api/ps` lists through the gateway: the models the Ollama providers report resident
// right now (their own /api/ps, read by the load monitor), so Ollama-only tools see what runs.
// A provider without a fresh report lists nothing: better no model than one unloaded minutes ago.
import type { OllamaModelInfo } from '../../dialects'
import type { LoadSnapshot } from '../../providers/loadMonitor'

export type RunningOllamaModel = OllamaModelInfo & { expiresAt?: Date; sizeVram?: number }

/** `providerIds`: the Ollama providers, in config order (a model loaded on two is listed once). */
export function runningOllamaModels(providerIds: readonly string[], snapshot: (providerId: string) => LoadSnapshot | undefined, now: number): RunningOllamaModel[] {
  const listed = new Set<string>()
  const out: RunningOllamaModel[] = []
  for (const id of providerIds) {
    const report = snapshot(id)
    if (!report || !('loaded' in report) || report.kind !== 'ollama') continue
    for (const model of report.loaded) {
      if (model.expiresAt !== undefined && model.expiresAt <= now) continue
      const about = model.described
      const name = about?.name ?? model.names[0]
      if (name === undefined || listed.has(name)) continue
      listed.add(name)
      out.push({
        name,
        size: about?.size,
        sizeVram: about?.sizeVram,
        digest: about?.digest,
        format: about?.format,
        family: about?.family,
        parameterSize: about?.parameterSize,
        quantizationLevel: about?.quantizationLevel,
        expiresAt: model.expiresAt === undefined ? undefined : new Date(model.expiresAt),
      })
    }
  }
  return out
}
