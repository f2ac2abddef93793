// Electron secrets: keys the app stored are `safe:` + base64 of safeStorage.encryptString()
// (OS keychain / DPAPI / libsecret). `env:NAME` references and literals resolve as headless does.
import type { Logger } from '../gateway'
import type { SecretResolver } from '../gateway'
import { envSecretResolver } from '../headless/envSecrets'

export const SAFE_PREFIX = 'safe:'

/** The subset of Electron's safeStorage this module uses. */
export interface SafeStorageLike {
  isEncryptionAvailable(): boolean
  encryptString(plainText: string): Buffer
  decryptString(encrypted: Buffer): string
}

export function safeStorageSecretResolver(safeStorage: SafeStorageLike, logger: Logger, env: NodeJS.ProcessEnv = process.env): SecretResolver {
  const plain = envSecretResolver(logger, env)
  return {
    resolve(stored, providerId) {
      if (!stored.startsWith(SAFE_PREFIX)) return plain.resolve(stored, providerId)
      if (!safeStorage.isEncryptionAvailable()) {
        logger.warn({ provider: providerId }, 'OS secret storage is unavailable; cannot decrypt the API key, requests go without a key')
        return undefined
      }
      try {
        return safeStorage.decryptString(Buffer.from(stored.slice(SAFE_PREFIX.length), 'base64'))
      } catch {
        // Typically a config copied from another machine or user: the OS key does not match.
        logger.warn({ provider: providerId }, 'cannot decrypt the stored API key; enter it again')
        return undefined
      }
    },
  }
}

/** What the app writes into the config for a key the user typed in. */
export function encryptSecret(safeStorage: SafeStorageLike, plainText: string): string {
  if (!safeStorage.isEncryptionAvailable()) throw new Error('OS secret storage is unavailable')
  return SAFE_PREFIX + safeStorage.encryptString(plainText).toString('base64')
}
