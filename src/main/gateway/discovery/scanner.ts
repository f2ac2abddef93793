// Finds local LLM servers: probes a list of loopback ports (the usual ones plus those of
// configured providers) in parallel, each bounded in time, and says which server answers where.
// Nothing waits on it: the gateway starts a scan in the background and the UI shows what it found.
import type { Config } from '../../../shared/config'
import type { DiscoveredServer, DiscoveryView } from '../../../shared/api'
import { identify, type FetchJson } from './probes'

export const USUAL_PORTS: ReadonlyArray<{ port: number; expect: string }> = [
  { port: 11434, expect: 'Ollama' },
  { port: 1234, expect: 'LM Studio' },
  { port: 8000, expect: 'vLLM' },
  { port: 8080, expect: 'llama.cpp' },
  { port: 30000, expect: 'SGLang' },
]

export interface ScannerOptions {
  /** Ports to probe instead of USUAL_PORTS (tests; `SWITCHYARD_DISCOVERY_PORTS`). */
  ports?: number[]
  host?: string
  /** Per request; the whole scan takes about twice this at most. */
  timeoutMs?: number
  fetchJson?: FetchJson
  now?: () => number
}

/** `SWITCHYARD_DISCOVERY_PORTS=11434,1234`: the ports to probe instead of the usual ones (a server on a custom port; tests). */
export function discoveryPortsFromEnv(env: NodeJS.ProcessEnv): number[] | undefined {
  const raw = env.SWITCHYARD_DISCOVERY_PORTS?.trim()
  if (!raw) return undefined
  const ports = raw.split(/[\s,]+/).map(Number).filter((n) => Number.isInteger(n) && n > 0 && n < 65536)
  return ports.length ? ports : undefined
}

/** Loopback ports of configured providers (another Ollama on 11435, a second vLLM on 8001). */
export function configuredPorts(config: Config): number[] {
  const ports: number[] = []
  for (const p of config.providers) {
    try {
      const u = new URL(p.baseUrl)
      if (!/^(127\.\d+\.\d+\.\d+|localhost|\[::1\])$/i.test(u.hostname)) continue
      ports.push(Number(u.port || (u.protocol === 'https:' ? 443 : 80)))
    } catch {
      // not a URL: the config schema says so elsewhere
    }
  }
  return ports
}

/** The provider a server is already configured as: same port on loopback. */
function configuredAs(server: Omit<DiscoveredServer, 'configuredAs'>, config: Config): string | undefined {
  const port = new URL(server.baseUrl).port
  return config.providers.find((p) => {
    try {
      const u = new URL(p.baseUrl)
      return u.port === port && /^(127\.\d+\.\d+\.\d+|localhost|\[::1\])$/i.test(u.hostname)
    } catch {
      return false
    }
  })?.id
}

export class DiscoveryScanner {
  private last: DiscoveryView = { scanning: false, items: [] }
  private running: Promise<DiscoveryView> | undefined
  private readonly fetchJson: FetchJson

  constructor(private readonly opts: ScannerOptions = {}) {
    this.fetchJson = opts.fetchJson ?? defaultFetchJson
  }

  /** What the last scan found (and whether one is running). */
  view(config: Config): DiscoveryView {
    return { ...this.last, scanning: this.running !== undefined, items: this.last.items.map((s) => ({ ...s, configuredAs: configuredAs(s, config) })) }
  }

  /** Probes now (joins a scan under way). Never throws. */
  scan(config: Config): Promise<DiscoveryView> {
    this.running ??= this.run(config).finally(() => (this.running = undefined))
    return this.running.then(() => this.view(config))
  }

  private async run(config: Config): Promise<DiscoveryView> {
    const host = this.opts.host ?? '127.0.0.1'
    const ports = [...new Set([...(this.opts.ports ?? USUAL_PORTS.map((p) => p.port)), ...configuredPorts(config)])]
    const timeoutMs = this.opts.timeoutMs ?? 1200
    const found = await Promise.all(ports.map((port) => identify(`http://${host}:${port}`, this.fetchJson, timeoutMs).catch(() => undefined)))
    const items = found.filter((s): s is NonNullable<typeof s> => s !== undefined).map((s) => ({ ...s, configuredAs: undefined }))
    this.last = { scanning: false, scannedAt: (this.opts.now ?? Date.now)(), ports, items }
    return this.last
  }
}

/** GET with a deadline and a size cap; a refused port, a timeout or non-JSON is `undefined`. */
const defaultFetchJson: FetchJson = async (url, timeoutMs) => {
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(timeoutMs), headers: { accept: 'application/json' }, redirect: 'error' })
    const text = await res.text()
    if (text.length > 4 * 1024 * 1024) return { status: res.status, json: undefined }
    try {
      return { status: res.status, json: JSON.parse(text) as unknown }
    } catch {
      return { status: res.status, json: undefined }
    }
  } catch {
    return undefined
  }
}

/** A provider draft for a discovered server: a free id from its kind, its first model as default. */
export function providerFor(server: DiscoveredServer, takenIds: ReadonlySet<string>): { id: string; name: string; kind: DiscoveredServer['kind']; baseUrl: string; defaultModel?: string } {
  const stem = server.server.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '') || 'local'
  let id = stem
  for (let i = 2; takenIds.has(id); i++) id = `${stem}-${i}`
  const port = new URL(server.baseUrl).port
  const usual = USUAL_PORTS.some((p) => String(p.port) === port && p.expect === server.server)
  return { id, name: usual ? server.server : `${server.server} :${port}`, kind: server.kind, baseUrl: server.baseUrl, defaultModel: pickDefaultModel(server) }
}

/** The model requests go to when a tool names one nobody serves: the largest chat model Ollama has, else the first listed. */
export function pickDefaultModel(server: Pick<DiscoveredServer, 'models' | 'modelSizes'>): string | undefined {
  const chat = server.models.filter((m) => !/embed|bge|minilm|nomic|rerank/i.test(m))
  const list = chat.length ? chat : server.models
  const sizes = server.modelSizes ?? {}
  if (Object.keys(sizes).length === 0) return list[0]
  return [...list].sort((a, b) => (sizes[b] ?? 0) - (sizes[a] ?? 0))[0]
}
