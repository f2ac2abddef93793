import { describe, expect, it } from 'vitest'
import { ollama } from '../../../../../src/main/gateway/providers/kinds/ollama'
import { baseOf, fakeGet, runtimeOf, targetOf } from '../helpers'

const cfg = { kind: 'ollama', baseUrl: 'http://127.0.0.1:11434/api/' }

describe('ollama adapter', () => {
  it('chat under /v1, its own API and (configured) Anthropic Messages at the root', () => {
    const rt = runtimeOf({ ...cfg, dialects: ['anthropic-messages'] })
    expect(rt.dialects.map((d) => d.dialect)).toEqual(['openai-chat', 'ollama', 'anthropic-messages'])
    expect(baseOf(rt)).toBe('http://127.0.0.1:11434/v1')
    expect(baseOf(rt, 'ollama')).toBe('http://127.0.0.1:11434')
    expect(baseOf(rt, 'anthropic-messages')).toBe('http://127.0.0.1:11434')
    expect(runtimeOf(cfg).dialects.map((d) => d.dialect)).toEqual(['openai-chat', 'ollama'])
  })

  it('probes /api/version and lists /api/tags with :latest-less aliases', async () => {
    const t = targetOf(cfg)
    expect(ollama.probe!.url(t)).toBe('http://127.0.0.1:11434/api/version')
    expect(ollama.probe!.judge(503)).toEqual({ ok: true, busy: true })
    const { get } = fakeGet({ 'http://127.0.0.1:11434/api/tags': { status: 200, body: { models: [{ name: 'llama3.2:latest', model: 'llama3.2:latest' }] } } })
    expect(await ollama.models.list(get, t)).toEqual({ models: ['llama3.2:latest', 'llama3.2'], contextLength: {} })
  })

  it('reads the models in memory from /api/ps, with both name forms, their expiry and what Ollama says of them', async () => {
    const t = targetOf(cfg)
    expect(ollama.load!.url(t)).toBe('http://127.0.0.1:11434/api/ps')
    const { get } = fakeGet({
      'http://127.0.0.1:11434/api/ps': {
        status: 200,
        body: { models: [{ name: 'llama3.2:latest', model: 'llama3.2:latest', size: 2, digest: 'a80c', details: { family: 'llama', parameter_size: '3.2B' }, expires_at: '2025-01-01T00:05:00Z', size_vram: 1 }] },
      },
    })
    expect(await ollama.load!.read(get, t, {})).toEqual({
      kind: 'ollama',
      loaded: [
        {
          names: ['llama3.2:latest', 'llama3.2'],
          expiresAt: Date.parse('2025-01-01T00:05:00Z'),
          described: { name: 'llama3.2:latest', size: 2, sizeVram: 1, digest: 'a80c', family: 'llama', parameterSize: '3.2B' },
        },
      ],
    })
  })

  it('is local and sends reasoning back as `reasoning`', () => {
    expect(ollama.locality).toBe('local')
    expect(ollama.encodeOptions(runtimeOf(cfg).config)).toEqual({ reasoningField: 'reasoning' })
    expect(ollama.rateLimits.headers).toBeUndefined()
  })
})
