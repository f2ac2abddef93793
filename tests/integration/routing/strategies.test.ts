// Balancing strategies through the real gateway on loopback: which backend each request reaches,
// counted on the mock backends themselves.
import { describe, expect, it } from 'vitest'
import { postJson } from '../../helpers/http'
import type { MockBackend } from '../../helpers/mockBackend'
import { chat, completions, counts, gateway, mocks, sleep, useCleanup, vllmMetrics } from './harness'
import { until } from './loopback'

useCleanup()

function route(ms: MockBackend[], strategy: string, opts: { weights?: number[]; affinity?: boolean; model?: string; kind?: string } = {}) {
  return {
    providers: ms.map((m, i) => ({ id: `p${i}`, kind: opts.kind ?? 'vllm', baseUrl: m.baseUrl })),
    routes: [
      {
        model: 'local',
        strategy,
        affinity: opts.affinity ?? false,
        targets: ms.map((_, i) => ({ provider: `p${i}`, model: opts.model ?? 'qwen', ...(opts.weights ? { weight: opts.weights[i] } : {}) })),
      },
    ],
  }
}

async function send(url: string, n: number, body = chat('local'), headers: Record<string, string> = {}): Promise<string[]> {
  const providers: string[] = []
  for (let i = 0; i < n; i++) {
    const res = await postJson(url, '/v1/chat/completions', body, headers)
    expect(res.status).toBe(200)
    providers.push(res.headers['x-switchyard-provider'] as string)
  }
  return providers
}

describe('distribution', () => {
  it('round-robin spreads requests evenly over three backends', async () => {
    const ms = await mocks(3)
    const gw = await gateway(route(ms, 'round-robin'))
    const seen = await send(gw.url, 30)
    expect(counts(ms)).toEqual([10, 10, 10])
    // ...in rotation, not in runs.
    expect(seen.slice(0, 6)).toEqual(['p0', 'p1', 'p2', 'p0', 'p1', 'p2'])
  })

  it('weighted follows the target weights', async () => {
    const ms = await mocks(3)
    const gw = await gateway(route(ms, 'weighted', { weights: [1, 2, 3] }))
    await send(gw.url, 60)
    const [a, b, c] = counts(ms)
    expect(a).toBeGreaterThanOrEqual(8)
    expect(a).toBeLessThanOrEqual(12)
    expect(b).toBeGreaterThanOrEqual(18)
    expect(b).toBeLessThanOrEqual(22)
    expect(c).toBeGreaterThanOrEqual(28)
    expect(c).toBeLessThanOrEqual(32)
  })

  it('round-robin skips an unusable backend and shares its turns among the others', async () => {
    const ms = await mocks(3)
    ms[1]!.behavior.errorStatus = 500
    const gw = await gateway(route(ms, 'round-robin'))
    await send(gw.url, 30)
    // p1 fails three times in a row and is ejected (5 s); every request still succeeds elsewhere.
    expect(completions(ms[1]!)).toBe(3)
    expect(completions(ms[0]!) + completions(ms[2]!)).toBe(30)
    expect(Math.abs(completions(ms[0]!) - completions(ms[2]!))).toBeLessThanOrEqual(4)
  })
})

