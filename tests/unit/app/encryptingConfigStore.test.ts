import { describe, expect, it } from 'vitest'
import { encryptingConfigStore, encryptLiteralKeys, secretStorageKind, type SafeStorageWithBackend } from '../../../src/main/app/encryptingConfigStore'
import { safeStorageSecretResolver } from '../../../src/main/app/safeSecrets'
import { silentLogger } from '../../../src/main/gateway/common/log'
import { ApiFailure } from '../../../src/main/gateway/api/apiFailure'
import { createConfigHandlers } from '../../../src/main/gateway/api/configHandlers'
import { parseConfig, SECRET_MASK, type Config } from '../../../src/shared/config'
import type { ConfigStore } from '../../../src/main/gateway/common/types'

function fakeSafeStorage(opts: { available?: boolean; backend?: string } = {}): SafeStorageWithBackend {
  return {
    isEncryptionAvailable: () => opts.available ?? true,
    encryptString: (plain) => Buffer.from(`enc:${[...plain].reverse().join('')}`),
    decryptString: (buf) => [...buf.toString().slice(4)].reverse().join(''),
    getSelectedStorageBackend: () => opts.backend ?? 'gnome_libsecret',
  }
}

function config(providers: unknown[]): Config {
  const parsed = parseConfig({ version: 1, providers })
  if (!parsed.ok) throw new Error(parsed.errors.join('; '))
  return parsed.config
}

function memoryStore(initial: Config): ConfigStore & { written: Config[] } {
  let current = initial
  const written: Config[] = []
  return {
    written,
    get: () => current,
    async replace(next) {
      current = next
      written.push(next)
    },
    subscribe: () => () => undefined,
  }
}

const p = (id: string, apiKey?: string) => ({ id, kind: 'openai-compatible', baseUrl: 'https://api.example.com/v1', ...(apiKey === undefined ? {} : { apiKey }) })

describe('encryptLiteralKeys', () => {
  it('encrypts typed-in keys and leaves env references, encrypted blobs and absent keys alone', () => {
    const storage = fakeSafeStorage()
    const out = encryptLiteralKeys(config([p('a', 'sk-live-1'), p('b', 'env:OPENAI_API_KEY'), p('c', 'safe:ZW5jOng='), p('d')]), storage)
    expect(out.providers.map((x) => x.apiKey)).toEqual([`safe:${Buffer.from('enc:1-evil-ks').toString('base64')}`, 'env:OPENAI_API_KEY', 'safe:ZW5jOng=', undefined])
    expect(JSON.stringify(out)).not.toContain('sk-live-1')
    // ...and the gateway can still use it.
    expect(safeStorageSecretResolver(storage, silentLogger()).resolve(out.providers[0]!.apiKey!, 'a')).toBe('sk-live-1')
  })

  it('refuses to store a literal key when the OS offers no encryption', () => {
    expect(() => encryptLiteralKeys(config([p('a', 'sk-live-1')]), fakeSafeStorage({ available: false }))).toThrow(ApiFailure)
    // Nothing to encrypt: fine without encryption.
    expect(encryptLiteralKeys(config([p('a', 'env:X')]), fakeSafeStorage({ available: false })).providers[0]!.apiKey).toBe('env:X')
  })
})

describe('encryptingConfigStore behind the API handlers', () => {
  it('a key saved from the UI is stored encrypted, read back only as "key set", and kept when the UI sends the mask', async () => {
    const inner = memoryStore(config([]))
    const store = encryptingConfigStore(inner, fakeSafeStorage())
    const handlers = createConfigHandlers({ configStore: store, router: undefined as never })
    await handlers.upsertProvider({ id: 'openai', provider: { ...p('openai', 'sk-secret-42'), kind: 'openai-compatible' } as never })
    const saved = inner.get().providers[0]!.apiKey!
    expect(saved.startsWith('safe:')).toBe(true)
    expect(JSON.stringify(inner.written)).not.toContain('sk-secret-42')

    const seen = await handlers.getConfig(undefined)
    expect(seen.providers[0]!.apiKey).toBe(SECRET_MASK)
    const listed = await handlers.listProviders(undefined)
    expect(listed.items[0]).toMatchObject({ id: 'openai', keySet: true })
    expect(JSON.stringify(listed)).not.toContain(saved.slice(5))

    // Editing another field sends the mask back: the stored ciphertext stays as it was.
    await handlers.replaceConfig({ ...seen, providers: [{ ...seen.providers[0]!, weight: 3 }] })
    expect(inner.get().providers[0]).toMatchObject({ apiKey: saved, weight: 3 })
  })
})

describe('secretStorageKind', () => {
  it('names Linux’s basic_text fallback so the UI can warn', () => {
    expect(secretStorageKind(fakeSafeStorage(), 'linux')).toBe('os')
    expect(secretStorageKind(fakeSafeStorage({ backend: 'basic_text' }), 'linux')).toBe('basic_text')
    expect(secretStorageKind(fakeSafeStorage({ backend: 'basic_text' }), 'darwin')).toBe('os')
    expect(secretStorageKind(fakeSafeStorage({ available: false }), 'linux')).toBe('unavailable')
  })
})
