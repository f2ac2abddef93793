import { describe, expect, it } from 'vitest'
import { BackendClient } from '../../../src/main/gateway/providers/backendClient'
import { LoadMonitor } from '../../../src/main/gateway/providers/loadMonitor'
import { cand, ctx, ids, VLLM_V0_METRICS, VLLM_V1_METRICS } from '../../unit/gateway/routing/fixtures'
import { leastLoad } from '../../../src/main/gateway/routing/leastLoad'
import { onCleanup, useCleanup } from '../../helpers/cleanup'
import { json, loopback, until } from './loopback'

useCleanup()

/** vLLM: /metrics at the server root in Prometheus text format. */
async function vllmMetrics(state: { text: string; status?: number }) {
  return loopback((req, res) => {
    if (req.url !== '/metrics') return json(res, 404, { detail: 'Not Found' })
    res.writeHead(state.status ?? 200, { 'content-type': 'text/plain; version=0.0.4; charset=utf-8' })
    res.end(state.text)
  })
}

function monitor(now: () => number, intervalMs = 60_000): LoadMonitor {
  const c = new BackendClient()
  const m = new LoadMonitor({ client: c, now, intervalMs })
  onCleanup(async () => {
    await m.close()
    await c.close()
  })
  return m
}

describe('LoadMonitor', () => {
  it('reads vLLM /metrics at the server root (both metric generations)', async () => {
    const v1 = await vllmMetrics({ text: VLLM_V1_METRICS })
    const v0 = await vllmMetrics({ text: VLLM_V0_METRICS })
    const m = monitor(() => 1_000)
    m.setTargets([
      { id: 'new', kind: 'vllm', baseUrl: `${v1.url}/v1`, headers: {} },
      { id: 'old', kind: 'vllm', baseUrl: `${v0.url}/v1`, headers: {} },
      { id: 'cloud', kind: 'openai-compatible', baseUrl: `${v0.url}/v1`, headers: {} },
    ])
    await m.refreshAll()
    expect(v1.requests.map((r) => r.path)).toContain('/metrics')
    expect(m.load('new', 'Qwen/Qwen2.5-7B-Instruct')).toEqual({ running: 5, waiting: 1, kvCacheUsage: 0.61 })
    expect(m.load('old', 'x')).toEqual({ running: 4, waiting: 7, kvCacheUsage: 0.973 })
    expect(m.load('cloud', 'x')).toBeUndefined()
    expect(m.snapshot('new')).toMatchObject({ kind: 'vllm', takenAt: 1_000, models: ['Qwen/Qwen2.5-7B-Instruct'] })
  })

  it('reads Ollama /api/ps: which models are loaded right now', async () => {
    const lb = await loopback((req, res) =>
      req.url === '/api/ps'
        ? json(res, 200, { models: [{ name: 'llama3.2:latest', model: 'llama3.2:latest', size: 3_825_819_519, digest: 'a80c', details: {}, expires_at: '2999-01-01T00:00:00Z', size_vram: 3_825_819_519 }] })
        : json(res, 404, { error: 'not found' }),
    )
    const m = monitor(() => Date.now())
    m.setTargets([{ id: 'o', kind: 'ollama', baseUrl: lb.url, headers: {} }])
    await m.refresh('o')
    expect(m.load('o', 'llama3.2')).toEqual({ modelLoaded: true })
    expect(m.load('o', 'qwen2.5:7b')).toEqual({ modelLoaded: false })
  })

  it('ignores stale snapshots and keeps the last one (until stale) when a read fails', async () => {
    let now = 0
    const state = { text: VLLM_V1_METRICS, status: 200 }
    const lb = await vllmMetrics(state)
    const m = new LoadMonitor({ now: () => now, intervalMs: 60_000, staleAfterMs: 3_000 })
    onCleanup(() => m.close())
    m.setTargets([{ id: 'v', kind: 'vllm', baseUrl: lb.url, headers: {} }])
    await m.refresh('v')
    now = 2_000
    state.status = 500
    await m.refresh('v')
    expect(m.load('v', 'm')).toMatchObject({ running: 5 })
    expect(m.statuses()[0]!.lastError).toMatchObject({ message: '/metrics answered 500', at: 2_000 })
    now = 3_001
    expect(m.load('v', 'm')).toBeUndefined()
  })

  it('refreshes on its interval and stops on close()', async () => {
    const lb = await vllmMetrics({ text: VLLM_V1_METRICS })
    const m = monitor(() => Date.now(), 20)
    m.setTargets([{ id: 'v', kind: 'vllm', baseUrl: lb.url, headers: {} }])
    await until(() => lb.requests.length >= 3)
    await m.close()
    const seen = lb.requests.length
    await new Promise((r) => setTimeout(r, 100))
    expect(lb.requests.length).toBe(seen)
  })

  it('drives least-load: the least busy vLLM, then the warm Ollama, then the cold one', async () => {
    const busy = await vllmMetrics({ text: 'vllm:num_requests_running{model_name="m"} 8\nvllm:num_requests_waiting{model_name="m"} 4\nvllm:kv_cache_usage_perc{model_name="m"} 0.9\n' })
    const idle = await vllmMetrics({ text: 'vllm:num_requests_running{model_name="m"} 1\nvllm:num_requests_waiting{model_name="m"} 0\nvllm:kv_cache_usage_perc{model_name="m"} 0.1\n' })
    const ps = (loaded: string[]) => loopback((_req, res) => json(res, 200, { models: loaded.map((name) => ({ name, model: name, expires_at: '2999-01-01T00:00:00Z', size_vram: 1 })) }))
    const warm = await ps(['m:latest'])
    const cold = await ps(['other:latest'])
    const m = monitor(() => Date.now())
    m.setTargets([
      { id: 'busy', kind: 'vllm', baseUrl: busy.url, headers: {} },
      { id: 'idle', kind: 'vllm', baseUrl: idle.url, headers: {} },
      { id: 'warm', kind: 'ollama', baseUrl: warm.url, headers: {} },
      { id: 'cold', kind: 'ollama', baseUrl: cold.url, headers: {} },
    ])
    await m.refreshAll()
    const list = [cand('cold'), cand('busy'), cand('warm'), cand('idle')]
    const context = { ...ctx({ inFlight: { warm: 3 } }), load: (id: string, model: string) => m.load(id, model) }
    // idle: (1+1) = 2; warm: 3 in flight -> 4; cold: 0 + 8 cold-load penalty -> 9; busy: 8 + 2×4 = 16 -> 17 × 1.5
    expect(ids(leastLoad(list, context))).toEqual(['idle', 'warm', 'cold', 'busy'])
  })
})
