import { describe, expect, it } from 'vitest'
import { HealthRegistry } from '../../../src/main/gateway/health/healthRegistry'
import { ProbeScheduler } from '../../../src/main/gateway/health/probeScheduler'
import { probeBackend } from '../../../src/main/gateway/health/probes'
import type { BackendTarget } from '../../../src/main/gateway/providers/backendTarget'
import { onCleanup, useCleanup } from '../../helpers/cleanup'
import { backendClient, json, loopback, refusedPort, until } from './loopback'

useCleanup()

/** A vLLM server: /health at the root (200, empty body); the API under /v1. */
async function vllm(state: { healthy: boolean; delayMs?: number }) {
  return loopback((req, res) => {
    if (req.url !== '/health') return json(res, 404, { detail: 'Not Found' })
    const answer = () => {
      res.writeHead(state.healthy ? 200 : 500, { 'content-length': '0' })
      res.end()
    }
    if (state.delayMs) setTimeout(answer, state.delayMs)
    else answer()
  })
}

describe('active probes against loopback backends', () => {
  it('vllm: GET /health at the server root (not under /v1) — up', async () => {
    const lb = await vllm({ healthy: true })
    const report = await probeBackend(backendClient(), { id: 'v', kind: 'vllm', baseUrl: `${lb.url}/v1`, headers: {} }, 1_000)
    expect(report).toMatchObject({ ok: true, status: 200 })
    expect(report!.latencyMs).toBeGreaterThanOrEqual(0)
    expect(lb.requests.map((r) => `${r.method} ${r.path}`)).toEqual(['GET /health'])
  })

  it('down: refused connection and 5xx both fail', async () => {
    const port = await refusedPort()
    const refused = await probeBackend(backendClient(), { id: 'v', kind: 'vllm', baseUrl: `http://127.0.0.1:${port}/v1`, headers: {} }, 1_000)
    expect(refused).toMatchObject({ ok: false, error: 'connection refused' })
    const lb = await vllm({ healthy: false })
    expect(await probeBackend(backendClient(), { id: 'v', kind: 'vllm', baseUrl: lb.url, headers: {} }, 1_000)).toMatchObject({ ok: false, status: 500 })
  })

  it('slow: a probe that outlives its timeout fails as a timeout, on time', async () => {
    const lb = await vllm({ healthy: true, delayMs: 2_000 })
    const started = Date.now()
    const report = await probeBackend(backendClient(), { id: 'v', kind: 'vllm', baseUrl: lb.url, headers: {} }, 200)
    expect(report).toMatchObject({ ok: false })
    expect(report!.error).toMatch(/^timeout/)
    expect(Date.now() - started).toBeLessThan(1_000)
  })

  it('ollama: GET /api/version; openai-compatible: GET {base}/models with the key; anthropic: none', async () => {
    const lb = await loopback((req, res) => {
      if (req.url === '/api/version') return json(res, 200, { version: '0.5.7' })
      if (req.url === '/v1/models') return req.headers.authorization === 'Bearer sk-good' ? json(res, 200, { data: [] }) : json(res, 401, { error: { message: 'bad key' } })
      json(res, 404, {})
    })
    const c = backendClient()
    expect(await probeBackend(c, { id: 'o', kind: 'ollama', baseUrl: lb.url, headers: {} }, 1_000)).toMatchObject({ ok: true })
    const oa: BackendTarget = { id: 'oa', kind: 'openai-compatible', baseUrl: `${lb.url}/v1`, headers: { authorization: 'Bearer sk-good' } }
    expect(await probeBackend(c, oa, 1_000)).toMatchObject({ ok: true, status: 200 })
    expect(await probeBackend(c, { ...oa, headers: { authorization: 'Bearer sk-bad' } }, 1_000)).toMatchObject({ ok: false, status: 401, error: 'key rejected (401)' })
    const before = lb.requests.length
    expect(await probeBackend(c, { id: 'an', kind: 'anthropic', baseUrl: lb.url, headers: {} }, 1_000)).toBeUndefined()
    expect(lb.requests.length).toBe(before)
    expect(lb.requests.every((r) => r.method === 'GET')).toBe(true)
  })
})

describe('ProbeScheduler', () => {
  it('opens the circuit of a dead backend and closes it early when probes succeed again', async () => {
    const state = { healthy: false }
    const lb = await vllm(state)
    const health = new HealthRegistry()
    const scheduler = new ProbeScheduler({ health, client: backendClient(), intervalMs: 20, timeoutMs: 500 })
    onCleanup(() => scheduler.close())
    scheduler.setTargets([{ id: 'v', kind: 'vllm', baseUrl: `${lb.url}/v1`, headers: {} }])
    await until(() => health.snapshot(['v'])[0]!.state === 'open')
    expect(health.isAvailable('v')).toBe(false)
    state.healthy = true
    await until(() => health.snapshot(['v'])[0]!.state === 'closed')
    expect(health.snapshot(['v'])[0]).toMatchObject({ available: true, lastProbe: { ok: true, status: 200 } })
  })

  it('probes only probe-able kinds, stops probing removed targets, and close() stops everything', async () => {
    const a = await vllm({ healthy: true })
    const b = await vllm({ healthy: true })
    const seen: string[] = []
    const scheduler = new ProbeScheduler({ health: new HealthRegistry(), client: backendClient(), intervalMs: 20, onProbe: (id) => seen.push(id) })
    scheduler.setTargets([
      { id: 'a', kind: 'vllm', baseUrl: a.url, headers: {} },
      { id: 'b', kind: 'vllm', baseUrl: b.url, headers: {} },
      { id: 'c', kind: 'anthropic', baseUrl: b.url, headers: {} },
    ])
    await until(() => a.requests.length >= 2 && b.requests.length >= 2)
    expect(seen).not.toContain('c')
    scheduler.setTargets([{ id: 'a', kind: 'vllm', baseUrl: a.url, headers: {} }])
    await new Promise((r) => setTimeout(r, 30)) // a probe of b already in flight may still land
    const bCount = b.requests.length
    await until(() => a.requests.length >= bCount + 3)
    expect(b.requests.length).toBe(bCount)
    await scheduler.close()
    const aCount = a.requests.length
    await new Promise((r) => setTimeout(r, 100))
    expect(a.requests.length).toBe(aCount)
  })

  it('probeNow() probes on demand and records the result', async () => {
    const lb = await vllm({ healthy: true })
    const health = new HealthRegistry()
    const scheduler = new ProbeScheduler({ health, client: backendClient(), intervalMs: 60_000 })
    onCleanup(() => scheduler.close())
    scheduler.setTargets([{ id: 'v', kind: 'vllm', baseUrl: lb.url, headers: {} }])
    expect(await scheduler.probeNow('v')).toMatchObject({ ok: true })
    expect(health.snapshot(['v'])[0]!.lastProbe).toMatchObject({ ok: true, status: 200 })
  })
})
