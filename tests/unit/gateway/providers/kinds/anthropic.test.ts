import { describe, expect, it } from 'vitest'
import { anthropic } from '../../../../../src/main/gateway/providers/kinds/anthropic'
import { baseOf, fakeGet, runtimeOf, targetOf } from '../helpers'

const cfg = { kind: 'anthropic', baseUrl: 'https://api.anthropic.com/v1', apiKey: 'ak-test' }

describe('anthropic adapter', () => {
  it('sends the Messages API to the API root with the key as x-api-key', () => {
    const rt = runtimeOf(cfg)
    expect(baseOf(rt)).toBe('https://api.anthropic.com')
    expect(rt.dialects.map((d) => d.dialect)).toEqual(['anthropic-messages'])
    expect(rt.upstream.headers).toMatchObject({ 'x-api-key': 'ak-test' })
    expect(baseOf(runtimeOf({ kind: 'anthropic', baseUrl: 'https://api.deepseek.com/anthropic' }))).toBe('https://api.deepseek.com/anthropic')
  })

  it('side channels get x-api-key and a version, a configured Bearer header converted', () => {
    expect(targetOf(cfg).headers).toEqual({ 'x-api-key': 'ak-test', 'anthropic-version': '2023-06-01' })
    expect(targetOf({ kind: 'anthropic', baseUrl: 'https://api.anthropic.com', headers: { Authorization: 'Bearer ak-2' } }).headers).toEqual({ 'x-api-key': 'ak-2', 'anthropic-version': '2023-06-01' })
  })

  it('is not probed, and pages through /v1/models', async () => {
    expect(anthropic.probe).toBeUndefined()
    const t = targetOf(cfg)
    const { get, asked } = fakeGet({
      'https://api.anthropic.com/v1/models?limit=1000': { status: 200, body: { data: [{ id: 'claude-sonnet-4-5' }], has_more: true, last_id: 'claude-sonnet-4-5' } },
      'https://api.anthropic.com/v1/models?limit=1000&after_id=claude-sonnet-4-5': { status: 200, body: { data: [{ id: 'claude-haiku-4-5' }], has_more: false } },
    })
    expect(await anthropic.models.list(get, t)).toEqual({ models: ['claude-sonnet-4-5', 'claude-haiku-4-5'], contextLength: {} })
    expect(asked).toHaveLength(2)
  })

  it('learns anthropic-ratelimit-* headers, answers count_tokens itself, ships Claude prices', () => {
    expect(anthropic.rateLimits.headers).toBe('anthropic')
    expect(anthropic.countsTokens).toBe(true)
    expect(anthropic.prices['claude-sonnet-4-5']).toEqual({ inputPerMTok: 3, outputPerMTok: 15, cachedInputPerMTok: 0.3, cacheWritePerMTok: 3.75 })
    expect(anthropic.locality).toBe('by-host')
  })
})