describe('more strategies', () => {
  it('a weight-0 target is a backup: never picked while another target is usable, used when it is not', async () => {
    const ms = await mocks(3)
    const gw = await gateway(route(ms, 'round-robin', { weights: [1, 1, 0] }))
    await send(gw.url, 10)
    expect(counts(ms)).toEqual([5, 5, 0])
    ms[0]!.behavior.errorStatus = 500
    ms[1]!.behavior.errorStatus = 500
    const seen = await send(gw.url, 2)
    expect(seen).toEqual(['p2', 'p2'])
  })

  it('least-latency learns which backend answers first and sends most requests there', async () => {
    const ms = await mocks(3)
    ms[0]!.behavior.headerDelayMs = 120
    ms[1]!.behavior.headerDelayMs = 5
    ms[2]!.behavior.headerDelayMs = 60
    const gw = await gateway(route(ms, 'least-latency'), { routing: { random: () => 0.5 } }) // no exploration draw
    await send(gw.url, 20)
    const [slow, quick, middle] = counts(ms)
    // Each unmeasured backend is tried once, then the fast one takes the rest.
    expect(slow).toBe(1)
    expect(middle).toBe(1)
    expect(quick).toBe(18)
  })

  it('lowest-cost prefers the cheapest priced target and fails over to the next cheapest', async () => {
    const ms = await mocks(3)
    const prices = [3, 0.2, 1]
    const gw = await gateway({
      providers: ms.map((m, i) => ({ id: `p${i}`, kind: 'openai-compatible', baseUrl: m.baseUrl, pricing: { qwen: { inputPerMTok: prices[i], outputPerMTok: prices[i] } } })),
      routes: [{ model: 'local', strategy: 'lowest-cost', targets: ms.map((_, i) => ({ provider: `p${i}`, model: 'qwen' })) }],
    })
    expect(await send(gw.url, 3)).toEqual(['p1', 'p1', 'p1'])
    ms[1]!.behavior.errorStatus = 500
    expect(await send(gw.url, 1)).toEqual(['p2'])
    expect(counts(ms)).toEqual([0, 4, 1])
  })

  it('affinity uses a consistent-hash ring: adding a backend (a config change) moves only the sessions it takes over', async () => {
    const ms = await mocks(4)
    const three = route(ms.slice(0, 3), 'round-robin', { affinity: true })
    const gw = await gateway(three)
    const sessions = Array.from({ length: 40 }, (_, i) => `conv-${i}`)
    const before = new Map<string, string>()
    for (const id of sessions) before.set(id, (await send(gw.url, 1, chat('local'), { 'x-switchyard-session': id }))[0]!)
    await gw.store.set(route(ms, 'round-robin', { affinity: true }))
    let moved = 0
    for (const id of sessions) {
      const now = (await send(gw.url, 1, chat('local'), { 'x-switchyard-session': id }))[0]!
      if (now !== before.get(id)) {
        moved++
        expect(now).toBe('p3') // a session only ever moves to the new backend
      }
    }
    expect(moved).toBeGreaterThan(0)
    expect(moved).toBeLessThanOrEqual(20) // ~1/4 expected; far from a reshuffle
  })
})

describe('reading the routing state does not change it', () => {
  it("the app API's resolveModel (the UI's 'where does this model go') does not advance round-robin or weighted picks", async () => {
    for (const strategy of ['round-robin', 'weighted']) {
      const ms = await mocks(2)
      const gw = await gateway(route(ms, strategy))
      const seen: string[] = []
      for (let i = 0; i < 6; i++) {
        seen.push(...(await send(gw.url, 1)))
        const view = await gw.gateway.api.resolveModel({ model: 'local' })
        expect(view).toMatchObject({ via: 'route', route: 'local', strategy })
      }
      expect(seen, strategy).toEqual(['p0', 'p1', 'p0', 'p1', 'p0', 'p1'])
    }
  })
})

