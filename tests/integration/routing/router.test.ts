import { describe, expect, it } from 'vitest'
import { Router } from '../../../src/main/gateway/routing/router'
import { buildRuntime } from '../../../src/main/gateway/runtime/runtime'
import { config, literalSecrets } from '../../unit/gateway/routing/fixtures'
import { onCleanup, useCleanup } from '../../helpers/cleanup'
import { json, loopback, until, type Loopback } from './loopback'

useCleanup()

/** A vLLM server on loopback: /health and /metrics at the root, /v1/models under /v1. */
async function vllm(model: string, load: { running: number; waiting: number; kv: number }): Promise<Loopback> {
  return loopback((req, res) => {
    if (req.url === '/health') {
      res.writeHead(200, { 'content-length': '0' })
      return res.end()
    }
    if (req.url === '/metrics') {
      res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' })
      return res.end(
        [
          '# HELP vllm:num_requests_running Number of requests in model execution batches.',
          '# TYPE vllm:num_requests_running gauge',
          `vllm:num_requests_running{engine="0",model_name="${model}"} ${load.running}.0`,
          '# TYPE vllm:num_requests_waiting gauge',
          `vllm:num_requests_waiting{engine="0",model_name="${model}"} ${load.waiting}.0`,
          '# TYPE vllm:kv_cache_usage_perc gauge',
          `vllm:kv_cache_usage_perc{engine="0",model_name="${model}"} ${load.kv}`,
          '',
        ].join('\n'),
      )
    }
    if (req.url === '/v1/models') return json(res, 200, { object: 'list', data: [{ id: model, object: 'model' }] })
    json(res, 404, { detail: 'Not Found' })
  })
}

describe('Router with live side channels', () => {
  it('discovers models, reads load and probes health from loopback vLLM servers; close() stops it all', async () => {
    const busy = await vllm('qwen', { running: 12, waiting: 5, kv: 0.97 })
    const idle = await vllm('qwen', { running: 1, waiting: 0, kv: 0.2 })
    const rt = buildRuntime(
      config({
        providers: [
          { id: 'busy', kind: 'vllm', baseUrl: `${busy.url}/v1` },
          { id: 'idle', kind: 'vllm', baseUrl: `${idle.url}/v1` },
        ],
        routes: [{ model: 'local', strategy: 'least-load', targets: [{ provider: 'busy', model: 'qwen' }, { provider: 'idle', model: 'qwen' }] }],
      }),
      literalSecrets,
    )
    const changed: string[] = []
    const router = new Router({ inFlight: () => 0, probeIntervalMs: 50, loadIntervalMs: 50, discoveryIntervalMs: 60_000, onModelsChanged: (id) => changed.push(id) })
    let closed = false
    onCleanup(async () => {
      if (!closed) await router.close()
    })
    router.applyRuntime(rt)

    await until(() => router.status().every((s) => s.load !== undefined && s.discovery?.fetchedAt !== undefined && s.health.lastProbe !== undefined))
    expect(router.plan(rt, 'local').ordered.map((c) => c.providerId)).toEqual(['idle', 'busy'])
    // Models only the backends know about are routable.
    expect(router.plan(rt, 'qwen').ordered.map((c) => c.providerId).sort()).toEqual(['busy', 'idle'])
    expect(changed.sort()).toEqual(['busy', 'idle'])
    const status = router.status().find((s) => s.providerId === 'busy')!
    expect(status).toMatchObject({ health: { state: 'closed', lastProbe: { ok: true, status: 200 } }, load: { kind: 'vllm', running: 12, waiting: 5, kvCacheUsage: 0.97 }, discovery: { discovered: ['qwen'] } })
    expect(new Set(busy.requests.map((r) => r.path))).toEqual(new Set(['/health', '/metrics', '/v1/models']))

    await router.close()
    closed = true
    const seen = busy.requests.length + idle.requests.length
    await new Promise((r) => setTimeout(r, 150))
    expect(busy.requests.length + idle.requests.length).toBe(seen)
  })
})
