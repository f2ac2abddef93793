// The one wrapper every IPC operation goes through: sender check -> argument validation with
// the shared schema -> handler -> result envelope. Errors cross the process boundary as a code
// and a safe message, never as a stack or an Error object.
import type { IpcMain, IpcMainInvokeEvent } from 'electron'
import {
  api,
  apiEventNames,
  ipcChannel,
  ipcEventChannel,
  operationNames,
  type ApiEvents,
  type ApiHandlers,
  type ApiResult,
  type EventName,
  type OperationName,
  type ResultOf,
} from '../../shared/api'
import { ApiFailure } from '../gateway'
import type { EventHub } from '../gateway'
import type { Logger } from '../gateway'

/** Decides whether an IPC message comes from our own renderer (see senderPolicy.ts). */
export type SenderCheck = (event: IpcMainInvokeEvent) => boolean

export type IpcHandler<K extends OperationName> = (event: IpcMainInvokeEvent, rawArgs?: unknown) => Promise<ApiResult<ResultOf<K>>>

export function createIpcHandler<K extends OperationName>(
  name: K,
  handler: ApiHandlers[K],
  isTrustedSender: SenderCheck,
  logger?: Logger,
): IpcHandler<K> {
  return async (event, rawArgs) => {
    let trusted = false
    try {
      trusted = isTrustedSender(event)
    } catch {
      // a sender we cannot even inspect (destroyed frame) is not trusted
    }
    if (!trusted) {
      logger?.warn({ op: name, url: safeFrameUrl(event) }, 'ipc: rejected a message from a foreign sender')
      return failure('forbidden', 'this sender may not call the Switchyard API')
    }
    const parsed = api[name].args.safeParse(rawArgs)
    if (!parsed.success) {
      const message = parsed.error.issues.map((i) => `${i.path.join('.') || 'arguments'}: ${i.message}`).join('; ')
      return failure('invalid_argument', message)
    }
    try {
      const value = await (handler as (args: unknown) => Promise<ResultOf<K>>)(parsed.data)
      return { ok: true, value }
    } catch (err) {
      if (err instanceof ApiFailure) return failure(err.code, err.message)
      logger?.error({ op: name, err: (err as Error)?.message }, 'ipc: operation failed')
      return failure('internal', `${name} failed; see the Switchyard log for details`)
    }
  }
}

/** Registers every operation of api.ts; returns a function that removes them again. */
export function registerIpc(
  ipcMain: Pick<IpcMain, 'handle' | 'removeHandler'>,
  handlers: ApiHandlers,
  isTrustedSender: SenderCheck,
  logger?: Logger,
): () => void {
  for (const name of operationNames) {
    ipcMain.handle(ipcChannel(name), createIpcHandler(name, handlers[name], isTrustedSender, logger))
  }
  return () => operationNames.forEach((name) => ipcMain.removeHandler(ipcChannel(name)))
}

/** Relays gateway events to the window; `send` drops them when there is no live window. */
export function forwardEvents(
  events: Pick<EventHub, 'on'>,
  send: (channel: string, payload: ApiEvents[EventName]) => void,
  names: readonly EventName[] = apiEventNames,
): () => void {
  const offs = names.map((name) => events.on(name, (payload) => send(ipcEventChannel(name), payload)))
  return () => offs.forEach((off) => off())
}

function failure(code: string, message: string): { ok: false; error: { code: string; message: string } } {
  return { ok: false, error: { code, message } }
}

function safeFrameUrl(event: IpcMainInvokeEvent): string | undefined {
  try {
    return event.senderFrame?.url.slice(0, 200)
  } catch {
    return undefined
  }
}
