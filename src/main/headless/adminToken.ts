import { randomBytes } from 'node:crypto'
import fs from 'node:fs'
import path from 'node:path'

/** Where the admin token came from: what `serve` may say about it without printing it. */
export type AdminTokenSource = { kind: 'flag' } | { kind: 'env' } | { kind: 'file'; path: string }

export interface AdminToken {
  token: string
  source: AdminTokenSource
}

/** --admin-token, else SWITCHYARD_ADMIN_TOKEN, else `<data-dir>/admin-token` (created with mode 0600). */
export function resolveAdminToken(dataDir: string, flag: string | undefined, env: NodeJS.ProcessEnv = process.env): AdminToken {
  if (flag) return { token: flag, source: { kind: 'flag' } }
  if (env.SWITCHYARD_ADMIN_TOKEN) return { token: env.SWITCHYARD_ADMIN_TOKEN, source: { kind: 'env' } }
  const file = path.join(dataDir, 'admin-token')
  try {
    const existing = fs.readFileSync(file, 'utf8').trim()
    if (existing) return { token: existing, source: { kind: 'file', path: file } }
  } catch {
    // not there yet
  }
  const token = randomBytes(24).toString('base64url')
  fs.writeFileSync(file, `${token}\n`, { mode: 0o600 })
  return { token, source: { kind: 'file', path: file } }
}
