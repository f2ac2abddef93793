// Every operation declared in src/shared/api.ts is reachable on every side: a main-process IPC
// registration, a preload method, and a web-bridge route — each exercised end to end. (The
// renderer's HTTP client is checked against the same api.ts routes in tests/unit/renderer and
// against the real gateway in tests/e2e.)
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import type { IpcMainInvokeEvent } from 'electron'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import {
  api,
  httpRequestFor,
  ipcChannel,
  operationNames,
  WEB_BRIDGE_PREFIX,
  type ApiHandlers,
  type ArgsOf,
  type OperationName,
  type StatsSnapshot,
} from '../../../src/shared/api'
import { ApiFailure } from '../../../src/main/gateway/api/handlers'
import { GatewayError } from '../../../src/main/gateway/common/errors'
import { EventHub } from '../../../src/main/gateway/common/events'
import { silentLogger } from '../../../src/main/gateway/common/log'
import { sendOpenAIError } from '../../../src/main/gateway/common/respond'
import { createWebBridge } from '../../../src/main/headless/webBridge'
import { registerIpc } from '../../../src/main/app/ipc'
import { buildBridge } from '../../../src/preload/bridge'

/** One valid call per operation; a new operation in api.ts does not compile until it is added here. */
const sampleArgs: { [K in OperationName]: ArgsOf<K> } = {
  getStatus: undefined,
  setPaused: { paused: true },
  getConfig: undefined,
  replaceConfig: { version: 1, providers: [] },
  listProviders: undefined,
  upsertProvider: { id: 'beta', provider: { id: 'beta', kind: 'vllm', baseUrl: 'http://127.0.0.1:8000/v1' } },
  removeProvider: { id: 'beta' },
  testProvider: { id: 'beta' },
  testProviderDraft: { id: 'draft', kind: 'ollama', baseUrl: 'http://127.0.0.1:11434' },
  discoverModels: { id: 'beta' },
  setActiveProvider: { id: 'beta' },
  resolveModel: { model: 'local' },
  getRouteInsights: undefined,
  getToolModels: undefined,
  getTeamStatus: undefined,
  getStats: undefined,
  getStatsHistory: undefined,
  getUsage: { from: '2026-11-01T00:00:00Z', groupBy: 'provider,day' },
  getTodayUsage: undefined,
  exportUsage: { format: 'csv', from: '2026-11-01T00:00:00Z' },
  listRequests: { limit: 20, status: 'errors', app: 'aider', cursor: '1700000000000.42' },
  getRequestFacets: undefined,
  listApps: undefined,
  createApp: { name: 'aider', rpm: 30, priority: 'high' },
  revokeApp: { name: 'aider' },
  getDiscovery: undefined,
  scanDiscovery: undefined,
  addDiscovered: { baseUrl: 'http://127.0.0.1:11434' },
  listTools: undefined,
  connectTool: { id: 'codex', model: 'qwen2.5-coder' },
  restoreTool: { id: 'codex' },
  getDesktopSettings: undefined,
  updateDesktopSettings: { notifications: true, updateChannel: 'beta' },
  getUpdateStatus: undefined,
  checkForUpdates: undefined,
  installUpdate: undefined,
}

/** Handlers that answer with their own name and the args they got, so each route is traceable. */
function recordingHandlers(): { handlers: ApiHandlers; calls: [string, unknown][] } {
  const calls: [string, unknown][] = []
  const handlers = Object.fromEntries(
    operationNames.map((name) => [
      name,
      async (args: unknown) => {
        calls.push([name, args])
        if (name === 'setActiveProvider' && (args as { id: string }).id === 'missing') throw new ApiFailure('not_found', 'no provider with id "missing"')
        if (api[name].http.file) return { filename: 'export.csv', contentType: 'text/csv', body: JSON.stringify({ op: name, args: args ?? null }) }
        return { op: name, args: args ?? null }
      },
    ]),
  ) as unknown as ApiHandlers
  return { handlers, calls }
}

const expectedResult = (name: OperationName) => {
  const recorded = { op: name, args: sampleArgs[name] ?? null }
  return api[name].http.file ? { filename: 'export.csv', contentType: 'text/csv', body: JSON.stringify(recorded) } : recorded
}

