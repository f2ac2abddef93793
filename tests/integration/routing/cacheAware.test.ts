// The default route (no strategy: local targets cache-aware, cloud after them), least-load's
// corrected reports and the route insights, through the real gateway on loopback against mock
// vLLM / Ollama backends.
import { describe, expect, it } from 'vitest'
import { postJson } from '../../helpers/http'
import type { MockBackend } from '../../helpers/mockBackend'
import { completions, counts, gateway, mocks, sleep, useCleanup, vllmMetrics } from './harness'
import { until } from './loopback'

useCleanup()

const text = (tag: string, tokens: number): string => `${tag} ${'lorem ipsum '.repeat(Math.ceil(tokens / 3))}`.slice(0, tokens * 4)

/** The body of turn n of a conversation: the same opening, its answers and tool results so far. */
function turn(name: string, n: number, extra: Record<string, unknown> = {}): Record<string, unknown> {
  const messages: unknown[] = [{ role: 'system', content: text(`agent ${name}`, 4_000) }, { role: 'user', content: `task ${name}` }]
  for (let i = 1; i < n; i++) messages.push({ role: 'assistant', content: `Hello from the mock (${name} ${i})` }, { role: 'user', content: text(`${name} tool ${i}`, 500) })
  return { model: 'local', messages, ...extra }
}

async function ask(url: string, body: Record<string, unknown>, headers: Record<string, string> = {}): Promise<string> {
  const res = await postJson(url, '/v1/chat/completions', body, headers)
  expect(res.status).toBe(200)
  return res.headers['x-switchyard-provider'] as string
}

function defaultRoute(ms: MockBackend[], extra: { cloud?: MockBackend; kind?: string; model?: string } = {}) {
  const providers: Record<string, unknown>[] = ms.map((m, i) => ({ id: `gpu${i}`, kind: extra.kind ?? 'vllm', baseUrl: m.baseUrl }))
  const targets: Record<string, unknown>[] = ms.map((_, i) => ({ provider: `gpu${i}`, model: extra.model ?? 'qwen' }))
  if (extra.cloud) {
    // A cloud API in every respect that matters here, though it listens on loopback for the test.
    providers.push({ id: 'cloud', kind: 'openai-compatible', baseUrl: extra.cloud.baseUrl, local: false })
    targets.unshift({ provider: 'cloud', model: 'qwen' })
  }
  return { providers, routes: [{ model: 'local', targets }] }
}

describe('a route without a strategy', () => {
  it('keeps each conversation on one local backend and spreads conversations over them', async () => {
    const ms = await mocks(2)
    ms.forEach((m) => (m.behavior.headerDelayMs = 150))
    const gw = await gateway(defaultRoute(ms))
    // Two conversations start at once: they go to different GPUs...
    const session = { 'x-switchyard-session': 'agent-b' }
    const [a1, b1] = await Promise.all([ask(gw.url, turn('a', 1)), ask(gw.url, turn('b', 1), session)])
    expect(new Set([a1, b1]).size).toBe(2)
    // ...and every later turn of each goes where its prefix is cached, with (b) or without (a) a session header.
    for (let n = 2; n <= 5; n++) {
      expect(await ask(gw.url, turn('a', n))).toBe(a1)
      expect(await ask(gw.url, turn('b', n), session)).toBe(b1)
    }
    expect(counts(ms).sort()).toEqual([5, 5])
  })

  it('uses a cloud target only when no local one can serve', async () => {
    const [gpu0, gpu1, cloud] = await mocks(3, { flavor: 'openai' })
    const gw = await gateway(defaultRoute([gpu0!, gpu1!], { cloud }))
    for (let i = 0; i < 6; i++) expect(await ask(gw.url, turn(`c${i}`, 1))).toMatch(/^gpu/)
    expect(completions(cloud!)).toBe(0)
    gpu0!.behavior.errorStatus = 500
    gpu1!.behavior.errorStatus = 500
    expect(await ask(gw.url, turn('late', 1))).toBe('cloud')
    expect(completions(cloud!)).toBe(1)
  })

  it('prefers the Ollama instance that has the model loaded, for new conversations too', async () => {
    const ms = await mocks(2, { flavor: 'ollama', models: ['llama3.2:latest'] })
    ms[1]!.behavior.loaded = ['llama3.2:latest']
    const gw = await gateway({ ...defaultRoute(ms, { kind: 'ollama', model: 'llama3.2:latest' }), routing: { loadIntervalMs: 100 } }, { sideChannels: true, routing: { probeIntervalMs: 60_000, discoveryIntervalMs: 60_000 } })
    await until(() => gw.gateway.router.status().filter((s) => s.load?.kind === 'ollama').length === 2)
    for (let i = 0; i < 4; i++) expect(await ask(gw.url, turn(`o${i}`, 1))).toBe('gpu1')
  })

  it('prefers a vLLM server that is awake over one in sleep mode, read as often as routing.loadIntervalMs says', async () => {
    const ms = await mocks(2)
    const sleeping = (awake: boolean) => () => `${vllmMetrics('qwen', { running: 0, waiting: 0, kv: 0 })}vllm:engine_sleep_state{engine="0",model_name="qwen",sleep_state="awake"} ${awake ? 1 : 0}.0\n`
    ms[0]!.behavior.metrics = sleeping(false)
    ms[1]!.behavior.metrics = sleeping(true)
    const gw = await gateway({ ...defaultRoute(ms), routing: { loadIntervalMs: 100 } }, { sideChannels: true, routing: { probeIntervalMs: 60_000, discoveryIntervalMs: 60_000 } })
    const reads = () => ms[0]!.requests.filter((r) => r.path === '/metrics').length
    await until(() => reads() >= 1, 5_000, 'a first /metrics read')
    await sleep(800)
    expect(reads()).toBeGreaterThanOrEqual(4) // about every 100 ms, not every second (the default)
    for (let i = 0; i < 3; i++) expect(await ask(gw.url, turn(`s${i}`, 1))).toBe('gpu1')
  })
})

