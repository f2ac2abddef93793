import { describe, expect, it } from 'vitest'
import type { LoadSnapshot } from '../../../../src/main/gateway/providers/loadMonitor'
import { runningOllamaModels } from '../../../../src/main/gateway/server/ingress/ollamaRunning'

const now = 1_000_000
const described = (name: string) => ({ name, size: 10, sizeVram: 4, digest: `d-${name}`, format: 'gguf', family: 'llama', parameterSize: '3B', quantizationLevel: 'Q4' })

describe('the models GET /api/ps lists', () => {
  const reports: Record<string, LoadSnapshot> = {
    a: { kind: 'ollama', takenAt: now, loaded: [{ names: ['llama3.2:latest', 'llama3.2'], expiresAt: now + 60_000, described: described('llama3.2:latest') }, { names: ['gone'], expiresAt: now - 1 }] },
    b: { kind: 'ollama', takenAt: now, loaded: [{ names: ['llama3.2:latest'], described: described('llama3.2:latest') }, { names: ['bare'] }] },
    studio: { kind: 'lmstudio', takenAt: now, loaded: [{ names: ['phi'] }] },
    vllm: { kind: 'vllm', takenAt: now, running: 1, waiting: 0, models: ['qwen'] },
  }
  const snapshot = (id: string): LoadSnapshot | undefined => reports[id]

  it('what the Ollama providers report resident, once per name, not past its expiry', () => {
    const models = runningOllamaModels(['a', 'b', 'studio', 'vllm', 'unknown'], snapshot, now)
    expect(models.map((m) => m.name)).toEqual(['llama3.2:latest', 'bare'])
    expect(models[0]).toEqual({ ...described('llama3.2:latest'), name: 'llama3.2:latest', expiresAt: new Date(now + 60_000) })
    expect(models[1]).toMatchObject({ name: 'bare', expiresAt: undefined, size: undefined })
  })

  it('nothing without a provider or a fresh report', () => {
    expect(runningOllamaModels([], snapshot, now)).toEqual([])
    expect(runningOllamaModels(['a'], () => undefined, now)).toEqual([])
  })
})
