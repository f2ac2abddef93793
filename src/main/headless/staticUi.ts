// Serves the built dashboard (out/renderer) at /ui/ in headless mode, with the same strict
// content security policy the Electron window uses.
import fs from 'node:fs/promises'
import path from 'node:path'
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

export function createStaticUi(uiDir: string) {
  const root = path.resolve(uiDir)
  return async function serve(ctx: RequestContext): Promise<boolean> {
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
    let body: Buffer
    try {
      body = await fs.readFile(file)
    } catch {
      sendOpenAIError(res, new GatewayError('not_found', relative === 'index.html' ? 'dashboard is not built; run `npm run build`' : 'not found'))
      return true
    }
    const ext = path.extname(file)
    res.writeHead(200, {
      'content-type': TYPES[ext] ?? 'application/octet-stream',
      'content-length': body.length,
      'cache-control': ext === '.html' ? 'no-store' : 'public, max-age=31536000, immutable',
      'content-security-policy': DASHBOARD_CSP,
      'x-content-type-options': 'nosniff',
      'referrer-policy': 'no-referrer',
    })
    res.end(req.method === 'HEAD' ? undefined : body)
    return true
  }
}
