// Raw HTTP from the client side, so tests see exactly the bytes and timing a tool would.
import http from 'node:http'

export interface RawResponse {
  status: number
  headers: http.IncomingHttpHeaders
  body: Buffer
  text: string
  json<T = Record<string, unknown>>(): T
  /** Arrival time (ms since request start) of each body chunk. */
  chunkTimes: number[]
  chunks: Buffer[]
}

export interface RawRequest {
  method?: string
  path: string
  headers?: Record<string, string>
  body?: string | Buffer | object
  /** Send the body with chunked transfer encoding (no content-length). */
  chunked?: boolean
}

export function request(baseUrl: string, req: RawRequest): Promise<RawResponse> {
  const url = new URL(req.path, baseUrl)
  const payload = req.body === undefined ? undefined : Buffer.isBuffer(req.body) ? req.body : Buffer.from(typeof req.body === 'string' ? req.body : JSON.stringify(req.body))
  const headers: Record<string, string> = {
    ...(payload && typeof req.body === 'object' && !Buffer.isBuffer(req.body) ? { 'content-type': 'application/json' } : {}),
    ...req.headers,
  }
  if (payload && !req.chunked) headers['content-length'] = String(payload.length)
  return new Promise((resolve, reject) => {
    const started = performance.now()
    const r = http.request({ host: url.hostname, port: url.port, path: url.pathname + url.search, method: req.method ?? (payload ? 'POST' : 'GET'), headers, agent: false, setHost: !('host' in lower(headers)) }, (res) => {
      const chunks: Buffer[] = []
      const chunkTimes: number[] = []
      res.on('data', (c: Buffer) => {
        chunks.push(c)
        chunkTimes.push(performance.now() - started)
      })
      res.on('end', () => {
        const body = Buffer.concat(chunks)
        const text = body.toString('utf8')
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body, text, json: () => JSON.parse(text), chunkTimes, chunks })
      })
      res.on('error', reject)
    })
    r.on('error', reject)
    if (payload) r.end(payload)
    else r.end()
  })
}

export function postJson(baseUrl: string, path: string, body: object, headers: Record<string, string> = {}): Promise<RawResponse> {
  return request(baseUrl, { path, body, headers })
}

function lower(h: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(h).map(([k, v]) => [k.toLowerCase(), v]))
}

/** Parses an SSE body into its `data:` payloads. */
export function sseData(text: string): string[] {
  return text
    .split('\n\n')
    .filter((e) => e.trim() !== '')
    .flatMap((e) => e.split('\n').filter((l) => l.startsWith('data: ')).map((l) => l.slice(6)))
}
