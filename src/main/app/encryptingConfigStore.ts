// A ConfigStore that never writes a typed-in API key to disk in the clear: on replace(), every
// literal key becomes `safe:<base64>` from safeStorage (OS keychain, DPAPI, libsecret/kwallet).
// `env:NAME` references, already-encrypted blobs and the UI's "keep the stored key" mask pass
// through. Reading is unchanged: safeSecrets.ts decrypts when the gateway needs the key.
import { SECRET_MASK, type Config } from '../../shared/config'
import { ApiFailure } from '../gateway'
import type { ConfigStore } from '../gateway'
import { SAFE_PREFIX, encryptSecret, type SafeStorageLike } from './safeSecrets'

export type SecretStorageKind = 'os' | 'basic_text' | 'unavailable'

/** Electron's safeStorage, with the Linux-only backend query. */
export interface SafeStorageWithBackend extends SafeStorageLike {
  getSelectedStorageBackend?(): string
}

/**
 * Where keys end up. On Linux without a keyring, Electron falls back to `basic_text`: it still
 * "encrypts", but with a hard-coded password, so the user must be warned that it is obfuscation.
 */
export function secretStorageKind(storage: SafeStorageWithBackend, platform: NodeJS.Platform = process.platform): SecretStorageKind {
  if (!storage.isEncryptionAvailable()) return 'unavailable'
  if (platform === 'linux' && storage.getSelectedStorageBackend?.() === 'basic_text') return 'basic_text'
  return 'os'
}

export function isLiteralKey(value: string | undefined): value is string {
  return value !== undefined && value !== '' && value !== SECRET_MASK && !value.startsWith('env:') && !value.startsWith(SAFE_PREFIX)
}

export function encryptLiteralKeys(config: Config, storage: SafeStorageLike): Config {
  if (!config.providers.some((p) => isLiteralKey(p.apiKey))) return config
  if (!storage.isEncryptionAvailable()) {
    throw new ApiFailure(
      'invalid_argument',
      'this system offers no secure storage for API keys; use an env:NAME reference and set that variable before starting Switchyard',
    )
  }
  return {
    ...config,
    providers: config.providers.map((p) => (isLiteralKey(p.apiKey) ? { ...p, apiKey: encryptSecret(storage, p.apiKey) } : p)),
  }
}

/** Wraps a plain-object store (confConfigStore's); its other methods (close) carry over. */
export function encryptingConfigStore<S extends ConfigStore>(inner: S, storage: SafeStorageLike): S {
  return { ...inner, replace: (next: Config) => inner.replace(encryptLiteralKeys(next, storage)) }
}