describe('least-connections', () => {
  it('sends new requests to the backend with the fewest requests in flight', async () => {
    const ms = await mocks(3)
    ms[0]!.behavior.headerDelayMs = 600
    ms[1]!.behavior.headerDelayMs = 600
    const gw = await gateway(route(ms, 'least-connections'))
    // Two slow requests occupy p0 and p1...
    const slow1 = postJson(gw.url, '/v1/chat/completions', chat('local'))
    await until(() => completions(ms[0]!) === 1)
    const slow2 = postJson(gw.url, '/v1/chat/completions', chat('local'))
    await until(() => completions(ms[1]!) === 1)
    // ...so everything meanwhile goes to the idle p2.
    const fast = await send(gw.url, 8)
    expect(fast.every((p) => p === 'p2')).toBe(true)
    const [r1, r2] = await Promise.all([slow1, slow2])
    expect([r1.headers['x-switchyard-provider'], r2.headers['x-switchyard-provider']]).toEqual(['p0', 'p1'])
    expect(counts(ms)).toEqual([1, 1, 8])
    // Once they are done, the tie goes back to config order.
    expect(await send(gw.url, 1)).toEqual(['p0'])
  })

  it('under concurrent load a slow backend gets fewer requests', async () => {
    const ms = await mocks(3)
    ms[0]!.behavior.headerDelayMs = 250
    ms[1]!.behavior.headerDelayMs = 10
    ms[2]!.behavior.headerDelayMs = 10
    const gw = await gateway(route(ms, 'least-connections'))
    // 4 clients in parallel for one second (bounded: at most 200 requests each). The slow backend
    // is first in config order, so it wins every tie; it still gets far fewer requests.
    const stopAt = Date.now() + 1_000
    await Promise.all(
      Array.from({ length: 4 }, async () => {
        for (let i = 0; i < 200 && Date.now() < stopAt; i++) await send(gw.url, 1)
      }),
    )
    const [slow, f1, f2] = counts(ms)
    expect(slow).toBeGreaterThan(0)
    expect(slow! * 3).toBeLessThan(Math.min(f1!, f2!))
  })
})

describe('session affinity', () => {
  it('the same X-Switchyard-Session sticks to one backend; other sessions spread', async () => {
    const ms = await mocks(3)
    const gw = await gateway(route(ms, 'round-robin', { affinity: true }))
    const alpha = await send(gw.url, 9, chat('local'), { 'x-switchyard-session': 'alpha' })
    expect(new Set(alpha).size).toBe(1)
    // Round-robin would have rotated; the session key overrides it for every turn.
    const beta = await send(gw.url, 6, chat('local'), { 'x-switchyard-session': 'beta' })
    expect(new Set(beta).size).toBe(1)
    const spread = new Set<string>()
    for (let i = 0; i < 24; i++) spread.add((await send(gw.url, 1, chat('local'), { 'x-switchyard-session': `session-${i}` }))[0]!)
    expect(spread.size).toBeGreaterThanOrEqual(2)
    // Still sticky after all that traffic.
    expect(await send(gw.url, 3, chat('local'), { 'x-switchyard-session': 'alpha' })).toEqual([alpha[0], alpha[0], alpha[0]])
  })

  it('without a header, the conversation opening is the key: later turns of one conversation stick', async () => {
    const ms = await mocks(3)
    const gw = await gateway(route(ms, 'round-robin', { affinity: true }))
    const system = { role: 'system', content: 'You are a terse assistant.' }
    const first = { role: 'user', content: 'Name three prime numbers.' }
    const seen: string[] = []
    const messages: object[] = [system, first]
    for (let turn = 0; turn < 5; turn++) {
      seen.push(...(await send(gw.url, 1, { model: 'local', messages })))
      messages.push({ role: 'assistant', content: '2, 3, 5' }, { role: 'user', content: `and ${turn} more?` })
    }
    expect(new Set(seen).size).toBe(1)
  })

  it("a session's backend failing moves it to another one, and the answer still arrives", async () => {
    const ms = await mocks(3)
    const gw = await gateway(route(ms, 'round-robin', { affinity: true }))
    const [home] = await send(gw.url, 1, chat('local'), { 'x-switchyard-session': 'gamma' })
    const i = Number(home!.slice(1))
    ms[i]!.behavior.errorStatus = 500
    const moved = await send(gw.url, 4, chat('local'), { 'x-switchyard-session': 'gamma' })
    expect(moved.every((p) => p !== home)).toBe(true)
    expect(new Set(moved).size).toBe(1) // it moves to one place, not all over
  })
})

