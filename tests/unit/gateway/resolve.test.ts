import { describe, expect, it } from 'vitest'
import { buildRuntime } from '../../../src/main/gateway/runtime/runtime'
import { resolveModel, usableModels } from '../../../src/main/gateway/routing/resolve'
import { globToRegExp } from '../../../src/main/gateway/common/glob'
import { envSecrets, mustParse } from '../../helpers/gateway'

const runtime = (raw: unknown) => buildRuntime(mustParse(raw), envSecrets())

describe('model resolution', () => {
  const rt = runtime({
    activeProvider: 'ollama',
    providers: [
      { id: 'vllm-a', kind: 'vllm', baseUrl: 'http://127.0.0.1:8000/v1', models: ['qwen2.5-7b'] },
      { id: 'vllm-off', kind: 'vllm', baseUrl: 'http://127.0.0.1:8001/v1', models: ['mistral'], enabled: false },
      { id: 'ollama', kind: 'ollama', baseUrl: 'http://127.0.0.1:11434', defaultModel: 'llama3.2', modelMap: { 'gpt-4o': 'llama3.1:70b' } },
      { id: 'claude', kind: 'anthropic', baseUrl: 'https://api.anthropic.com' },
    ],
    routes: [
      { model: 'local', targets: [{ provider: 'vllm-off' }, { provider: 'vllm-a', model: 'qwen2.5-7b' }] },
      { model: 'claude-*', targets: [{ provider: 'claude' }] },
    ],
  })

  it('prefers an explicit route, skipping disabled targets', () => {
    expect(resolveModel(rt, 'local')).toMatchObject({ via: 'route', upstreamModel: 'qwen2.5-7b', provider: { config: { id: 'vllm-a' } } })
  })
  it('matches glob routes and keeps the requested model when the target names none', () => {
    expect(resolveModel(rt, 'claude-sonnet-4-5')).toMatchObject({ via: 'route', upstreamModel: 'claude-sonnet-4-5', route: 'claude-*' })
  })
  it('then a provider that lists the model, or maps it', () => {
    expect(resolveModel(rt, 'qwen2.5-7b')).toMatchObject({ via: 'provider', provider: { config: { id: 'vllm-a' } } })
    expect(resolveModel(rt, 'gpt-4o')).toMatchObject({ via: 'provider', upstreamModel: 'llama3.1:70b' })
  })
  it('then the active provider with its default model', () => {
    expect(resolveModel(rt, 'gpt-5')).toMatchObject({ via: 'active', upstreamModel: 'llama3.2', provider: { config: { id: 'ollama' } } })
  })
  it('does not use a disabled provider’s models', () => {
    expect(resolveModel(rt, 'mistral').via).toBe('active')
  })
  it('answers 404 listing usable models when there is no active provider', () => {
    const none = runtime({ providers: [{ id: 'a', kind: 'vllm', baseUrl: 'http://127.0.0.1:8000', models: ['m1'] }], routes: [{ model: 'r*', targets: [{ provider: 'a' }] }] })
    expect(() => resolveModel(none, 'x')).toThrow(/"x" is not served here; available: m1/)
    expect(usableModels(none)).toEqual(['m1'])
  })
})

describe('globs', () => {
  it('anchors and escapes', () => {
    expect(globToRegExp('claude-*').test('claude-3-5-sonnet')).toBe(true)
    expect(globToRegExp('claude-*').test('xclaude-3')).toBe(false)
    expect(globToRegExp('gpt-4.?').test('gpt-4.1')).toBe(true)
    expect(globToRegExp('gpt-4.?').test('gpt-4x1')).toBe(false)
    expect(globToRegExp('*').test('anything/at:all')).toBe(true)
  })
})

describe('upstream base URLs', () => {
  const upstream = (kind: string, baseUrl: string) => {
    const u = runtime({ providers: [{ id: 'p', kind, baseUrl }] }).providers.get('p')!.upstream
    return u.origin + u.basePath
  }
  it.each([
    ['vllm', 'http://127.0.0.1:8000/v1', 'http://127.0.0.1:8000/v1'],
    ['vllm', 'http://127.0.0.1:8000', 'http://127.0.0.1:8000/v1'],
    ['vllm', 'http://127.0.0.1:8000/v1/', 'http://127.0.0.1:8000/v1'],
    ['ollama', 'http://127.0.0.1:11434', 'http://127.0.0.1:11434/v1'],
    ['ollama', 'http://127.0.0.1:11434/v1', 'http://127.0.0.1:11434/v1'],
    ['ollama', 'http://127.0.0.1:11434/api/', 'http://127.0.0.1:11434/v1'],
    ['openai-compatible', 'https://generativelanguage.googleapis.com/v1beta/openai/', 'https://generativelanguage.googleapis.com/v1beta/openai'],
    ['openai-compatible', 'https://api.openai.com/v1', 'https://api.openai.com/v1'],
  ])('%s %s -> %s', (kind, baseUrl, expected) => {
    expect(upstream(kind, baseUrl)).toBe(expected)
  })

  it('takes per-kind timeouts unless configured', () => {
    const rt2 = runtime({
      providers: [
        { id: 'local', kind: 'vllm', baseUrl: 'http://127.0.0.1:8000' },
        { id: 'cloud', kind: 'openai-compatible', baseUrl: 'https://api.openai.com/v1', timeouts: { idleMs: 5000 } },
      ],
    })
    expect(rt2.providers.get('local')!.upstream.timeouts).toEqual({ connectMs: 10000, firstByteMs: 600000, idleMs: 120000 })
    expect(rt2.providers.get('cloud')!.upstream.timeouts).toEqual({ connectMs: 10000, firstByteMs: 120000, idleMs: 5000 })
  })
})
