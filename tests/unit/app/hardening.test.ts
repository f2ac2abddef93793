// Production hardening that does not need a running Electron: the application menu, the app://
// protocol and its CSP, the AppUserModelId, the quit watchdog, session end and notifications.
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { EventEmitter } from 'node:events'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { applicationMenuTemplate, menuRoles } from '../../../src/main/app/appMenu'
import { APP_CSP, APP_INDEX_URL, APP_SCHEME_PRIVILEGES, appProtocolResponse, resolveAppRequest } from '../../../src/main/app/appProtocol'
import { appUserModelId, APP_ID } from '../../../src/main/app/appIdentity'
import { createNotificationKeeper, createQuitWatchdog, handleSessionEnd, QUIT_WATCHDOG_MS, sessionEndPlan } from '../../../src/main/app/lifecycle'
import { watchWindowsSessionEnd } from '../../../src/main/app/sessionGuard'
import { DASHBOARD_CSP } from '../../../src/main/headless/staticUi'

vi.mock('electron', () => import('./fakeElectron'))

const DEV_ROLES = ['toggleDevTools', 'reload', 'forceReload']

describe('application menu', () => {
  it('packaged: no DevTools, reload or View anywhere, on any platform', () => {
    for (const platform of ['darwin', 'win32', 'linux'] as const) {
      const template = applicationMenuTemplate({ platform, isPackaged: true, appName: 'Switchyard' })
      expect(menuRoles(template).filter((r) => DEV_ROLES.includes(r)), platform).toEqual([])
      expect((template ?? []).map((m) => m.label)).not.toContain('View')
    }
    expect(applicationMenuTemplate({ platform: 'win32', isPackaged: true, appName: 'S' })).toBeNull()
    expect(applicationMenuTemplate({ platform: 'linux', isPackaged: true, appName: 'S' })).toBeNull()
  })

  it('macOS keeps its app, Edit (copy/paste/undo in text fields) and Window menus', () => {
    const template = applicationMenuTemplate({ platform: 'darwin', isPackaged: true, appName: 'Switchyard' })!
    expect(template.map((m) => m.label)).toEqual(['Switchyard', 'Edit', 'Window'])
    expect(menuRoles([template[1]!])).toEqual(['undo', 'redo', 'cut', 'copy', 'paste', 'pasteAndMatchStyle', 'delete', 'selectAll'])
    expect(menuRoles([template[0]!])).toContain('quit')
  })

  it('development runs get View with DevTools', () => {
    for (const platform of ['darwin', 'win32', 'linux'] as const) {
      expect(menuRoles(applicationMenuTemplate({ platform, isPackaged: false, appName: 'S' }))).toEqual(expect.arrayContaining(DEV_ROLES))
    }
  })
})

describe('app:// protocol', () => {
  let dir: string
  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'switchyard-renderer-'))
    fs.mkdirSync(path.join(dir, 'assets'))
    fs.writeFileSync(path.join(dir, 'index.html'), '<!doctype html><script type="module" src="./assets/index.js"></script>')
    fs.writeFileSync(path.join(dir, 'assets/index.js'), 'export {}')
    fs.writeFileSync(path.join(dir, '.env'), 'SECRET=1')
    fs.writeFileSync(path.join(path.dirname(dir), 'outside.js'), 'no')
  })
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }))

  it('serves the renderer with the right types and the CSP header', async () => {
    const page = await appProtocolResponse({ url: APP_INDEX_URL, method: 'GET' }, dir)
    expect(page.status).toBe(200)
    expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8')
    expect(page.headers.get('content-security-policy')).toBe(APP_CSP)
    expect(page.headers.get('x-content-type-options')).toBe('nosniff')
    expect(await page.text()).toContain('<script type="module"')
    const script = await appProtocolResponse({ url: 'app://switchyard/assets/index.js', method: 'GET' }, dir)
    expect(script.headers.get('content-type')).toBe('text/javascript; charset=utf-8') // ES modules refuse other types
    expect((await appProtocolResponse({ url: 'app://switchyard/', method: 'GET' }, dir)).status).toBe(200)
  })

  it('refuses other hosts, climbing out, encoded tricks, dot files, unknown types and other methods', () => {
    const statusOf = (url: string, method = 'GET') => {
      const r = resolveAppRequest(url, dir, method)
      return r.ok ? 200 : r.status
    }
    expect(statusOf('app://evil/index.html')).toBe(403)
    // The URL parser folds %2e%2e segments: what is left stays inside the renderer folder.
    expect(resolveAppRequest('app://switchyard/%2e%2e/outside.js', dir)).toMatchObject({ ok: true, file: path.join(dir, 'outside.js') })
    expect(statusOf('app://switchyard/..%2Foutside.js')).toBe(403)
    expect(statusOf('app://switchyard/assets%5C..%5C..%5Coutside.js')).toBe(400)
    expect(statusOf('app://switchyard/a%00.js')).toBe(400)
    expect(statusOf('app://switchyard/%E0%A4%A')).toBe(400)
    expect(statusOf('app://switchyard/.env')).toBe(403)
    expect(statusOf('app://switchyard/index.exe')).toBe(404)
    expect(statusOf('app://switchyard/index.html', 'POST')).toBe(405)
    expect(statusOf('file:///etc/passwd')).toBe(403)
  })

  it('a missing file is a 404 with the same headers', async () => {
    const res = await appProtocolResponse({ url: 'app://switchyard/assets/nope.js', method: 'GET' }, dir)
    expect(res.status).toBe(404)
    expect(res.headers.get('content-security-policy')).toBe(APP_CSP)
  })

  it('the scheme is standard and secure (ES modules, CSP self), and the policy is stricter than the web dashboard’s', () => {
    expect(APP_SCHEME_PRIVILEGES).toMatchObject({ scheme: 'app', privileges: { standard: true, secure: true } })
    const directives = (p: string) => new Map(p.split(';').map((d) => d.trim().split(/\s+/)).map(([k, ...v]) => [k!, v.join(' ')]))
    const app = directives(APP_CSP)
    const web = directives(DASHBOARD_CSP)
    expect(app.get('default-src')).toBe("'none'")
    expect(app.get('connect-src')).toBe("'none'") // IPC needs no network
    expect(app.get('script-src')).toBe("'self'")
    for (const [key, value] of app) {
      if (value === "'none'") continue
      expect(web.get(key) ?? web.get('default-src'), key).toBe(value) // nothing allowed that the web dashboard forbids
    }
  })
})

