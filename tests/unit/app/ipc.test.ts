import type { IpcMainInvokeEvent } from 'electron'
import { describe, expect, it, vi } from 'vitest'
import { ipcChannel, ipcEventChannel, operationNames, type ApiHandlers, type GatewayStatus } from '../../../src/shared/api'
import { ApiFailure } from '../../../src/main/gateway/api/handlers'
import { EventHub } from '../../../src/main/gateway/common/events'
import { createIpcHandler, forwardEvents, registerIpc } from '../../../src/main/app/ipc'
import { isTrustedSender, rendererTarget } from '../../../src/main/app/senderPolicy'

const status: GatewayStatus = { state: 'listening', url: 'http://127.0.0.1:7171', host: '127.0.0.1', port: 7171, version: '1', activeProvider: 'b' }
const target = rendererTarget({ isPackaged: true, rendererDir: '/opt/switchyard/out/renderer' })

/** A window with its webContents and main frame, and events as Electron would build them. */
function fakeWindow() {
  const webContents = { id: 1 }
  const window = { webContents, isDestroyed: () => false }
  const event = (over: { sender?: unknown; url?: string; parent?: unknown; frame?: null } = {}): IpcMainInvokeEvent =>
    ({
      sender: over.sender ?? webContents,
      senderFrame: over.frame === null ? null : { url: over.url ?? `${target.url}#/status`, parent: over.parent ?? null },
    }) as unknown as IpcMainInvokeEvent
  const check = (e: IpcMainInvokeEvent): boolean => isTrustedSender(e, window, target)
  return { window, event, check }
}

describe('createIpcHandler', () => {
  it('returns {ok:true, value} from the handler for a trusted sender and valid args', async () => {
    const { event, check } = fakeWindow()
    const handler = vi.fn(async ({ id }: { id: string }) => ({ ...status, activeProvider: id }))
    const ipc = createIpcHandler('setActiveProvider', handler, check)
    await expect(ipc(event(), { id: 'b' })).resolves.toEqual({ ok: true, value: { ...status, activeProvider: 'b' } })
    expect(handler).toHaveBeenCalledWith({ id: 'b' })
  })

  it('accepts no arguments for operations that take none', async () => {
    const { event, check } = fakeWindow()
    const ipc = createIpcHandler('getStatus', async () => status, check)
    await expect(ipc(event())).resolves.toEqual({ ok: true, value: status })
    await expect(ipc(event(), {})).resolves.toEqual({ ok: true, value: status })
  })

  it.each([
    ['another webContents', { sender: { id: 2 } }],
    ['a subframe of our window', { parent: { url: 'file:///x' } }],
    ['our frame showing a foreign page', { url: 'https://evil.example/' }],
    ['a file URL other than our renderer', { url: 'file:///tmp/evil.html' }],
    ['a frame already gone', { frame: null }],
  ])('rejects %s without calling the handler', async (_name, over) => {
    const { event, check } = fakeWindow()
    const handler = vi.fn(async () => status)
    const ipc = createIpcHandler('getStatus', handler, check)
    await expect(ipc(event(over as never))).resolves.toEqual({
      ok: false,
      error: { code: 'forbidden', message: 'this sender may not call the Switchyard API' },
    })
    expect(handler).not.toHaveBeenCalled()
  })

  it('rejects when no window exists or the check itself throws', async () => {
    const { event } = fakeWindow()
    const handler = vi.fn(async () => status)
    const noWindow = createIpcHandler('getStatus', handler, (e) => isTrustedSender(e, undefined, target))
    expect((await noWindow(event())).ok).toBe(false)
    const throwing = createIpcHandler('getStatus', handler, () => {
      throw new Error('Object has been destroyed')
    })
    expect(await throwing(event())).toMatchObject({ ok: false, error: { code: 'forbidden' } })
    expect(handler).not.toHaveBeenCalled()
  })

  it.each([
    ['missing', undefined],
    ['wrong type', { id: 42 }],
    ['empty id', { id: '' }],
    ['extra keys', { id: 'b', admin: true }],
    ['not an object', 'b'],
  ])('rejects bad arguments (%s) with invalid_argument', async (_name, args) => {
    const { event, check } = fakeWindow()
    const handler = vi.fn(async () => status)
    const result = await createIpcHandler('setActiveProvider', handler, check)(event(), args)
    expect(result).toMatchObject({ ok: false, error: { code: 'invalid_argument' } })
    expect(handler).not.toHaveBeenCalled()
  })

  it('rejects arguments to an operation that takes none', async () => {
    const { event, check } = fakeWindow()
    const result = await createIpcHandler('getStats', vi.fn(), check)(event(), { surprise: 1 })
    expect(result).toMatchObject({ ok: false, error: { code: 'invalid_argument' } })
  })

  it('maps an ApiFailure to its code and message', async () => {
    const { event, check } = fakeWindow()
    const ipc = createIpcHandler('setActiveProvider', async () => {
      throw new ApiFailure('not_found', 'no provider with id "zzz"')
    }, check)
    await expect(ipc(event(), { id: 'zzz' })).resolves.toEqual({ ok: false, error: { code: 'not_found', message: 'no provider with id "zzz"' } })
  })

  it('turns any other error into "internal" without leaking its message or stack', async () => {
    const { event, check } = fakeWindow()
    const logger = { error: vi.fn(), warn: vi.fn() }
    const secretish = new Error('ENOENT: /home/alice/.config/switchyard/config.json sk-live-123')
    const ipc = createIpcHandler('getConfig', async () => {
      throw secretish
    }, check, logger as never)
    const result = await ipc(event())
    expect(result).toEqual({ ok: false, error: { code: 'internal', message: 'getConfig failed; see the Switchyard log for details' } })
    const text = JSON.stringify(result)
    expect(text).not.toContain('ENOENT')
    expect(text).not.toContain('sk-live')
    expect(text).not.toContain('at ')
    expect(logger.error).toHaveBeenCalledTimes(1)
  })

  it('results are plain data that survive structured clone', async () => {
    const { event, check } = fakeWindow()
    const result = await createIpcHandler('getStatus', async () => status, check)(event())
    expect(structuredClone(result)).toEqual(result)
  })
})

describe('registerIpc', () => {
  it('registers one handler per operation on its channel and removes them again', async () => {
    const registered = new Map<string, (...args: unknown[]) => unknown>()
    const ipcMain = {
      handle: vi.fn((channel: string, fn: (...args: unknown[]) => unknown) => registered.set(channel, fn)),
      removeHandler: vi.fn((channel: string) => registered.delete(channel)),
    }
    const handlers = Object.fromEntries(operationNames.map((n) => [n, vi.fn(async () => n)])) as unknown as ApiHandlers
    const { event, check } = fakeWindow()
    const dispose = registerIpc(ipcMain as never, handlers, check)
    expect([...registered.keys()].sort()).toEqual(operationNames.map(ipcChannel).sort())
    await expect(registered.get(ipcChannel('getStats'))!(event(), undefined)).resolves.toEqual({ ok: true, value: 'getStats' })
    dispose()
    expect(registered.size).toBe(0)
  })
})

describe('forwardEvents', () => {
  it('relays gateway events on their IPC event channels until disposed', () => {
    const events = new EventHub()
    const sent: [string, unknown][] = []
    const dispose = forwardEvents(events, (channel, payload) => sent.push([channel, payload]))
    events.emit('status', status)
    dispose()
    events.emit('status', status)
    expect(sent).toEqual([[ipcEventChannel('status'), status]])
    expect(events.count('stats')).toBe(0)
  })
})
