// The llamacpp kind end to end, against a mock llama-server on loopback: it is identified by its
// own API, probed at /health (503 while loading = busy), its models and context per slot are
// discovered (/v1/models, /props), its load is read (/metrics when started with --metrics, else
// /slots), and a chat request goes through the gateway with exact usage in the ledger.
import { describe, expect, it } from 'vitest'
import { probeBackend } from '../../../src/main/gateway/health/probes'
import { discoverModelDetails, sideGet } from '../../../src/main/gateway/providers/discovery'
import { identifyServer } from '../../../src/main/gateway/providers/identify'
import { LoadMonitor } from '../../../src/main/gateway/providers/loadMonitor'
import { postJson, sseData } from '../../helpers/http'
import { chat, gateway, ledgerRow, mocks, onCleanup, useCleanup } from './harness'
import { backendClient, until } from './loopback'

useCleanup()

const MODEL = 'qwen2.5-7b-instruct-q4_k_m.gguf'

async function llamaServer() {
  const [m] = await mocks(1, { flavor: 'llamacpp', models: [MODEL] })
  return m!
}

describe('llamacpp provider kind against a llama-server on loopback', () => {
  it('is identified by /props, and configured at its /v1 base', async () => {
    const m = await llamaServer()
    const found = await identifyServer(m.url, sideGet(backendClient(), { headers: {} }, 1_000, 1024 * 1024))
    expect(found).toEqual({ kind: 'llamacpp', baseUrl: `${m.url}/v1` })
  })

  it('probe: GET /health at the server root; 503 while the model loads is busy, not down', async () => {
    const m = await llamaServer()
    const target = { id: 'l', kind: 'llamacpp' as const, baseUrl: m.url, headers: {} }
    expect(await probeBackend(backendClient(), target, 1_000)).toMatchObject({ ok: true, status: 200 })
    m.behavior.llamacpp!.loading = true
    expect(await probeBackend(backendClient(), target, 1_000)).toMatchObject({ ok: true, busy: true, status: 503 })
    expect(m.requests.filter((r) => r.method === 'GET').map((r) => r.path)).toEqual(['/health', '/health'])
  })

  it('discovery: the model from /v1/models with its context per slot from /props', async () => {
    const m = await llamaServer()
    m.behavior.llamacpp!.nCtx = 4096
    const details = await discoverModelDetails(backendClient(), { id: 'l', kind: 'llamacpp', baseUrl: `${m.url}/v1`, headers: {} }, 1_000)
    expect(details).toEqual({ models: [MODEL], contextLength: { [MODEL]: 4096 } })
  })

  it('load: busy slots from /slots without --metrics, processing and deferred from /metrics with it', async () => {
    const m = await llamaServer()
    const state = m.behavior.llamacpp!
    state.busy = 3
    const monitor = new LoadMonitor({ client: backendClient(), intervalMs: 60_000 })
    onCleanup(() => monitor.close())
    monitor.setTargets([{ id: 'l', kind: 'llamacpp', baseUrl: m.url, headers: {} }])
    await monitor.refresh('l')
    expect(monitor.snapshot('l')).toMatchObject({ kind: 'llamacpp', running: 3, waiting: 0, slots: 4 })
    expect(monitor.load('l', MODEL)).toEqual({ running: 3, waiting: 0, kvCacheUsage: undefined })
    // Restarted with --metrics: a new target (new memo) reads the queue too.
    state.metrics = true
    state.deferred = 5
    monitor.setTargets([{ id: 'l', kind: 'llamacpp', baseUrl: `${m.url}/v1`, headers: {} }])
    await monitor.refresh('l')
    expect(monitor.load('l', MODEL)).toMatchObject({ running: 3, waiting: 5 })
    const paths = m.requests.map((r) => r.path)
    expect(paths.filter((p) => p === '/slots')).toHaveLength(1)
    expect(paths.filter((p) => p === '/metrics')).toHaveLength(2)
  })

  it('through the gateway: probe, discovery and load on the side, a chat request (plain and streamed) with exact usage', async () => {
    const m = await llamaServer()
    m.usage = { prompt_tokens: 57, completion_tokens: 9 }
    m.behavior.llamacpp!.metrics = true
    m.behavior.llamacpp!.busy = 1
    const gw = await gateway(
      { providers: [{ id: 'gpu', kind: 'llamacpp', baseUrl: m.url }], routes: [{ model: 'local', targets: [{ provider: 'gpu', model: MODEL }] }] },
      { sideChannels: true, routing: { probeIntervalMs: 50, loadIntervalMs: 100, discoveryIntervalMs: 60_000 } },
    )
    await until(() => {
      const s = gw.gateway.router.status()[0]
      return s?.load?.kind === 'llamacpp' && s.health.lastProbe?.ok === true && (s.discovery?.discovered.length ?? 0) > 0
    })
    const status = gw.gateway.router.status()[0]!
    expect(status.load).toMatchObject({ kind: 'llamacpp', running: 1, waiting: 0 })
    expect(status.discovery).toMatchObject({ discovered: [MODEL], contextLength: { [MODEL]: 8192 } })
    expect(gw.gateway.router.catalog!.contextLength('gpu', MODEL)).toBe(8192)

    const plain = await postJson(gw.url, '/v1/chat/completions', chat('local'))
    expect(plain.status).toBe(200)
    expect(plain.headers['x-switchyard-provider']).toBe('gpu')
    expect(plain.json()).toMatchObject({ model: 'local', choices: [{ message: { content: 'Hello from the mock' } }], usage: { prompt_tokens: 57, completion_tokens: 9 } })
    expect(await ledgerRow(gw, plain.headers['x-request-id'] as string)).toMatchObject({ provider: 'gpu', upstreamModel: MODEL, promptTokens: 57, completionTokens: 9, estimated: false, costUsd: 0 })

    const streamed = await postJson(gw.url, '/v1/chat/completions', chat('local', { stream: true }))
    expect(streamed.status).toBe(200)
    const events = sseData(streamed.text)
    expect(events.at(-1)).toBe('[DONE]')
    // The usage chunk the gateway asked for is not shown to a client that did not ask.
    expect(events.some((e) => e.includes('"usage":{'))).toBe(false)
    expect(await ledgerRow(gw, streamed.headers['x-request-id'] as string)).toMatchObject({ promptTokens: 57, completionTokens: 9, estimated: false })

    const posted = m.requests.filter((r) => r.method === 'POST')
    expect(posted.map((r) => r.path)).toEqual(['/v1/chat/completions', '/v1/chat/completions'])
    expect(posted[0]!.body).toMatchObject({ model: MODEL })
    expect(posted[1]!.body).toMatchObject({ stream_options: { include_usage: true } })
    expect(m.requests.some((r) => r.path === '/health') && m.requests.some((r) => r.path === '/props') && m.requests.some((r) => r.path === '/metrics')).toBe(true)
  })
})
