// The config's `usage` section: defaults, validation, the README's example, and webhook header
// values treated as secrets (masked for the UI, restored when the masked config comes back).
import fs from 'node:fs'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { defaultConfig, maskSecrets, parseConfig, restoreMaskedSecrets, SECRET_MASK, type Config } from '../../../src/shared/config'

const parse = (raw: unknown): Config => {
  const r = parseConfig(raw)
  if (!r.ok) throw new Error(r.errors.join('; '))
  return r.config
}

describe('config: usage section', () => {
  it('defaults to 365 days of rows, the machine time zone and no webhook', () => {
    expect(defaultConfig().usage).toEqual({ retentionDays: 365 })
    expect(parse({ usage: {} }).usage).toEqual({ retentionDays: 365 })
    expect(parse({ usage: { retentionDays: 0, timeZone: 'UTC' } }).usage).toEqual({ retentionDays: 0, timeZone: 'UTC' })
  })

  it.each([
    [{ retentionDays: -1 }, 'usage.retentionDays'],
    [{ retentionDays: 2.5 }, 'usage.retentionDays'],
    [{ timeZone: 'Not/AZone' }, 'usage.timeZone'],
    [{ keepDays: 3 }, 'keepDays'],
    [{ webhook: { url: 'file:///etc/passwd' } }, 'usage.webhook.url'],
    [{ webhook: { url: 'https://x.example', batchSize: 0 } }, 'usage.webhook.batchSize'],
    [{ webhook: { url: 'https://x.example', headers: { 'bad header': 'v' } } }, 'usage.webhook.headers'],
    [{ webhook: { url: 'https://x.example', retries: 3 } }, 'retries'],
    [{ webhook: { url: 'https://x.example', timeoutMs: 0 } }, 'usage.webhook.timeoutMs'],
    [{ webhook: { url: 'https://x.example', timeoutMs: 600_001 } }, 'usage.webhook.timeoutMs'],
    [{ webhook: { url: 'https://x.example', timeoutMs: 1.5 } }, 'usage.webhook.timeoutMs'],
  ])('rejects %j', (usage, where) => {
    const r = parseConfig({ usage })
    expect(r.ok).toBe(false)
    expect(!r.ok && r.errors.join('\n')).toContain(where)
  })

  it('the README example is a valid config', () => {
    const readme = fs.readFileSync(path.resolve(__dirname, '../../../README.md'), 'utf8')
    const section = readme.slice(readme.indexOf('## Configuration'))
    const json = /```json\n([\s\S]*?)\n```/.exec(section)?.[1]
    expect(json).toBeDefined()
    const config = parse(JSON.parse(json!))
    expect(config.usage.webhook?.headers).toEqual({ Authorization: 'env:METERING_TOKEN' })
    expect(config.usage.webhook?.timeoutMs).toBe(10_000)
  })

  it('takes a webhook timeout (additive: absent keeps the 10 s default)', () => {
    expect(parse({ usage: { webhook: { url: 'https://x.example', timeoutMs: 45_000 } } }).usage.webhook).toEqual({ url: 'https://x.example', timeoutMs: 45_000 })
    expect(parse({ usage: { webhook: { url: 'https://x.example' } } }).usage.webhook).toEqual({ url: 'https://x.example' })
  })

  it('masks literal webhook header values (env: references stay) and restores them on the way back', () => {
    const stored = parse({ usage: { webhook: { url: 'https://m.example/in', headers: { authorization: 'Bearer s3cret', 'x-env': 'env:TOKEN' } } } })
    const masked = maskSecrets(stored)
    expect(masked.usage.webhook?.headers).toEqual({ authorization: SECRET_MASK, 'x-env': 'env:TOKEN' })
    expect(JSON.stringify(masked)).not.toContain('s3cret')
    expect(stored.usage.webhook?.headers?.authorization).toBe('Bearer s3cret') // not mutated
    const back = restoreMaskedSecrets(parse(masked), stored)
    expect(back.usage.webhook?.headers).toEqual({ authorization: 'Bearer s3cret', 'x-env': 'env:TOKEN' })
    // A masked header with nothing stored behind it is dropped, never sent as the mask.
    const added = restoreMaskedSecrets(parse({ usage: { webhook: { url: 'https://m.example/in', headers: { 'x-new': SECRET_MASK } } } }), stored)
    expect(added.usage.webhook?.headers).toEqual({})
  })
})
