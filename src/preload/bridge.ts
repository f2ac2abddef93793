// Builds what the preload exposes on `window.switchyard`: one invoke function per api.ts
// operation and a typed event subscription — never ipcRenderer itself, and never the IPC
// event object (it would hand the page a handle on the sender).
import type { IpcRenderer, IpcRendererEvent } from 'electron'
import type { PreloadBridge } from '../shared/api'
import { EVENT_NAMES as apiEventNames, ipcChannel, ipcEventChannel, OPERATION_NAMES as operationNames, type EventName } from '../shared/apiChannels'

export type IpcRendererLike = Pick<IpcRenderer, 'invoke' | 'on' | 'removeListener'>

export function buildBridge(ipc: IpcRendererLike): PreloadBridge {
  const invoke = Object.fromEntries(
    operationNames.map((name) => [name, (args?: unknown) => ipc.invoke(ipcChannel(name), args)]),
  ) as PreloadBridge['invoke']

  const on: PreloadBridge['on'] = (event, listener) => {
    if (!(apiEventNames as readonly string[]).includes(event)) throw new Error(`unknown Switchyard event "${String(event)}"`)
    if (typeof listener !== 'function') throw new TypeError('listener must be a function')
    const channel = ipcEventChannel(event as EventName)
    const relay = (_event: IpcRendererEvent, payload: unknown): void => listener(payload as Parameters<typeof listener>[0])
    ipc.on(channel, relay)
    return () => {
      ipc.removeListener(channel, relay)
    }
  }

  return Object.freeze({ invoke: Object.freeze(invoke), on })
}
