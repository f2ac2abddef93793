import path from 'node:path'
import { describe, expect, it } from 'vitest'
import {
  configFailure,
  dialogChoice,
  failureDialog,
  failureLine,
  gatewayFailure,
  isNativeLoadError,
  listenFailure,
  nativeFailure,
} from '../../../src/main/app/startupFailure'
import { createFailedGateway } from '../../../src/main/app/failedGateway'
import { defaultConfig, type Config } from '../../../src/shared/config'

const userData = path.resolve('/home/me/.config/Switchyard')
const ctx = { userData, logFile: path.join(userData, 'logs/switchyard.log'), isPackaged: true }
const db = path.join(userData, 'usage.db')

describe('start-up failures name the file and the fix', () => {
  it('config.json without access', () => {
    const f = configFailure(Object.assign(new Error("EACCES: permission denied, open '/x/config.json'"), { code: 'EACCES' }), ctx)
    expect(f).toMatchObject({ phase: 'config', file: path.join(userData, 'config.json') })
    expect(f.fix).toContain('read and write access')
    const other = configFailure(new Error('EISDIR: illegal operation on a directory'), ctx)
    expect(other.fix).toContain(`Move ${path.join(userData, 'config.json')} somewhere else`)
  })

  it('a damaged usage.db: move it aside (with -wal and -shm), the config is safe', () => {
    const f = gatewayFailure(Object.assign(new Error('file is not a database'), { code: 'SQLITE_NOTADB' }), ctx)
    expect(f).toMatchObject({ phase: 'gateway', file: db, summary: 'Switchyard cannot open its usage database' })
    expect(f.message).toBe(`${db} is damaged: file is not a database.`)
    expect(f.fix).toContain(`move ${db} (with usage.db-wal and usage.db-shm beside it)`)
  })

  it('an unwritable usage.db: permissions', () => {
    const f = gatewayFailure(Object.assign(new Error('attempt to write a readonly database'), { code: 'SQLITE_READONLY' }), ctx)
    expect(f.file).toBe(db)
    expect(f.fix).toContain(`read and write access to ${userData}`)
  })

  it('an addon that fails inside the gateway is reported as the native problem, with the reinstall fix when packaged', () => {
    const err = Object.assign(new Error('/opt/x/better_sqlite3.node: invalid ELF header'), { code: 'ERR_DLOPEN_FAILED' })
    expect(isNativeLoadError(err)).toBe(true)
    const f = gatewayFailure(err, { ...ctx, nativeFile: '/opt/x/better_sqlite3.node', abi: '146' })
    expect(f).toMatchObject({ phase: 'native', file: '/opt/x/better_sqlite3.node', fix: 'Reinstall Switchyard: this copy of the app is incomplete or damaged.' })
    expect(isNativeLoadError(new Error('ECONNREFUSED'))).toBe(false)
  })

  it('anything else points at the log', () => {
    const f = gatewayFailure(new TypeError('x is not a function'), ctx)
    expect(f).toMatchObject({ phase: 'gateway', file: ctx.logFile })
    expect(f.message).toBe('The gateway failed while starting: x is not a function.')
  })

  it('a port in use, a privileged port, an address not on this machine', () => {
    const inUse = listenFailure({ host: '127.0.0.1', port: 7171, error: 'cannot listen on 127.0.0.1:7171: listen EADDRINUSE: address already in use 127.0.0.1:7171' }, ctx)
    expect(inUse).toMatchObject({ phase: 'listen', file: path.join(userData, 'config.json'), summary: 'The gateway cannot listen on 127.0.0.1:7171' })
    expect(inUse.fix).toContain('uses port 7171')
    expect(listenFailure({ host: '127.0.0.1', port: 80, error: 'listen EACCES: permission denied' }, ctx).fix).toContain('above 1023')
    expect(listenFailure({ host: '10.9.9.9', port: 7171, error: 'listen EADDRNOTAVAIL' }, ctx).fix).toContain('10.9.9.9 is not an address of this machine')
  })

  it('the native problem carries the resolution through', () => {
    const f = nativeFailure({ ok: false, problem: 'missing', file: '/c/native/electron/linux-x64/better_sqlite3.node', message: 'M.', fix: 'Run `npm run native:electron`.' })
    expect(failureLine(f)).toBe('M. Run `npm run native:electron`.')
  })
})

