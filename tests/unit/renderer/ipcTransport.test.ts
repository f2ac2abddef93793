import { reactive } from 'vue'
import { describe, expect, it, vi } from 'vitest'
import { operationNames, type PreloadBridge } from '../../../src/shared/api'
import { createIpcClient } from '../../../src/renderer/src/api/ipcTransport'
import { ApiClientError } from '../../../src/renderer/src/api/types'

function fakeBridge(answer: (name: string, args: unknown) => unknown) {
  const invoke = Object.fromEntries(
    operationNames.map((name) => [
      name,
      vi.fn(async (args?: unknown) => {
        // Like Electron IPC: arguments are structured-cloned, which rejects Proxies (Vue reactive objects).
        structuredClone(args)
        return answer(name, args)
      }),
    ]),
  )
  const on = vi.fn(() => () => undefined)
  return { invoke, on } as unknown as PreloadBridge & { on: ReturnType<typeof vi.fn> }
}

describe('createIpcClient', () => {
  it('unwraps ok envelopes', async () => {
    const client = createIpcClient(fakeBridge((name) => ({ ok: true, value: name })))
    await expect(client.getStatus()).resolves.toBe('getStatus')
    expect(client.transport).toBe('ipc')
  })

  it('throws coded errors for failure envelopes', async () => {
    const client = createIpcClient(fakeBridge(() => ({ ok: false, error: { code: 'not_found', message: 'no provider with id "x"' } })))
    const err = await client.setActiveProvider({ id: 'x' }).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(ApiClientError)
    expect(err).toMatchObject({ code: 'not_found', message: 'no provider with id "x"' })
  })

  it('sends plain copies of reactive arguments (structured clone would throw on a Proxy)', async () => {
    const bridge = fakeBridge((_n, args) => ({ ok: true, value: args }))
    const client = createIpcClient(bridge)
    await expect(client.setActiveProvider(reactive({ id: 'beta' }))).resolves.toEqual({ id: 'beta' })
  })

  it('delegates event subscriptions to the bridge', () => {
    const bridge = fakeBridge(() => ({ ok: true, value: null }))
    const listener = vi.fn()
    createIpcClient(bridge).on('stats', listener)
    expect(bridge.on).toHaveBeenCalledWith('stats', listener)
  })
})
