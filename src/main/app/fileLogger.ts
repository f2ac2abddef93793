// The desktop app logs JSON lines to <userData>/logs/switchyard.log (there is no terminal to
// read stderr from). Redaction is the gateway logger's, so secrets cannot reach the file.
import path from 'node:path'
import pino from 'pino'
import { createLogger, type Logger } from '../gateway/log'

export function logFilePath(userData: string): string {
  return path.join(userData, 'logs', 'switchyard.log')
}

export function createFileLogger(userData: string, level?: string): { logger: Logger; file: string; flush(): void } {
  const file = logFilePath(userData)
  // Async writes keep logging off the request path; flush() on quit writes what is buffered.
  const destination = pino.destination({ dest: file, mkdir: true, sync: false })
  return {
    logger: createLogger({ level, destination }),
    file,
    flush() {
      try {
        destination.flushSync()
      } catch {
        // not opened yet: nothing was buffered
      }
    },
  }
}
