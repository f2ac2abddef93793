// The API over the preload bridge (Electron): unwraps main's {ok, value} / {ok:false, error} envelopes.
import { operationNames, type ApiResult, type PreloadBridge } from '../../../shared/api'
import { ApiClientError, type UiClient } from './types'

export function createIpcClient(bridge: PreloadBridge): UiClient {
  const client: Record<string, unknown> = {
    transport: 'ipc',
    on: bridge.on.bind(bridge),
  }
  for (const name of operationNames) {
    client[name] = async (args?: unknown) => {
      // Vue hands out reactive proxies, which structured clone (IPC) refuses; arguments are JSON anyway.
      const plain = args === undefined ? undefined : (JSON.parse(JSON.stringify(args)) as unknown)
      const result = (await bridge.invoke[name](plain)) as ApiResult<unknown>
      if (result.ok) return result.value
      throw new ApiClientError(result.error.code, result.error.message)
    }
  }
  return client as unknown as UiClient
}