describe('identity', () => {
  it('the AppUserModelId is the appId when packaged and the executable in development', () => {
    expect(appUserModelId(true, 'C:\\e\\electron.exe')).toBe(APP_ID)
    expect(appUserModelId(false, 'C:\\e\\electron.exe')).toBe('C:\\e\\electron.exe')
  })
})

describe('quit watchdog', () => {
  it('exits when the graceful stop hangs past the gateway grace period, and not when it finishes', () => {
    vi.useFakeTimers()
    try {
      const onExpire = vi.fn()
      const dog = createQuitWatchdog({ onExpire })
      dog.arm()
      dog.arm() // idempotent
      vi.advanceTimersByTime(QUIT_WATCHDOG_MS - 1)
      expect(onExpire).not.toHaveBeenCalled()
      vi.advanceTimersByTime(1)
      expect(onExpire).toHaveBeenCalledTimes(1)
      const calm = vi.fn()
      const other = createQuitWatchdog({ onExpire: calm, timeoutMs: 100 })
      other.arm()
      other.disarm()
      vi.advanceTimersByTime(1000)
      expect(calm).not.toHaveBeenCalled()
      expect(QUIT_WATCHDOG_MS).toBeGreaterThan(10_000) // beyond the 10 s drain
    } finally {
      vi.useRealTimers()
    }
  })
})

describe('session end', () => {
  const deps = () => {
    const calls: string[] = []
    return {
      calls,
      deps: {
        flushNow: () => void calls.push('flush'),
        allowClose: () => void calls.push('allowClose'),
        beginShutdown: () => void calls.push('shutdown'),
        quit: () => void calls.push('quit'),
      },
    }
  }

  it('Windows log-off: let windows close, flush synchronously first, then stop gracefully as far as it gets', () => {
    for (const kind of ['query-session-end', 'session-end'] as const) {
      const { calls, deps: d } = deps()
      const event = { preventDefault: vi.fn() }
      handleSessionEnd(kind, event, d)
      expect(calls).toEqual(['allowClose', 'flush', 'shutdown'])
      expect(event.preventDefault).not.toHaveBeenCalled() // never hold the user's log-off
    }
  })

  it('macOS/Linux shutdown: flush, ask the OS to wait, quit (which drains)', () => {
    const { calls, deps: d } = deps()
    const event = { preventDefault: vi.fn() }
    handleSessionEnd('shutdown', event, d)
    expect(calls).toEqual(['allowClose', 'flush', 'quit'])
    expect(event.preventDefault).toHaveBeenCalledTimes(1)
    expect(sessionEndPlan('shutdown').beginShutdown).toBe(false)
  })

  it('a failing flush does not stop the rest', () => {
    const { calls, deps: d } = deps()
    handleSessionEnd('session-end', undefined, { ...d, flushNow: () => { throw new Error('disk gone') } })
    expect(calls).toEqual(['allowClose', 'shutdown'])
  })

  it('the Windows guard window hears both messages and is destroyed on dispose', () => {
    const win = Object.assign(new EventEmitter(), { destroyed: false, destroy() { this.destroyed = true }, isDestroyed() { return this.destroyed } })
    const seen: string[] = []
    const stop = watchWindowsSessionEnd((kind) => void seen.push(kind), () => win)
    win.emit('query-session-end', {})
    win.emit('session-end', {})
    expect(seen).toEqual(['query-session-end', 'session-end'])
    stop()
    expect(win.destroyed).toBe(true)
  })
})

describe('notification keeper', () => {
  it('holds each notification until it is clicked, closed or failed', () => {
    const keeper = createNotificationKeeper<EventEmitter & { show(): void }>()
    const make = () => Object.assign(new EventEmitter(), { show: vi.fn() })
    const [a, b, c] = [make(), make(), make()]
    for (const n of [a, b, c]) keeper.show(n)
    expect(a.show).toHaveBeenCalledTimes(1)
    expect(keeper.size).toBe(3)
    a.emit('click')
    b.emit('close')
    expect(keeper.size).toBe(1)
    c.emit('failed')
    expect(keeper.size).toBe(0)
  })
})
