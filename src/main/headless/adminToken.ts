import { randomBytes } from 'node:crypto'
import fs from 'node:fs'
import path from 'node:path'

/** --admin-token, else SWITCHYARD_ADMIN_TOKEN, else `<data-dir>/admin-token` (created with mode 0600). */
export function resolveAdminToken(dataDir: string, flag: string | undefined, env: NodeJS.ProcessEnv = process.env): string {
  if (flag) return flag
  if (env.SWITCHYARD_ADMIN_TOKEN) return env.SWITCHYARD_ADMIN_TOKEN
  const file = path.join(dataDir, 'admin-token')
  try {
    const existing = fs.readFileSync(file, 'utf8').trim()
    if (existing) return existing
  } catch {
    // not there yet
  }
  const token = randomBytes(24).toString('base64url')
  fs.writeFileSync(file, `${token}\n`, { mode: 0o600 })
  return token
}
