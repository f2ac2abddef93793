import { describe, expect, it } from 'vitest'
import { parseProvider, SECRET_MASK, type ProviderConfig } from '../../../src/shared/config'
import {
  applyPreset,
  emptyForm,
  formFromProvider,
  hasErrors,
  PRESETS,
  presetFor,
  providerFromForm,
  uniqueId,
  validateForm,
} from '../../../src/renderer/src/logic/providerForm'

const stored = (raw: Record<string, unknown>): ProviderConfig => {
  const parsed = parseProvider(raw)
  if (!parsed.ok) throw new Error(parsed.errors.join('; '))
  return parsed.provider
}

describe('presets', () => {
  it('cover the backends of the issue with their documented base URLs', () => {
    expect(Object.fromEntries(PRESETS.map((p) => [p.label, [p.kind, p.baseUrl]]))).toEqual({
      vLLM: ['vllm', 'http://127.0.0.1:8000/v1'],
      Ollama: ['ollama', 'http://127.0.0.1:11434'],
      'LM Studio': ['openai-compatible', 'http://127.0.0.1:1234/v1'],
      'llama.cpp': ['llamacpp', 'http://127.0.0.1:8080/v1'],
      OpenAI: ['openai-compatible', 'https://api.openai.com/v1'],
      Anthropic: ['anthropic', 'https://api.anthropic.com'],
      DeepSeek: ['openai-compatible', 'https://api.deepseek.com'],
      OpenRouter: ['openai-compatible', 'https://openrouter.ai/api/v1'],
      Gemini: ['gemini', 'https://generativelanguage.googleapis.com'],
      Groq: ['openai-compatible', 'https://api.groq.com/openai/v1'],
    })
    // Every preset is a valid provider as it stands.
    for (const p of PRESETS) expect(parseProvider(providerFromForm(emptyForm(p))).ok, p.id).toBe(true)
  })

  it('applying one fills kind and URL, and an id/name only where the user typed none', () => {
    const ollama = PRESETS.find((p) => p.id === 'ollama')!
    const fresh = applyPreset(emptyForm(), ollama, ['ollama'])
    expect(fresh).toMatchObject({ kind: 'ollama', baseUrl: 'http://127.0.0.1:11434', id: 'ollama-2', name: 'Ollama' })
    const typed = applyPreset({ ...emptyForm(), id: 'gpu-box', name: 'GPU box' }, ollama, [])
    expect(typed).toMatchObject({ id: 'gpu-box', name: 'GPU box', baseUrl: 'http://127.0.0.1:11434' })
    expect(presetFor('https://api.openai.com/v1/')?.id).toBe('openai')
    expect(uniqueId('a', ['a', 'a-2'])).toBe('a-3')
  })
})

describe('form <-> provider', () => {
  it('round-trips every field the form edits, and carries the ones it does not', () => {
    const p = stored({
      id: 'openai',
      name: 'OpenAI',
      kind: 'openai-compatible',
      baseUrl: 'https://api.openai.com/v1',
      apiKey: 'env:OPENAI_API_KEY',
      enabled: false,
      weight: 3,
      models: ['gpt-4o-mini'],
      defaultModel: 'gpt-4o-mini',
      limits: { rpm: 500, tpm: 200000 },
      queue: { maxSize: 10, timeoutMs: 5000, overflow: 'drop-oldest' },
      timeouts: { firstByteMs: 60000 },
      pricing: { 'gpt-4o-mini': { inputPerMTok: 0.15, outputPerMTok: 0.6, cachedInputPerMTok: 0.075 } },
      modelMap: { fast: 'gpt-4o-mini' },
      headers: { 'OpenAI-Organization': 'org-1' },
    })
    const form = formFromProvider(p)
    expect(form).toMatchObject({ keyStored: false, keyAction: 'replace', keyValue: 'env:OPENAI_API_KEY', rpm: 500, maxConcurrent: null })
    const back = stored(providerFromForm(form))
    expect(back).toEqual(p)
  })

  it('a stored key is kept by sending the mask, replaced by typing, removed on request', () => {
    const form = formFromProvider(stored({ id: 'x', kind: 'anthropic', baseUrl: 'https://api.anthropic.com', apiKey: SECRET_MASK }))
    expect(form).toMatchObject({ keyStored: true, keyAction: 'keep', keyValue: '' })
    expect(providerFromForm(form).apiKey).toBe(SECRET_MASK)
    expect(providerFromForm({ ...form, keyAction: 'replace', keyValue: ' sk-new ' }).apiKey).toBe('sk-new')
    expect(providerFromForm({ ...form, keyAction: 'remove' })).not.toHaveProperty('apiKey')
    // A blank key field on a new provider means no key.
    expect(providerFromForm({ ...emptyForm(PRESETS[0]), keyValue: '  ' })).not.toHaveProperty('apiKey')
  })

  it('empty limits, timeouts and price rows are left out, not sent as zeros', () => {
    const out = providerFromForm({ ...emptyForm(PRESETS[0]), pricing: [{ model: ' ', inputPerMTok: 1, outputPerMTok: 1, cachedInputPerMTok: null }] })
    expect(out.limits).toEqual({})
    expect(out.timeouts).toEqual({})
    expect(out).not.toHaveProperty('pricing')
    expect(out).not.toHaveProperty('defaultModel')
  })
})

describe('validateForm', () => {
  const ok = { ...emptyForm(PRESETS[1]) }
  it('accepts a preset as it is', () => {
    expect(validateForm(ok, { takenIds: [], editing: false })).toEqual({})
  })
  it('names what is wrong, per field', () => {
    const errors = validateForm(
      {
        ...ok,
        id: 'bad id',
        baseUrl: 'ftp://x',
        keyValue: 'env:1BAD',
        weight: -1,
        pricing: [{ model: 'm', inputPerMTok: null, outputPerMTok: 1, cachedInputPerMTok: null }],
      },
      { takenIds: [], editing: false },
    )
    expect(Object.keys(errors).sort()).toEqual(['baseUrl', 'id', 'key', 'pricing', 'weight'])
    expect(hasErrors(errors)).toBe(true)
    expect(validateForm({ ...ok, id: 'ollama' }, { takenIds: ['ollama'], editing: false }).id).toContain('exists already')
    expect(validateForm({ ...ok, id: 'ollama' }, { takenIds: ['ollama'], editing: true })).toEqual({})
    expect(validateForm({ ...ok, id: '' }, { takenIds: [], editing: false }).id).toContain('id')
  })
})