describe('IPC: a main registration and a preload method for every operation', () => {
  it('round-trips each operation from the preload bridge through the IPC wrapper to its handler', async () => {
    const registered = new Map<string, (event: IpcMainInvokeEvent, args: unknown) => Promise<unknown>>()
    const { handlers, calls } = recordingHandlers()
    registerIpc({ handle: (ch, fn) => registered.set(ch, fn as never), removeHandler: vi.fn() }, handlers, () => true)
    expect([...registered.keys()].sort()).toEqual(operationNames.map(ipcChannel).sort())

    // The preload's ipcRenderer: invoke reaches whatever main registered on that channel.
    const bridge = buildBridge({
      invoke: async (channel: string, args: unknown) => {
        const handler = registered.get(channel)
        if (!handler) throw new Error(`No handler registered for '${channel}'`)
        return handler({} as IpcMainInvokeEvent, structuredClone(args))
      },
      on: vi.fn(),
      removeListener: vi.fn(),
    } as never)
    expect(Object.keys(bridge.invoke).sort()).toEqual([...operationNames].sort())

    for (const name of operationNames) {
      await expect(bridge.invoke[name](sampleArgs[name])).resolves.toEqual({ ok: true, value: expectedResult(name) })
    }
    expect(calls.map(([name]) => name)).toEqual([...operationNames])
  })
})

describe('web bridge: a route for every operation', () => {
  const token = 'coverage-token'
  const events = new EventHub()
  const recorded = recordingHandlers()
  let server: http.Server
  let baseUrl: string

  /** Calls an operation the way api.ts declares its route: path params, query or JSON body. */
  async function call(name: OperationName, args: unknown, auth = `Bearer ${token}`): Promise<Response> {
    const request = httpRequestFor(name, args)
    const url = new URL(WEB_BRIDGE_PREFIX + request.path, baseUrl)
    for (const [key, value] of Object.entries(request.query)) url.searchParams.set(key, value)
    const init: RequestInit = { method: request.method, headers: { authorization: auth } }
    if (request.body !== undefined) {
      init.body = JSON.stringify(request.body)
      init.headers = { authorization: auth, 'content-type': 'application/json' }
    }
    return fetch(url, init)
  }

  beforeAll(async () => {
    const bridge = createWebBridge({ handlers: recorded.handlers, events, adminToken: token, logger: silentLogger() })
    server = http.createServer((req, res) => {
      const ctx = { req, res, requestId: 'test', path: new URL(req.url ?? '/', 'http://x').pathname, runtime: undefined as never }
      bridge(ctx).then(
        (handled) => handled || sendOpenAIError(res, new GatewayError('not_found', 'not a bridge path')),
        (err: unknown) => sendOpenAIError(res, err instanceof GatewayError ? err : new GatewayError('internal_error', 'boom')),
      )
    })
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  })
  afterAll(async () => {
    server.closeAllConnections()
    await new Promise((resolve) => server.close(resolve))
  })

  it('round-trips each operation over HTTP', async () => {
    recorded.calls.length = 0
    for (const name of operationNames) {
      const res = await call(name, sampleArgs[name])
      expect(res.status, name).toBe(200)
      if (api[name].http.file) {
        // Files go out raw, as a download; the client rebuilds the ExportFile from the headers.
        expect(res.headers.get('content-disposition')).toBe('attachment; filename="export.csv"')
        expect(await res.text()).toBe((expectedResult(name) as { body: string }).body)
      } else {
        expect(await res.json(), name).toEqual(expectedResult(name))
      }
    }
    expect(recorded.calls.map(([name]) => name)).toEqual([...operationNames])
  })

  it('refuses every operation without the admin token', async () => {
    for (const name of operationNames) expect((await call(name, sampleArgs[name], 'Bearer wrong')).status, name).toBe(401)
  })

  it('validates arguments with the same schema and maps failures to statuses', async () => {
    expect((await call('setActiveProvider', { id: '' })).status).toBe(400)
    expect((await call('setActiveProvider', { id: 'missing' })).status).toBe(404)
  })

  it('streams pushed events as named SSE events', async () => {
    const controller = new AbortController()
    const res = await fetch(`${baseUrl}${WEB_BRIDGE_PREFIX}/events`, { headers: { authorization: `Bearer ${token}` }, signal: controller.signal })
    expect(res.headers.get('content-type')).toBe('text/event-stream')
    await vi.waitFor(() => expect(events.count('stats')).toBe(1))
    const snapshot: StatsSnapshot = { at: 1, uptimeMs: 2, requestsTotal: 3, errorsTotal: 0, inFlight: 1, requestsPerSec: 0, tokensPerMin: 0, errorRate: 0, latencyMs: { p50: 0, p95: 0 }, providers: {} }
    events.emit('stats', snapshot)
    const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader()
    let text = ''
    while (!text.includes('\n\nevent: stats')) text += (await reader.read()).value ?? ''
    while (!text.endsWith('\n\n') || !text.includes('data: {')) text += (await reader.read()).value ?? ''
    expect(text).toContain(`event: stats\ndata: ${JSON.stringify(snapshot)}\n\n`)
    controller.abort()
    await vi.waitFor(() => expect(events.count('stats')).toBe(0))
  })
})
