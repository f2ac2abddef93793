import { describe, expect, it } from 'vitest'
import { credentialOf, MIN_SCRUBBED_LENGTH, REDACTED, SecretScrubber } from '../../../src/main/gateway/common/secretScrubber'

describe('secret scrubber', () => {
  it('replaces a secret as written, as escaped inside a JSON string, and as percent-encoded in a URL', () => {
    const secret = 'k3y"with\\odd/chars&more'
    const scrub = new SecretScrubber([secret])
    const json = JSON.stringify({ error: { message: `bad key ${secret}`, url: `https://x.example/?key=${encodeURIComponent(secret)}` } })
    const out = scrub.buffer(Buffer.from(json)).toString()
    expect(out).not.toContain('k3y')
    expect(JSON.parse(out)).toEqual({ error: { message: `bad key ${REDACTED}`, url: `https://x.example/?key=${REDACTED}` } })
    expect(scrub.text(`raw ${secret} twice ${secret}`)).toBe(`raw ${REDACTED} twice ${REDACTED}`)
  })

  it('prefers the longer form (the whole header value before the token in it)', () => {
    const scrub = new SecretScrubber(['sk-token-abcdef', 'Bearer sk-token-abcdef'])
    expect(scrub.text('got Bearer sk-token-abcdef and sk-token-abcdef')).toBe(`got ${REDACTED} and ${REDACTED}`)
  })

  it('returns the very same buffer when nothing matches (no copy on the common path), and ignores short placeholder keys', () => {
    const body = Buffer.from('{"error":{"message":"model not found; try ollama pull"}}')
    const scrub = new SecretScrubber(['ollama', 'EMPTY', undefined, 'a-real-secret-value'])
    expect(scrub.buffer(body)).toBe(body)
    expect('ollama'.length).toBeLessThan(MIN_SCRUBBED_LENGTH)
    expect(new SecretScrubber(['ollama']).empty).toBe(true)
    expect(SecretScrubber.none.buffer(body)).toBe(body)
  })

  it('keeps the other bytes exactly, invalid UTF-8 included', () => {
    const scrub = new SecretScrubber(['secret-value-123'])
    const body = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('xsecret-value-123y'), Buffer.from([0xc3])])
    expect(scrub.buffer(body)).toEqual(Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(`x${REDACTED}y`), Buffer.from([0xc3])]))
  })

  it('finds the credential in an auth header value', () => {
    expect(credentialOf('Bearer sk-abc')).toBe('sk-abc')
    expect(credentialOf('Basic dXNlcjpwYXNz')).toBe('dXNlcjpwYXNz')
    expect(credentialOf('just-a-key')).toBeUndefined()
  })
})
