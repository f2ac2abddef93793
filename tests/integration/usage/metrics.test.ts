// GET /metrics after real traffic: Prometheus text from prom-client with the documented series
// (switchyard_requests_total, _tokens_total, _request_duration_seconds, _ttft_seconds,
// _queue_depth, _upstream_up) holding the right numbers; no token needed on loopback.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startMockBackend, type MockBackend } from '../../helpers/mockBackend'
import { startTestGateway, type TestGateway } from '../../helpers/gateway'
import { postJson, request } from '../../helpers/http'
import { ledgerRow } from './usageHelpers'

interface Sample {
  name: string
  labels: Record<string, string>
  value: number
}

function parseExposition(text: string): Sample[] {
  const samples: Sample[] = []
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue
    const m = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line)
    if (!m) throw new Error(`not an exposition line: ${line}`)
    const labels: Record<string, string> = {}
    for (const [, k, v] of (m[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)) labels[k!] = v!
    samples.push({ name: m[1]!, labels, value: Number(m[3]) })
  }
  return samples
}

function value(samples: Sample[], name: string, labels: Record<string, string>): number | undefined {
  return samples.find((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v))?.value
}

describe('/metrics', () => {
  let vllm: MockBackend
  let slow: MockBackend
  let gw: TestGateway

  beforeAll(async () => {
    vllm = await startMockBackend({ flavor: 'openai', name: 'fast', models: ['gpt-4o-mini'] })
    slow = await startMockBackend({ flavor: 'vllm', name: 'slow', models: ['qwen2.5-7b'] })
    gw = await startTestGateway({
      providers: [
        { id: 'fast', kind: 'openai-compatible', baseUrl: vllm.baseUrl, models: ['gpt-4o-mini'], apiKey: 'k' },
        { id: 'slow', kind: 'vllm', baseUrl: slow.baseUrl, models: ['qwen2.5-7b'], limits: { maxConcurrent: 1 } },
        { id: 'down', kind: 'vllm', baseUrl: 'http://127.0.0.1:9/v1', models: ['down-model'] },
      ],
    })
  })
  afterAll(async () => {
    await gw?.close()
    await Promise.all([vllm?.close(), slow?.close()])
  })

  const scrape = async (): Promise<{ text: string; samples: Sample[]; contentType: string }> => {
    const res = await request(gw.url, { path: '/metrics' }) // no token
    expect(res.status).toBe(200)
    return { text: res.text, samples: parseExposition(res.text), contentType: String(res.headers['content-type']) }
  }

  it('needs no token on loopback and is Prometheus text', async () => {
    const { contentType, text } = await scrape()
    expect(contentType).toMatch(/^text\/plain; version=0\.0\.4/)
    for (const name of ['requests_total', 'tokens_total', 'request_duration_seconds', 'ttft_seconds', 'queue_depth', 'upstream_up']) {
      expect(text).toContain(`# TYPE switchyard_${name} `)
    }
  })

  it('counts requests by provider/app/status and tokens by kind, exactly', async () => {
    vllm.usage = { prompt_tokens: 100, completion_tokens: 20, prompt_tokens_details: { cached_tokens: 64 }, completion_tokens_details: { reasoning_tokens: 5 } }
    const n = 3
    for (let i = 0; i < n; i++) {
      const res = await postJson(gw.url, '/v1/chat/completions', { model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }], stream: i === 0 }, { 'x-switchyard-app': 'metrics-app' })
      expect(res.status).toBe(200)
      await ledgerRow(gw.gateway, res.headers['x-request-id']) // metered (metrics are observed with the row)
    }
    const bad = await postJson(gw.url, '/v1/chat/completions', { model: 'down-model', messages: [] }, { 'x-switchyard-app': 'metrics-app' })
    expect(bad.status).toBe(502)
    await ledgerRow(gw.gateway, bad.headers['x-request-id'])

    const { samples } = await scrape()
    expect(value(samples, 'switchyard_requests_total', { provider: 'fast', app: 'metrics-app', status: '200' })).toBe(n)
    expect(value(samples, 'switchyard_requests_total', { provider: 'down', app: 'metrics-app', status: '502' })).toBe(1)
    const tokens = (kind: string) => value(samples, 'switchyard_tokens_total', { provider: 'fast', app: 'metrics-app', kind })
    expect(tokens('prompt')).toBe(100 * n)
    expect(tokens('completion')).toBe(20 * n)
    expect(tokens('cached')).toBe(64 * n)
    expect(tokens('reasoning')).toBe(5 * n)
    expect(value(samples, 'switchyard_tokens_total', { provider: 'down', app: 'metrics-app', kind: 'prompt' })).toBeUndefined()
    expect(value(samples, 'switchyard_request_duration_seconds_count', { provider: 'fast' })).toBe(n)
    expect(value(samples, 'switchyard_request_duration_seconds_bucket', { provider: 'fast', le: '+Inf' })).toBe(n)
    expect(value(samples, 'switchyard_request_duration_seconds_sum', { provider: 'fast' })).toBeGreaterThan(0)
    expect(value(samples, 'switchyard_ttft_seconds_count', { provider: 'fast' })).toBe(n)
    // Buckets are cumulative and end at the count.
    const buckets = samples.filter((s) => s.name === 'switchyard_ttft_seconds_bucket' && s.labels.provider === 'fast').map((s) => s.value)
    expect(buckets).toEqual([...buckets].sort((a, b) => a - b))
    expect(buckets.at(-1)).toBe(n)
  })

  it('queue_depth shows requests waiting for admission, per provider', async () => {
    slow.behavior.headerDelayMs = 800
    const body = { model: 'qwen2.5-7b', messages: [{ role: 'user', content: 'hi' }] }
    const first = postJson(gw.url, '/v1/chat/completions', body)
    await new Promise((r) => setTimeout(r, 100))
    const second = postJson(gw.url, '/v1/chat/completions', body) // waits: maxConcurrent 1
    let depth: number | undefined
    for (let i = 0; i < 40 && depth !== 1; i++) {
      depth = value((await scrape()).samples, 'switchyard_queue_depth', { provider: 'slow' })
      if (depth !== 1) await new Promise((r) => setTimeout(r, 20))
    }
    expect(depth).toBe(1)
    expect((await first).status).toBe(200)
    expect((await second).status).toBe(200)
    expect(value((await scrape()).samples, 'switchyard_queue_depth', { provider: 'slow' })).toBe(0)
  })

  it('upstream_up is 1 for healthy providers and 0 once a provider\'s circuit opens', async () => {
    for (let i = 0; i < 3; i++) await postJson(gw.url, '/v1/chat/completions', { model: 'down-model', messages: [] })
    const { samples } = await scrape()
    expect(value(samples, 'switchyard_upstream_up', { provider: 'fast' })).toBe(1)
    expect(value(samples, 'switchyard_upstream_up', { provider: 'slow' })).toBe(1)
    expect(value(samples, 'switchyard_upstream_up', { provider: 'down' })).toBe(0)
  })

  it('a provider removed from config leaves the gauges', async () => {
    const config = gw.store.get()
    await gw.store.set({ ...config, providers: config.providers.filter((p) => p.id !== 'down') })
    const { samples } = await scrape()
    expect(value(samples, 'switchyard_upstream_up', { provider: 'down' })).toBeUndefined()
    expect(value(samples, 'switchyard_queue_depth', { provider: 'down' })).toBeUndefined()
    expect(value(samples, 'switchyard_upstream_up', { provider: 'fast' })).toBe(1)
  })
})
