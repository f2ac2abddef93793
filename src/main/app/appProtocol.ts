// The renderer is served from app://switchyard/ instead of file://: a standard, secure origin of
// its own (file:// pages share one origin with every file on disk and get extra privileges),
// with a CSP sent as a header that allows nothing but this origin. Only the built renderer
// folder is reachable; paths that climb out of it, dot files and anything but GET are refused.
import fs from 'node:fs'
import path from 'node:path'

export const APP_SCHEME = 'app'
export const APP_HOST = 'switchyard'
export const APP_ORIGIN = `${APP_SCHEME}://${APP_HOST}`
export const APP_INDEX_URL = `${APP_ORIGIN}/index.html`

/**
 * The desktop renderer's policy: stricter than the headless dashboard's (DASHBOARD_CSP), which
 * needs `connect-src 'self'` for its HTTP API; over IPC the page fetches nothing. naive-ui
 * injects its styles at run time, hence 'unsafe-inline' for styles (never for scripts).
 */
export const APP_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "font-src 'self' data:",
  "connect-src 'none'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ')

/** For protocol.registerSchemesAsPrivileged, before `ready`. */
export const APP_SCHEME_PRIVILEGES = {
  scheme: APP_SCHEME,
  privileges: { standard: true, secure: true, supportFetchAPI: true, codeCache: true },
} as const

const MIME: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.woff': 'font/woff',
  '.txt': 'text/plain; charset=utf-8',
}

export type AppRequest = { ok: true; file: string; contentType: string } | { ok: false; status: 400 | 403 | 404 | 405 }

/** Maps an app:// URL to a file under rendererDir, or the status to answer. */
export function resolveAppRequest(rawUrl: string, rendererDir: string, method = 'GET'): AppRequest {
  if (method !== 'GET' && method !== 'HEAD') return { ok: false, status: 405 }
  let url: URL
  try {
    url = new URL(rawUrl)
  } catch {
    return { ok: false, status: 400 }
  }
  if (url.protocol !== `${APP_SCHEME}:` || url.host !== APP_HOST) return { ok: false, status: 403 }
  let pathname: string
  try {
    pathname = decodeURIComponent(url.pathname)
  } catch {
    return { ok: false, status: 400 }
  }
  if (pathname.includes('\0') || pathname.includes('\\')) return { ok: false, status: 400 }
  const relative = pathname === '/' || pathname === '' ? 'index.html' : pathname.replace(/^\/+/, '')
  const root = path.resolve(rendererDir)
  const file = path.resolve(root, relative)
  if (file !== root && !file.startsWith(root + path.sep)) return { ok: false, status: 403 }
  if (path.relative(root, file).split(path.sep).some((part) => part.startsWith('.'))) return { ok: false, status: 403 }
  const contentType = MIME[path.extname(file).toLowerCase()]
  if (!contentType) return { ok: false, status: 404 }
  return { ok: true, file, contentType }
}

/** Headers of every app:// answer. */
export function appResponseHeaders(contentType?: string): Record<string, string> {
  return {
    ...(contentType ? { 'content-type': contentType } : {}),
    'content-security-policy': APP_CSP,
    'x-content-type-options': 'nosniff',
    'cross-origin-opener-policy': 'same-origin',
    'referrer-policy': 'no-referrer',
    'cache-control': 'no-cache',
  }
}

/** The protocol handler's body: a Response for a Request (protocol.handle gives a fetch Request). */
export async function appProtocolResponse(
  request: { url: string; method: string },
  rendererDir: string,
  readFile: (file: string) => Promise<Uint8Array> = (file) => fs.promises.readFile(file),
): Promise<Response> {
  const resolved = resolveAppRequest(request.url, rendererDir, request.method)
  if (!resolved.ok) return new Response(null, { status: resolved.status, headers: appResponseHeaders() })
  let body: Uint8Array
  try {
    body = await readFile(resolved.file)
  } catch {
    return new Response(null, { status: 404, headers: appResponseHeaders() })
  }
  return new Response(request.method === 'HEAD' ? null : (body as unknown as ConstructorParameters<typeof Response>[0]), { status: 200, headers: appResponseHeaders(resolved.contentType) })
}
