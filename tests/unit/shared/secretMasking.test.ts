// Provider secrets beyond `apiKey` as the UI and the admin API see them: configured header values
// (all but a few well-known plain ones) and the password in a base URL are masked like the key,
// and a config that comes back masked keeps the stored values (the dashboard's round trip).
import { describe, expect, it } from 'vitest'
import { isSecretHeader, maskedBaseUrl, maskSecrets, parseConfig, restoreMaskedSecrets, SECRET_MASK, type Config } from '../../../src/shared/config'

const parse = (raw: unknown): Config => {
  const r = parseConfig(raw)
  if (!r.ok) throw new Error(r.errors.join('; '))
  return r.config
}

const GOOG = 'AIzaSyD-real-gemini-key-0123456789'
const AZURE = '3f9c2a7e5b1d4c8e9a0b6d2f4e8c1a7b'
const PASSWORD = 'p%40ss-w0rd-Ω'

const stored = parse({
  providers: [
    {
      id: 'gemini',
      kind: 'openai-compatible',
      baseUrl: 'https://generativelanguage.googleapis.com/v1beta/openai',
      headers: { 'x-goog-api-key': GOOG, 'X-Title': 'Switchyard', 'anthropic-version': '2023-06-01', 'x-from-env': 'env:SOME_TOKEN' },
    },
    { id: 'azure', kind: 'openai-compatible', baseUrl: `https://svc:${PASSWORD}@my.openai.azure.com/openai/v1?api-version=2024-10-21`, headers: { 'api-key': AZURE } },
    { id: 'local', kind: 'vllm', baseUrl: 'http://127.0.0.1:8000/v1' },
  ],
})

describe('masking provider secrets beyond apiKey', () => {
  it('treats every provider header as a secret except a few well-known plain ones', () => {
    for (const name of ['x-goog-api-key', 'api-key', 'Authorization', 'cookie', 'x-custom-token', 'OpenAI-Organization']) expect(isSecretHeader(name), name).toBe(true)
    for (const name of ['anthropic-version', 'Anthropic-Beta', 'openai-beta', 'HTTP-Referer', 'X-Title', 'user-agent']) expect(isSecretHeader(name), name).toBe(false)
  })

  it('masks secret header values and a base-URL password; plain headers and env: references stay readable', () => {
    const masked = maskSecrets(stored)
    const [gemini, azure, local] = masked.providers
    expect(gemini!.headers).toEqual({ 'x-goog-api-key': SECRET_MASK, 'X-Title': 'Switchyard', 'anthropic-version': '2023-06-01', 'x-from-env': 'env:SOME_TOKEN' })
    expect(azure!.headers).toEqual({ 'api-key': SECRET_MASK })
    expect(azure!.baseUrl).toBe(`https://svc:${SECRET_MASK}@my.openai.azure.com/openai/v1?api-version=2024-10-21`)
    expect(local!.baseUrl).toBe('http://127.0.0.1:8000/v1') // byte for byte when there is nothing to mask
    const text = JSON.stringify(masked)
    for (const secret of [GOOG, AZURE, PASSWORD, 'p@ss-w0rd']) expect(text).not.toContain(secret)
    expect(stored.providers[0]!.headers!['x-goog-api-key']).toBe(GOOG) // not mutated
    expect(maskedBaseUrl('https://user@host.example/v1')).toBe('https://user@host.example/v1') // a user name alone is no secret
  })

  it('a masked config sent back keeps every stored secret, exactly', () => {
    const back = restoreMaskedSecrets(parse(JSON.parse(JSON.stringify(maskSecrets(stored)))), stored)
    expect(back.providers).toEqual(stored.providers)
  })

  it('an edited provider keeps what it did not touch: a changed host keeps the password, a renamed-case header its value, a new header its new value', () => {
    const edited = maskSecrets(stored)
    const azure = edited.providers[1]!
    azure.baseUrl = azure.baseUrl.replace('my.openai.azure.com', 'other.openai.azure.com')
    azure.headers = { 'API-KEY': SECRET_MASK, 'x-new-secret': 'typed-in-value-123' }
    const back = restoreMaskedSecrets(parse(edited), stored).providers[1]!
    expect(back.baseUrl).toBe(`https://svc:${PASSWORD}@other.openai.azure.com/openai/v1?api-version=2024-10-21`)
    expect(back.headers).toEqual({ 'API-KEY': AZURE, 'x-new-secret': 'typed-in-value-123' })
  })

  it('never stores the mask itself: a masked value with nothing stored behind it is dropped', () => {
    const fresh = parse({
      providers: [{ id: 'new', kind: 'openai-compatible', baseUrl: `https://u:${SECRET_MASK}@api.example.com/v1`, headers: { 'x-goog-api-key': SECRET_MASK, 'x-title': 'kept' } }],
    })
    const back = restoreMaskedSecrets(fresh, stored).providers[0]!
    expect(back.baseUrl).toBe('https://u@api.example.com/v1')
    expect(back.headers).toEqual({ 'x-title': 'kept' })
    expect(JSON.stringify(back)).not.toContain(SECRET_MASK)
  })

  it('masks a password in the webhook URL too, and restores it', () => {
    const withHook = parse({ usage: { webhook: { url: 'https://meter:hook-pass-9876@metering.example.com/ingest' } } })
    const masked = maskSecrets(withHook)
    expect(masked.usage.webhook!.url).toBe(`https://meter:${SECRET_MASK}@metering.example.com/ingest`)
    expect(restoreMaskedSecrets(parse(masked), withHook).usage.webhook!.url).toBe('https://meter:hook-pass-9876@metering.example.com/ingest')
  })
})

