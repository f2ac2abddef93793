// Shared pieces of the end-to-end routing tests: mock backends behind a real gateway on loopback,
// chat bodies, completion-request counts per backend, the ledger row of a request, and a client
// that hangs up on purpose.
import http from 'node:http'
import type { RequestLogEntry } from '../../../src/shared/api'
import { onCleanup } from '../../helpers/cleanup'
import { startTestGateway, type TestGateway } from '../../helpers/gateway'
import { startMockBackend, type Flavor, type MockBackend } from '../../helpers/mockBackend'
import { sleep } from '../../helpers/wait'

/** useCleanup() registers the usual afterEach that closes every gateway and mock a test started. */
export { onCleanup, useCleanup } from '../../helpers/cleanup'
export { sleep }

export async function mocks(n: number, opts: { flavor?: Flavor; models?: string[] } = {}): Promise<MockBackend[]> {
  const out: MockBackend[] = []
  for (let i = 0; i < n; i++) {
    const m = await startMockBackend({ flavor: opts.flavor ?? 'vllm', name: `m${i}`, models: opts.models ?? ['qwen'] })
    onCleanup(() => m.close())
    out.push(m)
  }
  return out
}

export async function gateway(config: unknown, opts: Parameters<typeof startTestGateway>[1] = {}): Promise<TestGateway> {
  const gw = await startTestGateway(config, opts)
  onCleanup(() => gw.close())
  return gw
}

export const chat = (model: string, extra: object = {}): Record<string, unknown> => ({ model, messages: [{ role: 'user', content: 'hi' }], ...extra })

/** Completion requests a mock received (side-channel GETs excluded). */
export function completions(m: MockBackend): number {
  return m.requests.filter((r) => r.method === 'POST').length
}

export function counts(ms: MockBackend[]): number[] {
  return ms.map(completions)
}

/** The ledger row of a request, once the meter finished it and the batch was flushed. */
export async function ledgerRow(gw: TestGateway, requestId: string, timeoutMs = 3_000): Promise<RequestLogEntry> {
  let row: RequestLogEntry | undefined
  const find = async (): Promise<RequestLogEntry | undefined> => {
    gw.gateway.usage.ledger.flushAll()
    const { items } = await gw.gateway.api.listRequests({ limit: 100 })
    return items.find((r) => r.requestId === requestId && r.state !== 'in_flight')
  }
  const started = Date.now()
  while (!(row = await find())) {
    if (Date.now() - started > timeoutMs) throw new Error(`no finished ledger row for ${requestId}`)
    await sleep(20)
  }
  return row
}

/** Sends a request and destroys the connection after `afterMs`; resolves once it is gone. */
export function hangUpAfter(baseUrl: string, path: string, body: object, afterMs: number): Promise<{ requestId?: string }> {
  const url = new URL(path, baseUrl)
  const payload = Buffer.from(JSON.stringify(body))
  return new Promise((resolve) => {
    const seen: { requestId?: string } = {}
    const req = http.request(
      { host: url.hostname, port: url.port, path: url.pathname, method: 'POST', agent: false, headers: { 'content-type': 'application/json', 'content-length': String(payload.length) } },
      (res) => {
        seen.requestId = res.headers['x-request-id'] as string | undefined
        res.resume()
      },
    )
    req.on('error', () => undefined)
    req.on('close', () => resolve(seen))
    req.end(payload)
    setTimeout(() => req.destroy(), afterMs)
  })
}

/** A vLLM `/metrics` page with the scheduler gauges least-load reads. */
export function vllmMetrics(model: string, load: { running: number; waiting: number; kv: number }): string {
  return [
    '# HELP vllm:num_requests_running Number of requests in model execution batches.',
    '# TYPE vllm:num_requests_running gauge',
    `vllm:num_requests_running{engine="0",model_name="${model}"} ${load.running}.0`,
    '# HELP vllm:num_requests_waiting Number of requests waiting to be processed.',
    '# TYPE vllm:num_requests_waiting gauge',
    `vllm:num_requests_waiting{engine="0",model_name="${model}"} ${load.waiting}.0`,
    '# HELP vllm:kv_cache_usage_perc KV-cache usage. 1 means 100 percent usage.',
    '# TYPE vllm:kv_cache_usage_perc gauge',
    `vllm:kv_cache_usage_perc{engine="0",model_name="${model}"} ${load.kv}`,
    '',
  ].join('\n')
}
