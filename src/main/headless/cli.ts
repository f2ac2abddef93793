// `switchyard serve [--config FILE] [--data-dir DIR] [--host H] [--port N] [--admin-token T]`
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import type { ApiHandlers } from '../../shared/api'
import { createLogger, type Logger } from '../gateway'
import { startHeadless } from './startHeadless'
import { startupBanner } from './startupBanner'

const USAGE = `usage: switchyard serve [options]

  --config FILE       config file (source of truth; admin edits are written back)
  --data-dir DIR      data directory (default: $SWITCHYARD_DATA_DIR or ~/.switchyard)
  --host H            bind address (default: from config, 127.0.0.1)
  --port N            port, 0 picks a free one (default: from config, 7171)
  --admin-token T     dashboard/admin API token (default: $SWITCHYARD_ADMIN_TOKEN or <data-dir>/admin-token)
  --log-level L       trace|debug|info|warn|error (default: info)
  --discover          find local LLM servers (Ollama, LM Studio, vLLM, llama.cpp, SGLang) on
                      their usual loopback ports and add each new one as a provider; the first
                      provider added becomes active ($SWITCHYARD_DISCOVERY_PORTS: other ports)
`

declare const __APP_VERSION__: string

export async function main(argv: string[]): Promise<number> {
  let parsed
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        config: { type: 'string' },
        'data-dir': { type: 'string' },
        host: { type: 'string' },
        port: { type: 'string' },
        'admin-token': { type: 'string' },
        'log-level': { type: 'string' },
        discover: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
        version: { type: 'boolean', short: 'v' },
      },
    })
  } catch (err) {
    process.stderr.write(`${(err as Error).message}\n\n${USAGE}`)
    return 2
  }
  const { values, positionals } = parsed
  if (values.version) {
    process.stdout.write(`${__APP_VERSION__}\n`)
    return 0
  }
  if (values.help || positionals[0] !== 'serve') {
    process.stdout.write(USAGE)
    return values.help ? 0 : 2
  }
  let port: number | undefined
  if (values.port !== undefined) {
    port = Number(values.port)
    if (!Number.isInteger(port) || port < 0 || port > 65535) {
      process.stderr.write(`--port must be an integer from 0 to 65535\n`)
      return 2
    }
  }
  // Logs are JSON lines on stderr; stdout carries only what a script waits for.
  const logger = createLogger({ level: values['log-level'], destination: process.stderr })
  const dataDir = path.resolve(values['data-dir'] ?? process.env.SWITCHYARD_DATA_DIR ?? path.join(os.homedir(), '.switchyard'))
  const here = path.dirname(fileURLToPath(import.meta.url))
  let handle
  try {
    handle = await startHeadless({
      dataDir,
      configFile: values.config,
      host: values.host,
      port,
      adminToken: values['admin-token'],
      uiDir: path.join(here, '../renderer'),
      logger,
      version: __APP_VERSION__,
    })
  } catch (err) {
    process.stderr.write(`switchyard: ${(err as Error).message}\n`)
    return 1
  }
  // The token goes only to a terminal, never into a log that stdout may be redirected to.
  process.stdout.write(startupBanner(handle, process.stdout.isTTY === true))
  // After the listening line: discovery is bounded (a few seconds) but never holds start-up.
  if (values.discover) void discoverAndAdd(handle.gateway.api, logger)
  return new Promise<number>((resolve) => {
    let stoppingAt = 0
    const stop = (signal: string): void => {
      if (stoppingAt !== 0) {
        // conf -> atomically -> when-exit hooks these signals too and re-raises the first one at
        // once: that echo is not a second request, and exiting on it would skip the ledger flush.
        if (Date.now() - stoppingAt < 500) return
        process.stderr.write(`switchyard: ${signal} again, exiting now\n`)
        process.exit(1)
      }
      stoppingAt = Date.now()
      logger.info({ signal }, 'shutting down')
      void handle.close().then(() => resolve(0))
    }
    process.on('SIGINT', () => stop('SIGINT'))
    process.on('SIGTERM', () => stop('SIGTERM'))
  })
}

/** `--discover`: scan, then add every server not configured yet; one line on stderr each. */
async function discoverAndAdd(api: ApiHandlers, logger: Logger): Promise<void> {
  try {
    const found = await api.scanDiscovery(undefined)
    if (found.items.length === 0) process.stderr.write(`switchyard: --discover found no local LLM server (ports ${found.ports?.join(', ') ?? '-'})\n`)
    for (const server of found.items) {
      if (server.configuredAs) {
        process.stderr.write(`switchyard: ${server.server} at ${server.baseUrl} is already provider "${server.configuredAs}"\n`)
        continue
      }
      const { provider, active } = await api.addDiscovered({ baseUrl: server.baseUrl })
      process.stderr.write(`switchyard: added ${server.server} at ${server.baseUrl} as provider "${provider.id}" (${server.models.length} models${active ? ', active' : ''})\n`)
    }
  } catch (err) {
    logger.warn({ err: (err as Error)?.message }, 'discovery failed')
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`switchyard: ${(err as Error)?.message ?? String(err)}\n`)
    process.exit(1)
  },
)