describe('least-load (backend-reported load; side channels on)', () => {
  const fast = { loadIntervalMs: 50, probeIntervalMs: 60_000, discoveryIntervalMs: 60_000 }

  it('picks the vLLM backend whose /metrics report the least work, and follows the metrics as they change', async () => {
    const ms = await mocks(3)
    const load = [
      { running: 12, waiting: 5, kv: 0.97 },
      { running: 1, waiting: 0, kv: 0.2 },
      { running: 6, waiting: 0, kv: 0.5 },
    ]
    ms.forEach((m, i) => (m.behavior.metrics = () => vllmMetrics('qwen', load[i]!)))
    const gw = await gateway(route(ms, 'least-load'), { sideChannels: true, routing: fast })
    await until(() => gw.gateway.router.status().every((s) => s.load?.kind === 'vllm'))
    expect(await send(gw.url, 5)).toEqual(['p1', 'p1', 'p1', 'p1', 'p1'])

    // p1 fills up; p2 drains.
    load[1] = { running: 20, waiting: 8, kv: 0.99 }
    load[2] = { running: 0, waiting: 0, kv: 0.05 }
    await until(() => gw.gateway.router.status().find((s) => s.providerId === 'p2')!.load?.kind === 'vllm' && (gw.gateway.router.status().find((s) => s.providerId === 'p2')!.load as { running: number }).running === 0)
    await until(() => (gw.gateway.router.status().find((s) => s.providerId === 'p1')!.load as { running: number }).running === 20)
    expect(await send(gw.url, 3)).toEqual(['p2', 'p2', 'p2'])
    expect(ms.every((m) => m.requests.some((r) => r.path === '/metrics'))).toBe(true)
  })

  it('a full KV cache counts against an otherwise equal backend', async () => {
    const ms = await mocks(2)
    ms[0]!.behavior.metrics = () => vllmMetrics('qwen', { running: 2, waiting: 0, kv: 0.98 })
    ms[1]!.behavior.metrics = () => vllmMetrics('qwen', { running: 2, waiting: 0, kv: 0.3 })
    const gw = await gateway(route(ms, 'least-load'), { sideChannels: true, routing: fast })
    await until(() => gw.gateway.router.status().every((s) => s.load?.kind === 'vllm'))
    expect(await send(gw.url, 3)).toEqual(['p1', 'p1', 'p1'])
  })

  it('prefers the Ollama instance that already has the model loaded (/api/ps)', async () => {
    const ms = await mocks(2, { flavor: 'ollama', models: ['llama3.2:latest'] })
    ms[1]!.behavior.loaded = ['llama3.2:latest']
    const gw = await gateway(route(ms, 'least-load', { kind: 'ollama', model: 'llama3.2:latest' }), { sideChannels: true, routing: fast })
    await until(() => gw.gateway.router.status().every((s) => s.load?.kind === 'ollama'))
    expect(await send(gw.url, 4)).toEqual(['p1', 'p1', 'p1', 'p1'])
    // The model is unloaded there and loaded on the other instance.
    ms[1]!.behavior.loaded = []
    ms[0]!.behavior.loaded = ['llama3.2:latest']
    const loadedOn = (id: string) => {
      const load = gw.gateway.router.status().find((s) => s.providerId === id)!.load
      return load?.kind === 'ollama' && load.loaded.length > 0
    }
    await until(() => loadedOn('p0') && !loadedOn('p1'))
    expect(await send(gw.url, 2)).toEqual(['p0', 'p0'])
    expect(ms.every((m) => m.requests.some((r) => r.path === '/api/ps'))).toBe(true)
  })

  it('falls back to least-connections for a backend that reports nothing', async () => {
    const ms = await mocks(2)
    ms[0]!.behavior.headerDelayMs = 500 // no /metrics on either: 404
    const gw = await gateway(route(ms, 'least-load'), { sideChannels: true, routing: fast })
    await sleep(150)
    const slow = postJson(gw.url, '/v1/chat/completions', chat('local'))
    await until(() => completions(ms[0]!) === 1)
    expect(await send(gw.url, 3)).toEqual(['p1', 'p1', 'p1'])
    expect((await slow).status).toBe(200)
  })
})
