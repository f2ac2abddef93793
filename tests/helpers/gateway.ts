// Starts a real gateway on a free loopback port with an in-memory config store.
import os from 'node:os'
import fs from 'node:fs'
import path from 'node:path'
import { Writable } from 'node:stream'
import { parseConfig, type Config } from '../../src/shared/config'
import { createGateway, type Gateway, type GatewayOptions } from '../../src/main/gateway/createGateway'
import { createLogger } from '../../src/main/gateway/common/log'
import type { ConfigStore, SecretResolver } from '../../src/main/gateway/common/types'
import type { RequestLogEntry } from '../../src/shared/api'

export function memoryConfigStore(initial: unknown): ConfigStore & { set(raw: unknown): Promise<void> } {
  let current = mustParse(initial)
  const listeners = new Set<(c: Config) => void>()
  const store = {
    get: () => current,
    async replace(next: Config) {
      current = mustParse(next)
      listeners.forEach((l) => l(current))
    },
    subscribe(listener: (c: Config) => void) {
      listeners.add(listener)
      return () => listeners.delete(listener)
    },
    set: (raw: unknown) => store.replace(raw as Config),
  }
  return store
}

export function mustParse(raw: unknown): Config {
  const parsed = parseConfig(raw)
  if (!parsed.ok) throw new Error(parsed.errors.join('; '))
  return parsed.config
}

export const envSecrets = (env: Record<string, string> = {}): SecretResolver => ({
  resolve: (stored) => (stored.startsWith('env:') ? env[stored.slice(4)] : stored),
})

/** Collects log lines so tests can assert what was (not) logged. */
export function captureLogs(): { lines: string[]; stream: Writable } {
  const lines: string[] = []
  const stream = new Writable({
    write(chunk: Buffer, _enc, cb) {
      lines.push(...chunk.toString('utf8').split('\n').filter(Boolean))
      cb()
    },
  })
  return { lines, stream }
}

export interface TestGateway {
  gateway: Gateway
  store: ReturnType<typeof memoryConfigStore>
  url: string
  port: number
  logs: string[]
  close(graceMs?: number): Promise<void>
}

/** The request's ledger row once it is final (the writer is at most a batch window behind). */
export async function finalRow(gw: Pick<TestGateway, 'gateway'>, requestId: string, timeoutMs = 5000): Promise<RequestLogEntry> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const found = (await gw.gateway.api.listRequests({ limit: 100 })).items.find((r) => r.requestId === requestId && r.state !== 'in_flight')
    if (found) return found
    if (Date.now() > deadline) throw new Error(`no final row for ${requestId}`)
    await new Promise((r) => setTimeout(r, 25))
  }
}

export async function startTestGateway(
  config: unknown,
  opts: {
    secrets?: SecretResolver
    sideChannels?: boolean
    routing?: GatewayOptions['routing']
    admission?: GatewayOptions['admission']
    keepAlive?: GatewayOptions['keepAlive']
    team?: GatewayOptions['team']
  } = {},
): Promise<TestGateway> {
  const store = memoryConfigStore(config)
  const { lines, stream } = captureLogs()
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'switchyard-test-'))
  const gateway = createGateway({
    configStore: store,
    secrets: opts.secrets ?? envSecrets(),
    dataDir,
    logger: createLogger({ level: 'debug', destination: stream }),
    version: 'test',
    // Probes and discovery are tested on their own; here they would only add background traffic.
    sideChannels: opts.sideChannels ?? false,
    routing: opts.routing,
    admission: opts.admission,
    keepAlive: opts.keepAlive,
    team: opts.team,
  })
  const status = await gateway.start({ host: '127.0.0.1', port: 0 })
  return {
    gateway,
    store,
    url: status.url!,
    port: status.port,
    logs: lines,
    async close(graceMs = 0) {
      await gateway.stop(graceMs)
      fs.rmSync(dataDir, { recursive: true, force: true })
    },
  }
}
