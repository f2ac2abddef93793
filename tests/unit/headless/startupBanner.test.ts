// What `serve` prints on stdout: the `listening on` line always (a contract), the dashboard link
// with the admin token only to a terminal, else the URL and where the token is.
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { resolveAdminToken } from '../../../src/main/headless/adminToken'
import { startupBanner } from '../../../src/main/headless/startupBanner'

const url = 'http://127.0.0.1:7171'
const token = 'tok_9f8e7d6c5b4a'
const dashboardUrl = `${url}/ui/#token=${token}`

describe('startup banner', () => {
  it('prints the dashboard link with the token to a terminal', () => {
    expect(startupBanner({ url, dashboardUrl, adminTokenSource: { kind: 'flag' } }, true)).toBe(`listening on ${url}\ndashboard: ${dashboardUrl}\n`)
  })

  it('keeps the token off a redirected stdout and says where the token is instead', () => {
    const cases = [
      [{ kind: 'file', path: '/var/lib/switchyard/admin-token' }, 'in /var/lib/switchyard/admin-token'],
      [{ kind: 'flag' }, 'the --admin-token value'],
      [{ kind: 'env' }, 'the SWITCHYARD_ADMIN_TOKEN value'],
    ] as const
    for (const [adminTokenSource, where] of cases) {
      const out = startupBanner({ url, dashboardUrl, adminTokenSource }, false)
      expect(out).not.toContain(token)
      expect(out).not.toContain('#token=')
      expect(out.split('\n')[0]).toBe(`listening on ${url}`)
      expect(out).toBe(`listening on ${url}\ndashboard: ${url}/ui/ (admin token: ${where})\n`)
    }
  })
})

describe('admin token resolution', () => {
  const dirs: string[] = []
  afterEach(() => {
    for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true })
  })

  it('says where the token came from: flag, then environment, then the data-dir file', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sy-token-'))
    dirs.push(dir)
    expect(resolveAdminToken(dir, 'from-flag', { SWITCHYARD_ADMIN_TOKEN: 'from-env' })).toEqual({ token: 'from-flag', source: { kind: 'flag' } })
    expect(resolveAdminToken(dir, undefined, { SWITCHYARD_ADMIN_TOKEN: 'from-env' })).toEqual({ token: 'from-env', source: { kind: 'env' } })
    const generated = resolveAdminToken(dir, undefined, {})
    const file = path.join(dir, 'admin-token')
    expect(generated.source).toEqual({ kind: 'file', path: file })
    expect(fs.readFileSync(file, 'utf8').trim()).toBe(generated.token)
    expect(resolveAdminToken(dir, undefined, {})).toEqual(generated)
  })
})
