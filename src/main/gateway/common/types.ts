// The services a host (Electron app or headless CLI) hands to the gateway core.
import type { Config } from '../../../shared/config'

export interface ConfigStore {
  get(): Config
  /** Validates, persists and publishes a new config; rejects with the validation errors. */
  replace(next: Config): Promise<void>
  /** Called with each new config after it is stored (also for edits made outside the app). */
  subscribe(listener: (config: Config) => void): () => void
}

export interface SecretResolver {
  /** Turns a stored `apiKey` value (literal, `env:NAME`, or a host-specific encrypted form) into the key. */
  resolve(stored: string, providerId: string): string | undefined
}