describe('the dialog', () => {
  it('says what, which file, what to do, that the app keeps running, and where the log is; buttons map to actions', () => {
    const f = listenFailure({ host: '127.0.0.1', port: 7171, error: 'cannot listen on 127.0.0.1:7171: EADDRINUSE' }, ctx)
    const d = failureDialog(f, ctx.logFile)
    expect(d).toMatchObject({ type: 'error', message: f.summary, buttons: ['Open Dashboard', 'Show Log File', 'Close'], defaultId: 0, cancelId: 2 })
    expect(d.detail.split('\n')).toEqual([f.message, '', `File: ${f.file}`, '', `Fix: ${f.fix}`, '', `Switchyard keeps running in the tray. The log is ${ctx.logFile}.`])
    expect([0, 1, 2, 7, -1].map(dialogChoice)).toEqual(['open-dashboard', 'show-log', 'dismiss', 'dismiss', 'dismiss'])
  })
})

describe('the stand-in gateway (no gateway could be built)', () => {
  function store(initial: Config) {
    let config = initial
    const listeners = new Set<(c: Config) => void>()
    return {
      get: () => config,
      replace: async (next: Config) => {
        config = next
        listeners.forEach((l) => l(next))
      },
      subscribe: (l: (c: Config) => void) => (listeners.add(l), () => void listeners.delete(l)),
    }
  }
  const failure = nativeFailure({ ok: false, problem: 'missing', file: '/f.node', message: 'The module is missing.', fix: 'Run `npm run native:electron`.' })

  it('reports the error state with the fix, and repairs the config through the store', async () => {
    const s = store({ ...defaultConfig(), server: { ...defaultConfig().server, port: 9999 } })
    const gw = createFailedGateway({ failure, configStore: s, version: '1.0.0', dataDir: '/d' })
    expect(gw.status()).toMatchObject({ state: 'error', port: 9999, error: 'The module is missing. Run `npm run native:electron`.', version: '1.0.0' })
    const seen: string[] = []
    gw.events.on('status', (st) => seen.push(st.state))
    await gw.api.upsertProvider({ id: 'o', provider: { id: 'o', kind: 'ollama', baseUrl: 'http://127.0.0.1:11434' } as never })
    // The first provider added becomes the active one.
    expect(s.get().activeProvider).toBe('o')
    await gw.api.upsertProvider({ id: 'p', provider: { id: 'p', kind: 'ollama', baseUrl: 'http://127.0.0.1:11435' } as never })
    await gw.api.setActiveProvider({ id: 'p' })
    expect(s.get().activeProvider).toBe('p')
    expect((await gw.api.listProviders(undefined)).items.map((p) => p.id)).toEqual(['o', 'p'])
    expect(seen).toEqual(['error', 'error', 'error'])
  })

  it('answers reads of live data with empty results and refuses work that needs the gateway, saying why', async () => {
    const gw = createFailedGateway({ failure, configStore: store(defaultConfig()), version: '1', dataDir: '/d' })
    expect((await gw.api.getStats(undefined)).requestsTotal).toBe(0)
    expect(await gw.api.listRequests({})).toEqual({ items: [] })
    await expect(gw.api.testProvider({ id: 'x' })).rejects.toMatchObject({ code: 'conflict', message: expect.stringContaining('npm run native:electron') })
    await expect(gw.api.exportUsage({ format: 'csv' })).rejects.toMatchObject({ code: 'conflict' })
  })

  it('without a config store, config operations explain instead of pretending', async () => {
    const gw = createFailedGateway({ failure, version: '1', dataDir: '/d' })
    await expect(gw.api.getConfig(undefined)).rejects.toMatchObject({ code: 'conflict' })
    expect(gw.status().port).toBe(defaultConfig().server.port)
  })
})
