import type { SecretResolver } from '../gateway'
import type { Logger } from '../gateway'

/** Headless secrets: `env:NAME` reads the environment; anything else is the key itself. */
export function envSecretResolver(logger: Logger, env: NodeJS.ProcessEnv = process.env): SecretResolver {
  return {
    resolve(stored, providerId) {
      if (!stored.startsWith('env:')) return stored
      const name = stored.slice(4)
      const value = env[name]
      if (value === undefined || value === '') {
        logger.warn({ provider: providerId, variable: name }, 'API key environment variable is not set; requests go without a key')
        return undefined
      }
      return value
    },
  }
}
