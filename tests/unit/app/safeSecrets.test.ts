import { describe, expect, it, vi } from 'vitest'
import { encryptSecret, safeStorageSecretResolver, type SafeStorageLike } from '../../../src/main/app/safeSecrets'

/** Reversible stand-in for the OS keychain: "encrypts" by reversing and tagging the bytes. */
function fakeSafeStorage(available = true): SafeStorageLike {
  return {
    isEncryptionAvailable: () => available,
    encryptString: (plain) => Buffer.from(`enc:${[...plain].reverse().join('')}`),
    decryptString: (buf) => {
      const text = buf.toString()
      if (!text.startsWith('enc:')) throw new Error('Error while decrypting the ciphertext provided to safeStorage.decryptString.')
      return [...text.slice(4)].reverse().join('')
    },
  }
}
const logger = () => ({ warn: vi.fn(), error: vi.fn(), info: vi.fn() }) as never

describe('safeStorageSecretResolver', () => {
  it('round-trips a key stored with encryptSecret', () => {
    const storage = fakeSafeStorage()
    const stored = encryptSecret(storage, 'sk-live-abc')
    expect(stored).toMatch(/^safe:[A-Za-z0-9+/=]+$/)
    expect(stored).not.toContain('sk-live-abc')
    expect(safeStorageSecretResolver(storage, logger()).resolve(stored, 'p')).toBe('sk-live-abc')
  })

  it('resolves env: references and passes literals through', () => {
    const r = safeStorageSecretResolver(fakeSafeStorage(), logger(), { OPENAI_API_KEY: 'from-env' })
    expect(r.resolve('env:OPENAI_API_KEY', 'openai')).toBe('from-env')
    expect(r.resolve('plain-literal', 'p')).toBe('plain-literal')
  })

  it('yields no key (and a warning, without the secret) when decryption is impossible', () => {
    const log = logger() as unknown as { warn: ReturnType<typeof vi.fn> }
    const unavailable = safeStorageSecretResolver(fakeSafeStorage(false), log as never)
    expect(unavailable.resolve('safe:ZW5jOmNiYQ==', 'p')).toBeUndefined()
    const garbage = safeStorageSecretResolver(fakeSafeStorage(), log as never)
    expect(garbage.resolve('safe:bm90LWVuY3J5cHRlZA==', 'p')).toBeUndefined()
    expect(log.warn).toHaveBeenCalledTimes(2)
    expect(JSON.stringify(log.warn.mock.calls)).not.toContain('ZW5j')
  })

  it('refuses to encrypt when the OS store is unavailable rather than storing plain text', () => {
    expect(() => encryptSecret(fakeSafeStorage(false), 'k')).toThrow(/unavailable/)
  })
})