describe('least-load', () => {
  it('forgets a queue that a report caught once the requests in it finished (no herding onto the other backend)', async () => {
    const ms = await mocks(2)
    ms[0]!.behavior.headerDelayMs = 1_000 // long enough that the four are surely still running at the second read
    let reported = [0, 10] // gpu1 is busy with someone else's work
    ms.forEach((m, i) => (m.behavior.metrics = () => vllmMetrics('qwen', { running: reported[i]!, waiting: 0, kv: 0.1 })))
    const config = { providers: ms.map((m, i) => ({ id: `gpu${i}`, kind: 'vllm', baseUrl: m.baseUrl })), routes: [{ model: 'local', strategy: 'least-load', targets: ms.map((_, i) => ({ provider: `gpu${i}`, model: 'qwen' })) }], routing: { loadIntervalMs: 60_000 } }
    const gw = await gateway(config, { sideChannels: true, routing: { probeIntervalMs: 60_000, discoveryIntervalMs: 60_000 } })
    const loads = gw.gateway.router.loads!
    await Promise.all([loads.refresh('gpu0'), loads.refresh('gpu1')])
    // Four of ours go to gpu0 and are still running when its next report is read.
    const four = [0, 1, 2, 3].map((i) => ask(gw.url, turn(`q${i}`, 1)))
    await until(() => completions(ms[0]!) === 4)
    reported = [4, 1]
    await Promise.all([loads.refresh('gpu0'), loads.refresh('gpu1')])
    expect(await Promise.all(four)).toEqual(['gpu0', 'gpu0', 'gpu0', 'gpu0'])
    // That report still says 4 on gpu0 (the next read is a minute away), but all four are done.
    expect(gw.gateway.router.status().find((s) => s.providerId === 'gpu0')!.load).toMatchObject({ running: 4 })
    expect(await ask(gw.url, turn('next', 1))).toBe('gpu0')
  })
})

describe('route insights', () => {
  it('shows where each conversation is pinned and the cache hit the backends reported', async () => {
    const ms = await mocks(2)
    ms.forEach((m) => (m.usage = { prompt_tokens: 1_000, completion_tokens: 10, prompt_tokens_details: { cached_tokens: 800 } }))
    const gw = await gateway(defaultRoute(ms))
    const home = await ask(gw.url, turn('p', 1), { 'x-switchyard-session': 'agent-1' })
    for (let n = 2; n <= 3; n++) expect(await ask(gw.url, turn('p', n), { 'x-switchyard-session': 'agent-1' })).toBe(home)
    await ask(gw.url, { ...turn('p', 3), stream: true }, { 'x-switchyard-session': 'agent-1' })
    gw.gateway.usage.ledger.flushAll()
    const { items } = await gw.gateway.api.getRouteInsights(undefined)
    expect(items).toHaveLength(1)
    const [route] = items
    expect(route).toMatchObject({ route: 'local', strategy: 'auto', affinity: false })
    expect(route!.pins[0]).toMatchObject({ conversation: 'session agent-1', provider: home, upstreamModel: 'qwen', turns: 4, moves: 0 })
    const target = route!.targets.find((t) => t.provider === home)!
    expect(target).toMatchObject({ local: true, conversations: 1, requests: 4, requests24h: 4, promptTokens24h: 4_000, cachedTokens24h: 3_200, cacheHit24h: 0.8 })
    expect(target.expectedCacheHit).toBeGreaterThan(0.3)
    const other = route!.targets.find((t) => t.provider !== home)!
    expect(other).toMatchObject({ conversations: 0, requests: 0, requests24h: 0 })
    expect(other.cacheHit24h).toBeUndefined()
  })
})
