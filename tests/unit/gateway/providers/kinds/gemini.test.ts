import { describe, expect, it } from 'vitest'
import { gemini } from '../../../../../src/main/gateway/providers/kinds/gemini'
import { geminiRetryDelayMs } from '../../../../../src/main/gateway/providers/kinds/gemini/quota'
import { parseGeminiModelList } from '../../../../../src/main/gateway/providers/kinds/gemini/models'
import { translateRequest } from '../../../../../src/main/gateway/dialects'
import { baseOf, fakeGet, runtimeOf, targetOf } from '../helpers'

const cfg = { kind: 'gemini', baseUrl: 'https://generativelanguage.googleapis.com', apiKey: 'env:GEMINI_API_KEY' }
const ROOT = 'https://generativelanguage.googleapis.com'

describe('gemini adapter', () => {
  it('speaks the Gemini dialect at the API root (a configured /v1beta is tolerated)', () => {
    const rt = runtimeOf(cfg, { GEMINI_API_KEY: 'AIza-test' })
    expect(rt.dialects.map((d) => d.dialect)).toEqual(['gemini'])
    expect(baseOf(rt)).toBe(ROOT)
    expect(baseOf(runtimeOf({ kind: 'gemini', baseUrl: `${ROOT}/v1beta/` }))).toBe(ROOT)
    // The codec's paths then land where Google serves them.
    const { path } = translateRequest('openai-chat', 'gemini', { model: 'x', stream: true, messages: [{ role: 'user', content: 'hi' }] }, { upstreamModel: 'gemini-2.5-flash' })
    expect(baseOf(rt) + path).toBe(`${ROOT}/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse`)
  })

  it('sends the key (from config or env) as x-goog-api-key, never in the query', () => {
    const rt = runtimeOf(cfg, { GEMINI_API_KEY: 'AIza-test' })
    expect(rt.upstream.headers).toEqual({ 'x-goog-api-key': 'AIza-test' })
    expect(rt.upstream.basePath).not.toContain('key=')
    expect(runtimeOf({ kind: 'gemini', baseUrl: ROOT }).upstream.headers).toEqual({})
  })

  it('is not probed, and pages through /v1beta/models with the key header', async () => {
    expect(gemini.probe).toBeUndefined()
    expect(gemini.load).toBeUndefined()
    const t = targetOf({ ...cfg, apiKey: 'AIza-test' })
    expect(t.headers).toEqual({ 'x-goog-api-key': 'AIza-test' })
    const { get, asked } = fakeGet({
      [`${ROOT}/v1beta/models?pageSize=1000`]: {
        status: 200,
        body: { models: [{ name: 'models/gemini-2.5-flash', supportedGenerationMethods: ['generateContent', 'countTokens'] }], nextPageToken: 'p2' },
      },
      [`${ROOT}/v1beta/models?pageSize=1000&pageToken=p2`]: { status: 200, body: { models: [{ name: 'models/gemini-2.5-pro' }, { name: 'models/text-embedding-004' }] } },
    })
    expect(await gemini.models.list(get, t)).toEqual({ models: ['gemini-2.5-flash', 'gemini-2.5-pro', 'text-embedding-004'], contextLength: {} })
    expect(asked).toHaveLength(2)
    expect(parseGeminiModelList({})).toEqual([])
    expect(() => parseGeminiModelList({ data: [] })).toThrow(/no "models"/)
  })

  it('learns how long a spent quota must wait from the body: RetryInfo, else the message', () => {
    const exhausted = {
      error: {
        code: 429,
        message: 'You exceeded your current quota, please check your plan and billing details. Please retry in 24.53s.',
        status: 'RESOURCE_EXHAUSTED',
        details: [
          { '@type': 'type.googleapis.com/google.rpc.QuotaFailure', violations: [{ quotaMetric: 'generativelanguage.googleapis.com/generate_content_free_tier_requests', quotaValue: '10' }] },
          { '@type': 'type.googleapis.com/google.rpc.RetryInfo', retryDelay: '24s' },
        ],
      },
    }
    const body = (doc: unknown) => Buffer.from(JSON.stringify(doc))
    expect(gemini.rateLimits.retryDelayFromBody!(429, body(exhausted))).toBe(24_000)
    // Translated for an Anthropic client the details are gone, the message stays.
    expect(gemini.rateLimits.retryDelayFromBody!(429, body({ type: 'error', error: { type: 'rate_limit_error', message: exhausted.error.message } }))).toBe(24_530)
    expect(gemini.rateLimits.retryDelayFromBody!(429, body({ error: { code: 429, message: 'Resource has been exhausted (e.g. check quota).', status: 'RESOURCE_EXHAUSTED' } }))).toBeUndefined()
    expect(gemini.rateLimits.retryDelayFromBody!(400, body(exhausted))).toBeUndefined()
    expect(geminiRetryDelayMs(503, Buffer.from('{"retryDelay": "1.5s"}'))).toBe(1_500)
    expect(gemini.rateLimits.headers).toBeUndefined()
  })

  it('ships prices for current Gemini models, is a cloud API with cloud timeouts', () => {
    for (const model of ['gemini-2.5-pro', 'gemini-2.5-flash', 'gemini-2.5-flash-lite', 'gemini-2.0-flash']) expect(gemini.prices[model], model).toBeDefined()
    expect(gemini.prices['gemini-2.5-flash']).toEqual({ inputPerMTok: 0.3, cachedInputPerMTok: 0.03, outputPerMTok: 2.5 })
    expect(gemini.defaultTimeouts.firstByteMs).toBe(120_000)
    expect(gemini.locality).toBe('by-host')
  })
})
