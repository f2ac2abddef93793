// Structured JSON logs (pino). Secrets are redacted by path here, and no code path logs request
// bodies or raw header objects, so a key cannot reach a log line by accident.
import pino, { type DestinationStream, type Logger } from 'pino'

export type { Logger }

export const REDACTED_PATHS = [
  'apiKey',
  '*.apiKey',
  'providers[*].apiKey',
  'config.providers[*].apiKey',
  'authorization',
  '*.authorization',
  'headers["x-api-key"]',
  '*.headers["x-api-key"]',
  'token',
  '*.token',
  'adminToken',
  '*.adminToken',
  'key',
  '*.key',
]

export function createLogger(opts: { level?: string; destination?: DestinationStream } = {}): Logger {
  return pino(
    {
      level: opts.level ?? process.env.SWITCHYARD_LOG_LEVEL ?? 'info',
      base: { app: 'switchyard' },
      redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
      timestamp: pino.stdTimeFunctions.isoTime,
    },
    opts.destination,
  )
}

export function silentLogger(): Logger {
  return pino({ level: 'silent' })
}
