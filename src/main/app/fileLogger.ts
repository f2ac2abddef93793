// The desktop app logs JSON lines to <userData>/logs/switchyard.log (there is no terminal to
// read stderr from). Redaction is the gateway logger's, so secrets cannot reach the file.
import path from 'node:path'
import pino from 'pino'
import { createLogger, type Logger } from '../gateway'

export function logFilePath(userData: string): string {
  return path.join(userData, 'logs', 'switchyard.log')
}

export interface FileLogger {
  logger: Logger
  file: string
  /** Writes what is buffered now (before a dialog or an exit). */
  flush(): void
  /** Flushes and closes the file; resolves once it is closed. */
  close(): Promise<void>
}

export function createFileLogger(userData: string, level?: string): FileLogger {
  const file = logFilePath(userData)
  // Async writes keep logging off the request path; flush()/close() on quit write what is buffered.
  const destination = pino.destination({ dest: file, mkdir: true, sync: false })
  // A log file that cannot be written (disk full, folder removed) must not take the app down.
  let reported = false
  destination.on('error', (err: Error) => {
    if (!reported) process.stderr.write(`switchyard: cannot write ${file}: ${err.message}\n`)
    reported = true
  })
  let closed: Promise<void> | undefined
  return {
    logger: createLogger({ level, destination }),
    file,
    flush() {
      try {
        destination.flushSync()
      } catch {
        // not opened yet: nothing was written
      }
    },
    close() {
      closed ??= new Promise<void>((resolve) => {
        destination.once('close', () => resolve())
        destination.once('error', () => resolve())
        destination.end()
      })
      return closed
    },
  }
}