describe('team mode and key pools: secrets masked like apiKey', () => {
  const stored = parse({
    state: { redis: 'redis://team:redis-pass-4242@10.0.0.10:6379/0' },
    providers: [
      {
        id: 'openai',
        kind: 'openai-compatible',
        baseUrl: 'https://api.openai.com/v1',
        apiKeys: [
          { key: 'sk-pool-literal-123456', label: 'a', weight: 2 },
          { key: 'env:OPENAI_KEY_B', label: 'b' },
        ],
      },
    ],
  })

  it('pooled literal keys and the Redis password read as the mask; env references stay visible', () => {
    const masked = maskSecrets(stored)
    expect(masked.providers[0]!.apiKeys).toEqual([
      { key: SECRET_MASK, label: 'a', weight: 2 },
      { key: 'env:OPENAI_KEY_B', label: 'b' },
    ])
    expect(masked.state!.redis).toBe(`redis://team:${SECRET_MASK}@10.0.0.10:6379/0`)
    expect(JSON.stringify(masked)).not.toMatch(/sk-pool-literal|redis-pass-4242/)
  })

  it('sent back masked, they keep the stored values (by key label); a new key keeps what was typed', () => {
    const edited = maskSecrets(stored)
    edited.providers[0]!.apiKeys = [...edited.providers[0]!.apiKeys!, { key: 'sk-new-typed-in-000', label: 'c' }]
    const back = restoreMaskedSecrets(parse(edited), stored)
    expect(back.providers[0]!.apiKeys!.map((k) => k.key)).toEqual(['sk-pool-literal-123456', 'env:OPENAI_KEY_B', 'sk-new-typed-in-000'])
    expect(back.state!.redis).toBe('redis://team:redis-pass-4242@10.0.0.10:6379/0')
  })

  it('rejects duplicate key labels and a label that clashes with apiKey joining the pool as "default"', () => {
    const dup = parseConfig({ providers: [{ id: 'p', kind: 'vllm', baseUrl: 'http://127.0.0.1:8000/v1', apiKey: 'x', apiKeys: [{ key: 'k1', label: 'default' }, { key: 'k2', label: 'b' }, { key: 'k3', label: 'b' }] }] })
    expect(dup.ok).toBe(false)
    if (!dup.ok) expect(dup.errors.join(' ')).toMatch(/duplicate key label "default".*duplicate key label "b"/)
    expect(parseConfig({ state: { redis: 'http://nope' } }).ok).toBe(false)
  })
})
