// A small HTTP client for backend side channels (probes, /metrics, model lists). Its own undici
// Agent keeps these cheap GETs off the pools that carry user traffic, so a stuck completion never
// delays a health probe and vice versa. Every request has a hard overall deadline.
import { Agent, request } from 'undici'

export interface GetResult {
  status: number
  headers: Record<string, string | string[] | undefined>
  body: string
  latencyMs: number
}

export interface GetOptions {
  headers?: Record<string, string>
  /** Overall deadline: connect + headers + body. */
  timeoutMs: number
  /** Larger bodies are cut off and reported as an error (a /metrics page is ~100 KB). */
  maxBytes?: number
}

export class BackendRequestError extends Error {
  readonly code: string
  constructor(code: string, message: string) {
    super(message)
    this.name = 'BackendRequestError'
    this.code = code
  }
}

const DEFAULT_MAX_BYTES = 8 * 1024 * 1024

export class BackendClient {
  private readonly agent: Agent
  private closed = false

  constructor(opts: { connectTimeoutMs?: number } = {}) {
    this.agent = new Agent({
      connect: { timeout: opts.connectTimeoutMs ?? 5_000 },
      keepAliveTimeout: 30_000,
      connections: 4, // side channels are few and small; never let them crowd a backend
      headersTimeout: 0,
      bodyTimeout: 0,
    })
  }

  async get(url: string, opts: GetOptions): Promise<GetResult> {
    if (this.closed) throw new BackendRequestError('closed', 'backend client is closed')
    const started = performance.now()
    const controller = new AbortController()
    const timer = setTimeout(() => controller.abort(new BackendRequestError('timeout', `no answer within ${opts.timeoutMs} ms`)), opts.timeoutMs)
    timer.unref()
    const maxBytes = opts.maxBytes ?? DEFAULT_MAX_BYTES
    try {
      const res = await request(url, {
        method: 'GET',
        headers: { accept: 'application/json, text/plain;q=0.9, */*;q=0.5', ...opts.headers },
        dispatcher: this.agent,
        signal: controller.signal,
        headersTimeout: 0,
        bodyTimeout: 0,
      })
      const chunks: Buffer[] = []
      let size = 0
      for await (const chunk of res.body) {
        size += (chunk as Buffer).length
        if (size > maxBytes) {
          res.body.destroy()
          throw new BackendRequestError('too_large', `response larger than ${maxBytes} bytes`)
        }
        chunks.push(chunk as Buffer)
      }
      return {
        status: res.statusCode,
        headers: res.headers,
        body: Buffer.concat(chunks, size).toString('utf8'),
        latencyMs: performance.now() - started,
      }
    } catch (err) {
      throw asBackendError(err, controller.signal)
    } finally {
      clearTimeout(timer)
    }
  }

  async getJson(url: string, opts: GetOptions): Promise<{ status: number; json: unknown; latencyMs: number }> {
    const res = await this.get(url, opts)
    return { status: res.status, json: jsonOf(res), latencyMs: res.latencyMs }
  }

  async close(): Promise<void> {
    if (this.closed) return
    this.closed = true
    await this.agent.close().catch(() => undefined)
  }
}

function asBackendError(err: unknown, signal: AbortSignal): BackendRequestError {
  if (err instanceof BackendRequestError) return err
  if (signal.aborted && signal.reason instanceof BackendRequestError) return signal.reason
  const e = err as { code?: string; cause?: { code?: string }; message?: string }
  const code = e.code ?? e.cause?.code ?? 'error'
  const reason = CONNECT_REASONS[code] ?? e.message ?? String(err)
  return new BackendRequestError(code, reason)
}

const CONNECT_REASONS: Record<string, string> = {
  ECONNREFUSED: 'connection refused',
  ECONNRESET: 'connection reset',
  ENOTFOUND: 'host name could not be resolved',
  EAI_AGAIN: 'host name could not be resolved',
  EHOSTUNREACH: 'host is unreachable',
  UND_ERR_CONNECT_TIMEOUT: 'connect timed out',
  UND_ERR_SOCKET: 'connection closed',
}

/** The JSON of a 2xx answer; throws `http_<status>` for any other, `bad_json` for a body that is not JSON. */
export function jsonOf(res: GetResult): unknown {
  if (res.status < 200 || res.status >= 300) {
    throw new BackendRequestError(`http_${res.status}`, `answered ${res.status}${snippet(res.body)}`)
  }
  try {
    return JSON.parse(res.body)
  } catch {
    throw new BackendRequestError('bad_json', 'answered with a body that is not JSON')
  }
}

function snippet(body: string): string {
  const text = body.trim().slice(0, 200)
  return text ? `: ${text}` : ''
}
