import { describe, expect, it } from 'vitest'
import { openAICompatible } from '../../../../../src/main/gateway/providers/kinds/openai-compatible'
import { hostProfile } from '../../../../../src/main/gateway/providers/kinds/openai-compatible/hosts'
import { parseContextLengths, parseModelList } from '../../../../../src/main/gateway/providers/kinds/openai-compatible/models'
import { baseOf, fakeGet, runtimeOf, targetOf } from '../helpers'

const openai = { kind: 'openai-compatible', baseUrl: 'https://api.openai.com/v1/', apiKey: 'sk-test' }
const lmstudio = { kind: 'openai-compatible', baseUrl: 'http://127.0.0.1:1234/v1' }

describe('openai-compatible adapter', () => {
  it('uses the base URL as given, with the key as a Bearer token', () => {
    const rt = runtimeOf(openai)
    expect(baseOf(rt)).toBe('https://api.openai.com/v1')
    expect(rt.upstream.headers.authorization).toBe('Bearer sk-test')
    expect(baseOf(runtimeOf({ kind: 'openai-compatible', baseUrl: 'https://openrouter.ai/api/v1' }))).toBe('https://openrouter.ai/api/v1')
  })

  it('speaks chat everywhere, and the Responses API where it is OpenAI itself or configured', () => {
    expect(runtimeOf(openai).dialects.map((d) => d.dialect)).toEqual(['openai-chat', 'openai-responses'])
    expect(runtimeOf(lmstudio).dialects.map((d) => d.dialect)).toEqual(['openai-chat'])
    expect(runtimeOf({ ...lmstudio, dialects: ['openai-responses'] }).dialects.map((d) => d.dialect)).toEqual(['openai-chat', 'openai-responses'])
    expect(baseOf(runtimeOf(openai), 'openai-responses')).toBe('https://api.openai.com/v1')
  })

  it('probes {base}/models: any answer below 500 is up, a rejected key is not', () => {
    const t = targetOf(openai)
    expect(openAICompatible.probe!.url(t)).toBe('https://api.openai.com/v1/models')
    const judge = openAICompatible.probe!.judge
    expect(judge(200)).toEqual({ ok: true })
    expect(judge(404)).toEqual({ ok: true })
    expect(judge(401)).toEqual({ ok: false, error: 'key rejected (401)' })
    expect(judge(403)).toEqual({ ok: false, error: 'key rejected (403)' })
    expect(judge(429)).toEqual({ ok: true, busy: true })
    expect(judge(503)).toEqual({ ok: true, busy: true })
    expect(judge(500)).toEqual({ ok: false, error: 'answered 500' })
  })

  it('lists models from {base}/models', async () => {
    const t = targetOf(openai)
    const { get, asked } = fakeGet({ 'https://api.openai.com/v1/models': { status: 200, body: { object: 'list', data: [{ id: 'gpt-4o' }, { id: 'gpt-4o-mini' }, { id: 'gpt-4o' }] } } })
    expect(await openAICompatible.models.list(get, t)).toEqual({ models: ['gpt-4o', 'gpt-4o-mini'], contextLength: {} })
    expect(asked).toEqual(['https://api.openai.com/v1/models'])
    await expect(openAICompatible.models.list(fakeGet({}).get, t)).rejects.toMatchObject({ code: 'http_404' })
    expect(parseModelList(['a', { id: 'b' }, { id: '' }, null])).toEqual(['a', 'b'])
    expect(parseContextLengths({ data: [{ id: 'a', max_model_len: 8192 }, { id: 'b', max_model_len: -1 }] })).toEqual({ a: 8192 })
  })

  it('reads LM Studio’s loaded models, only for servers on this machine or the LAN, and gives up on others', async () => {
    const load = openAICompatible.load!
    expect(load.url(targetOf(openai))).toBeUndefined()
    const t = targetOf(lmstudio)
    expect(load.url(t)).toBe('http://127.0.0.1:1234/api/v0/models')
    expect(load.tentative).toBe(true)
    const { get } = fakeGet({
      'http://127.0.0.1:1234/api/v0/models': { status: 200, body: { data: [{ id: 'qwen2.5-7b-instruct', state: 'loaded' }, { id: 'llama-3.2-3b', state: 'not-loaded' }] } },
    })
    expect(await load.read(get, t, {})).toEqual({ kind: 'lmstudio', loaded: [{ names: ['qwen2.5-7b-instruct'] }], known: ['qwen2.5-7b-instruct', 'llama-3.2-3b'] })
    const notLmStudio = fakeGet({ 'http://127.0.0.1:1234/api/v0/models': { status: 200, body: { data: [{ id: 'x' }] } } })
    await expect(load.read(notLmStudio.get, t, {})).rejects.toThrow(/not LM Studio/)
  })

  it('learns x-ratelimit-* headers, and ships OpenAI, DeepSeek and Groq prices', () => {
    expect(openAICompatible.rateLimits.headers).toBe('openai')
    expect(openAICompatible.prices['gpt-4o-mini']).toMatchObject({ inputPerMTok: 0.15, outputPerMTok: 0.6 })
    expect(openAICompatible.prices['deepseek-chat']).toBeDefined()
    expect(openAICompatible.prices['llama-3.3-70b-versatile']).toBeDefined()
  })

  it('keeps the chat quirks of well-known hosts as data: OpenAI, DeepSeek; none elsewhere', () => {
    const opts = (baseUrl: string) => openAICompatible.encodeOptions(runtimeOf({ kind: 'openai-compatible', baseUrl }).config)
    expect(opts('https://api.openai.com/v1')).toEqual({ reasoningField: 'omit', maxTokensField: 'max_completion_tokens' })
    expect(opts('https://api.deepseek.com')).toEqual({ reasoningField: 'reasoning_content', reasoningOnToolTurns: true })
    expect(opts('https://eu.api.deepseek.com/v1')).toEqual({ reasoningField: 'reasoning_content', reasoningOnToolTurns: true })
    expect(opts('https://notdeepseek.com/v1')).toEqual({})
    expect(opts('https://openrouter.ai/api/v1')).toEqual({})
    expect(hostProfile('not a url')).toBeUndefined()
  })
})
