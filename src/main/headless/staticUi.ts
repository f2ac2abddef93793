// Serves the built dashboard (out/renderer) at /ui/ in headless mode, with the same strict
// content security policy the Electron window uses, compressed (brotli, else gzip) for browsers
// that accept it: each file is compressed once and kept in memory (the build never changes under
// a running server; a changed file is noticed by its size and mtime).
import type { Stats } from 'node:fs'
import fs from 'node:fs/promises'
import path from 'node:path'
import { promisify } from 'node:util'
import zlib from 'node:zlib'
import type { RequestContext } from '../gateway'
import { sendOpenAIError } from '../gateway'
import { GatewayError } from '../gateway'

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json',
  '.woff2': 'font/woff2',
}

export const DASHBOARD_CSP =
  "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; font-src 'self' data:; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'none'"

const brotli = promisify(zlib.brotliCompress)
const gzip = promisify(zlib.gzip)
// scripts/precompress.mjs writes copies of the same files at build time.
const COMPRESSIBLE = new Set(['.html', '.js', '.css', '.svg', '.json'])

export type Encoding = 'br' | 'gzip'

/** The best encoding the client accepts (q=0 refuses one). */
export function preferredEncoding(accept: string | string[] | undefined): Encoding | undefined {
  const offered = new Map<string, number>()
  for (const part of String(accept ?? '').split(',')) {
    const [name, ...params] = part.trim().toLowerCase().split(';')
    if (!name) continue
    const q = params.map((p) => /^\s*q=([\d.]+)/.exec(p)?.[1]).find((v) => v !== undefined)
    offered.set(name, q === undefined ? 1 : Number(q))
  }
  const ok = (e: string): boolean => (offered.get(e) ?? offered.get('*') ?? 0) > 0
  return ok('br') ? 'br' : ok('gzip') ? 'gzip' : undefined
}

interface Compressed {
  stamp: string
  variants: Partial<Record<Encoding, Promise<Buffer>>>
}

export function createStaticUi(uiDir: string) {
  const root = path.resolve(uiDir)
  const compressed = new Map<string, Compressed>()

  /**
   * The file compressed with `encoding`: kept, else the build's copy, else made now (shared by
   * concurrent requests). The file itself is read only when it must be compressed here.
   */
  function encoded(file: string, st: Stats, encoding: Encoding): Promise<Buffer> {
    const stamp = `${st.size}:${st.mtimeMs}`
    let entry = compressed.get(file)
    if (!entry || entry.stamp !== stamp) compressed.set(file, (entry = { stamp, variants: {} }))
    entry.variants[encoding] ??= prebuilt(file, st.mtimeMs, encoding)
      .then(async (built) => built ?? compress(await fs.readFile(file), encoding))
      .catch((err: unknown) => {
        delete entry!.variants[encoding]
        throw err
      })
    return entry.variants[encoding]!
  }

  async function serve(ctx: RequestContext): Promise<boolean> {
    const { path: urlPath, req, res } = ctx
    if (urlPath === '/' || urlPath === '/ui') {
      res.writeHead(302, { location: '/ui/' })
      res.end()
      return true
    }
    if (!urlPath.startsWith('/ui/')) return false
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      sendOpenAIError(res, new GatewayError('method_not_allowed', 'use GET for the dashboard'))
      return true
    }
    let relative: string
    try {
      relative = decodeURIComponent(urlPath.slice('/ui/'.length)) || 'index.html'
    } catch {
      sendOpenAIError(res, new GatewayError('invalid_request', 'malformed path'))
      return true
    }
    const file = path.resolve(root, relative)
    if (file !== root && !file.startsWith(root + path.sep)) {
      sendOpenAIError(res, new GatewayError('not_found', 'not found'))
      return true
    }
    const notFound = (): true => {
      sendOpenAIError(res, new GatewayError('not_found', relative === 'index.html' ? 'dashboard is not built; run `npm run build`' : 'not found'))
      return true
    }
    let st: Stats
    try {
      st = await fs.stat(file)
    } catch {
      return notFound()
    }
    if (!st.isFile()) return notFound()
    const ext = path.extname(file)
    let encoding = COMPRESSIBLE.has(ext) && st.size > 1024 ? preferredEncoding(req.headers['accept-encoding']) : undefined
    let body: Buffer | undefined
    if (encoding) {
      try {
        body = await encoded(file, st, encoding)
      } catch {
        encoding = undefined // served as it is
      }
    }
    try {
      body ??= await fs.readFile(file)
    } catch {
      return notFound()
    }
    res.writeHead(200, {
      'content-type': TYPES[ext] ?? 'application/octet-stream',
      'content-length': body.length,
      ...(encoding ? { 'content-encoding': encoding } : {}),
      ...(COMPRESSIBLE.has(ext) ? { vary: 'accept-encoding' } : {}),
      'cache-control': ext === '.html' ? 'no-store' : 'public, max-age=31536000, immutable',
      'content-security-policy': DASHBOARD_CSP,
      'x-content-type-options': 'nosniff',
      'referrer-policy': 'no-referrer',
    })
    res.end(req.method === 'HEAD' ? undefined : body)
    return true
  }

  return serve
}

const SUFFIX: Record<Encoding, string> = { br: '.br', gzip: '.gz' }

/** The build's compressed copy of `file` (scripts/precompress.mjs), unless it is missing or older than the file. */
async function prebuilt(file: string, mtimeMs: number, encoding: Encoding): Promise<Buffer | undefined> {
  const copy = file + SUFFIX[encoding]
  try {
    const st = await fs.stat(copy)
    return st.mtimeMs >= mtimeMs ? await fs.readFile(copy) : undefined
  } catch {
    return undefined
  }
}

function compress(body: Buffer, encoding: Encoding): Promise<Buffer> {
  // Brotli at quality 5: most of quality 11's gain at a fraction of its time (a 1.6 MB bundle: 90 ms, not 7 s).
  return encoding === 'br'
    ? brotli(body, { params: { [zlib.constants.BROTLI_PARAM_QUALITY]: 5, [zlib.constants.BROTLI_PARAM_SIZE_HINT]: body.length } })
    : gzip(body, { level: 6 })
}
