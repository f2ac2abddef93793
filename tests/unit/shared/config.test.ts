import { describe, expect, it } from 'vitest'
import { CONFIG_VERSION, defaultConfig, maskSecrets, parseConfig, restoreMaskedSecrets, SECRET_MASK } from '../../../src/shared/config'

describe('config schema', () => {
  it('fills documented defaults', () => {
    const config = defaultConfig()
    expect(config.version).toBe(CONFIG_VERSION)
    expect(config.server).toEqual({ host: '127.0.0.1', port: 7171, allowedOrigins: [], requireAppKey: false, maxBodyBytes: 32 * 1024 * 1024 })
    expect(config.activeProvider).toBeUndefined()
    const parsed = parseConfig({ providers: [{ id: 'o', kind: 'ollama', baseUrl: 'http://127.0.0.1:11434' }] })
    expect(parsed.ok && parsed.config.providers[0]).toMatchObject({ enabled: true, weight: 1, models: [], limits: {}, queue: { maxSize: 100, timeoutMs: 30000, overflow: 'reject-new' } })
  })

  it('accepts the documented example from DESIGN.md', () => {
    const parsed = parseConfig({
      version: 1,
      server: { host: '127.0.0.1', port: 7171, allowedOrigins: [], requireAppKey: false },
      activeProvider: 'ollama',
      providers: [
        { id: 'vllm-a', kind: 'vllm', baseUrl: 'http://127.0.0.1:8000/v1', models: ['qwen2.5-7b'], limits: { rpm: 600, tpm: 200000, maxConcurrent: 16 }, queue: { maxSize: 100, timeoutMs: 30000 } },
        { id: 'ollama', kind: 'ollama', baseUrl: 'http://127.0.0.1:11434', defaultModel: 'llama3.2' },
        { id: 'openai', kind: 'openai-compatible', baseUrl: 'https://api.openai.com/v1', apiKey: 'env:OPENAI_API_KEY', pricing: { 'gpt-4o-mini': { inputPerMTok: 0.15, outputPerMTok: 0.6 } } },
        { id: 'claude', kind: 'anthropic', baseUrl: 'https://api.anthropic.com', apiKey: 'env:ANTHROPIC_API_KEY' },
      ],
      routes: [
        { model: 'local', strategy: 'least-connections', targets: [{ provider: 'vllm-a', model: 'qwen2.5-7b' }, { provider: 'ollama', model: 'qwen2.5:7b' }] },
        { model: 'claude-*', strategy: 'failover', targets: [{ provider: 'claude' }, { provider: 'openai', model: 'gpt-4o' }] },
      ],
    })
    expect(parsed.ok).toBe(true)
  })

  it.each([
    [{ providers: [{ id: 'a', kind: 'nope', baseUrl: 'http://x' }] }, 'providers[0].kind'],
    [{ providers: [{ id: 'a', kind: 'vllm', baseUrl: 'ftp://x' }] }, 'providers[0].baseUrl'],
    [{ providers: [{ id: 'a b', kind: 'vllm', baseUrl: 'http://x' }] }, 'providers[0].id'],
    [{ providers: [{ id: 'a', kind: 'vllm', baseUrl: 'http://x', maxConcurent: 3 }] }, 'maxConcurent'],
    [{ providers: [{ id: 'a', kind: 'vllm', baseUrl: 'http://x' }, { id: 'a', kind: 'vllm', baseUrl: 'http://y' }] }, 'duplicate provider id "a"'],
    [{ activeProvider: 'ghost' }, 'activeProvider: no provider with id "ghost"'],
    [{ routes: [{ model: 'x', targets: [{ provider: 'ghost' }] }] }, 'routes[0].targets[0].provider'],
    [{ routes: [{ model: 'x', targets: [] }] }, 'routes[0].targets'],
    [{ server: { port: 70000 } }, 'server.port'],
    [{ providers: [{ id: 'a', kind: 'vllm', baseUrl: 'http://x', limits: { rpm: -1 } }] }, 'providers[0].limits.rpm'],
  ])('rejects %j naming the field', (raw, fragment) => {
    const parsed = parseConfig(raw)
    expect(parsed.ok).toBe(false)
    if (!parsed.ok) expect(parsed.errors.join('\n')).toContain(fragment)
  })

  it('rejects non-objects and configs from a newer version', () => {
    expect(parseConfig(null).ok).toBe(false)
    expect(parseConfig([]).ok).toBe(false)
    const newer = parseConfig({ version: CONFIG_VERSION + 1 })
    expect(newer.ok).toBe(false)
    if (!newer.ok) expect(newer.errors[0]).toContain('newer Switchyard')
  })

  it('masks literal keys, keeps env references, and restores masked keys on save', () => {
    const parsed = parseConfig({
      providers: [
        { id: 'a', kind: 'openai-compatible', baseUrl: 'https://api.openai.com/v1', apiKey: 'sk-real' },
        { id: 'b', kind: 'openai-compatible', baseUrl: 'https://api.groq.com/openai/v1', apiKey: 'env:GROQ' },
        { id: 'c', kind: 'vllm', baseUrl: 'http://127.0.0.1:8000' },
      ],
    })
    if (!parsed.ok) throw new Error('fixture')
    const masked = maskSecrets(parsed.config)
    expect(masked.providers.map((p) => p.apiKey)).toEqual([SECRET_MASK, 'env:GROQ', undefined])
    expect(JSON.stringify(masked)).not.toContain('sk-real')
    const restored = restoreMaskedSecrets(masked, parsed.config)
    expect(restored.providers[0]!.apiKey).toBe('sk-real')
  })
})
