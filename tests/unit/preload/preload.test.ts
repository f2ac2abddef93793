import { beforeAll, describe, expect, it, vi } from 'vitest'
import { apiEventNames, ipcChannel, ipcEventChannel, operationNames, type PreloadBridge } from '../../../src/shared/api'

const electron = vi.hoisted(() => ({
  contextBridge: { exposeInMainWorld: vi.fn() },
  ipcRenderer: { invoke: vi.fn(async (channel: string, args: unknown) => ({ ok: true, value: { channel, args } })), on: vi.fn(), removeListener: vi.fn() },
}))
vi.mock('electron', () => electron)

let bridge: PreloadBridge

beforeAll(async () => {
  await import('../../../src/preload/index')
  expect(electron.contextBridge.exposeInMainWorld).toHaveBeenCalledTimes(1)
  const [key, value] = electron.contextBridge.exposeInMainWorld.mock.calls[0]!
  expect(key).toBe('switchyard')
  bridge = value as PreloadBridge
})

describe('preload bridge', () => {
  it('exposes exactly invoke + on, and one invoke function per api.ts operation', () => {
    expect(Object.keys(bridge).sort()).toEqual(['invoke', 'on'])
    expect(Object.keys(bridge.invoke).sort()).toEqual([...operationNames].sort())
    for (const name of operationNames) expect(typeof bridge.invoke[name]).toBe('function')
  })

  it('does not hand out ipcRenderer or anything else from electron', () => {
    const values = [...Object.values(bridge), ...Object.values(bridge.invoke)]
    expect(values).not.toContain(electron.ipcRenderer)
    expect(JSON.stringify(Object.keys(bridge))).not.toMatch(/ipc|send|require/i)
  })

  it('is frozen, so page scripts cannot swap an operation', () => {
    expect(Object.isFrozen(bridge)).toBe(true)
    expect(Object.isFrozen(bridge.invoke)).toBe(true)
  })

  it('invokes each operation on its own channel with the given args', async () => {
    for (const name of operationNames) {
      await expect(bridge.invoke[name]({ probe: name })).resolves.toEqual({ ok: true, value: { channel: ipcChannel(name), args: { probe: name } } })
    }
  })

  it('subscribes to events on their channels and passes only the payload, never the IPC event', () => {
    const listener = vi.fn()
    const off = bridge.on('stats', listener)
    const [channel, relay] = electron.ipcRenderer.on.mock.calls.at(-1)! as [string, (...args: unknown[]) => void]
    expect(channel).toBe(ipcEventChannel('stats'))
    const ipcEvent = { sender: electron.ipcRenderer, senderId: 0 }
    relay(ipcEvent, { requestsTotal: 5 })
    expect(listener).toHaveBeenCalledWith({ requestsTotal: 5 })
    expect(listener.mock.calls[0]).toHaveLength(1)
    off()
    expect(electron.ipcRenderer.removeListener).toHaveBeenCalledWith(ipcEventChannel('stats'), relay)
  })

  it('accepts every declared event and refuses others', () => {
    for (const event of apiEventNames) expect(() => bridge.on(event, () => undefined)()).not.toThrow()
    expect(() => bridge.on('__proto__' as never, () => undefined)).toThrow(/unknown Switchyard event/)
    expect(() => bridge.on('stats', 'not a function' as never)).toThrow(TypeError)
  })
})
