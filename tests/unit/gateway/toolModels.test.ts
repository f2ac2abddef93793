// Tool model names: the pure mapping (rules, tiers from served models) and the resolution hook —
// used only when no route or provider serves the name and an active provider exists.
import { describe, expect, it } from 'vitest'
import { buildRuntime } from '../../../src/main/gateway/runtime/runtime'
import { resolveCandidates } from '../../../src/main/gateway/routing/candidates'
import { mapToolModel, matchesPattern, paramsOf, tierModels } from '../../../src/shared/toolModels'
import { envSecrets, mustParse } from '../../helpers/gateway'

const runtime = (raw: unknown) => buildRuntime(mustParse(raw), envSecrets())
const SERVED = ['llama3.2:3b', 'qwen2.5-coder:32b', 'qwen2.5-coder:7b', 'nomic-embed-text']

describe('tool model names (pure)', () => {
  it('reads parameter counts and picks tiers from served models, leaving embeddings out', () => {
    expect(paramsOf('qwen2.5-coder:32b')).toBe(32)
    expect(paramsOf('llama3.2:3b')).toBe(3)
    expect(paramsOf('Mixtral-8x7B-Instruct')).toBe(7)
    expect(paramsOf('gpt-oss-20b')).toBe(20)
    expect(paramsOf('mistral-small')).toBeUndefined()
    expect(tierModels(undefined, SERVED, 'qwen2.5-coder:7b')).toEqual({ large: 'qwen2.5-coder:32b', default: 'qwen2.5-coder:7b', small: 'llama3.2:3b' })
    expect(tierModels({ tiers: { small: 'phi3' } }, SERVED, undefined)).toMatchObject({ small: 'phi3', large: 'qwen2.5-coder:32b' })
  })

  it('maps claude tiers, gpt, o-series and gemini names; user rules first; off when disabled', () => {
    const tiers = { large: 'L', default: 'D', small: 'S' }
    const to = (name: string, cfg?: Parameters<typeof mapToolModel>[1]) => mapToolModel(name, cfg, tiers)?.model
    expect(to('claude-opus-4-1')).toBe('L')
    expect(to('claude-sonnet-4-5-20250929')).toBe('D')
    expect(to('claude-3-5-haiku-latest')).toBe('S')
    expect(to('gpt-5-codex')).toBe('D')
    expect(to('gpt-4o-mini')).toBe('S')
    expect(to('o3')).toBe('L')
    expect(to('o4-mini')).toBe('S')
    expect(to('gemini-2.5-pro')).toBe('L')
    expect(to('gemini-2.5-flash-lite')).toBe('S')
    expect(to('llama3.2')).toBeUndefined()
    expect(to('ollama-thing')).toBeUndefined()
    expect(to('claude-3-5-haiku-latest', { rules: [{ match: 'claude-*haiku*', model: 'tiny' }] })).toBe('tiny')
    expect(to('gpt-4o', { enabled: false })).toBeUndefined()
    expect(matchesPattern('o[0-9]*', 'o1-preview')).toBe(true)
    expect(matchesPattern('o[0-9]*', 'openai')).toBe(false)
  })
})

describe('tool model names in resolution', () => {
  const base = {
    activeProvider: 'ollama',
    providers: [{ id: 'ollama', kind: 'ollama', baseUrl: 'http://127.0.0.1:11434', defaultModel: 'qwen2.5-coder:7b', models: ['llama3.2:3b', 'qwen2.5-coder:32b'] }],
  }

  it("sends Claude Code's haiku to the smallest model, opus to the largest, sonnet to the default", () => {
    const rt = runtime(base)
    const haiku = resolveCandidates(rt, 'claude-3-5-haiku-latest')
    expect(haiku.candidates[0]).toMatchObject({ providerId: 'ollama', upstreamModel: 'llama3.2:3b' })
    expect(haiku.toolModel).toMatchObject({ requested: 'claude-3-5-haiku-latest', model: 'llama3.2:3b', tier: 'small', rule: 'claude-*haiku*' })
    expect(resolveCandidates(rt, 'claude-opus-4-1').candidates[0]!.upstreamModel).toBe('qwen2.5-coder:32b')
    // The default tier is what the active provider would run anyway: no mapping to report.
    const sonnet = resolveCandidates(rt, 'claude-sonnet-4-5')
    expect(sonnet).toMatchObject({ via: 'active', candidates: [{ upstreamModel: 'qwen2.5-coder:7b' }] })
    expect(sonnet.toolModel).toBeUndefined()
  })

  it('never overrides a route or a provider that serves the name, and without an active provider it stays a 404', () => {
    const routed = runtime({ ...base, routes: [{ model: 'claude-*', targets: [{ provider: 'ollama', model: 'llama3.2:3b' }] }] })
    const set = resolveCandidates(routed, 'claude-opus-4-1')
    expect(set.via).toBe('route')
    expect(set.toolModel).toBeUndefined()
    const { activeProvider: _a, ...noActive } = base
    expect(() => resolveCandidates(runtime(noActive), 'claude-opus-4-1')).toThrow(/not served here/)
  })

  it('uses the configured mapping; a target nothing serves falls back to the active default', () => {
    const rt = runtime({ ...base, toolModels: { tiers: { large: 'llama3.2:3b' }, rules: [{ match: 'gpt-4o', model: 'not-served-anywhere' }] } })
    expect(resolveCandidates(rt, 'claude-opus-4-1').candidates[0]!.upstreamModel).toBe('llama3.2:3b')
    expect(resolveCandidates(rt, 'gpt-4o')).toMatchObject({ via: 'active', candidates: [{ upstreamModel: 'qwen2.5-coder:7b' }] })
    const off = runtime({ ...base, toolModels: { enabled: false } })
    expect(resolveCandidates(off, 'claude-3-5-haiku-latest')).toMatchObject({ via: 'active', candidates: [{ upstreamModel: 'qwen2.5-coder:7b' }] })
  })
})
