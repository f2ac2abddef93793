// The Router with the default strategy and the fixed least-load, on an injected clock.
import v8 from 'node:v8'
import vm from 'node:vm'
import { describe, expect, it } from 'vitest'
import type { AttemptRecord } from '../../../../src/main/gateway/common/attemptOutcome'
import { Router, type RequestPlan } from '../../../../src/main/gateway/routing/router'
import { resolveCandidates } from '../../../../src/main/gateway/routing/candidates'
import { buildRuntime } from '../../../../src/main/gateway/runtime/runtime'
import { seededRandom } from '../../../helpers/random'
import { config, literalSecrets } from './fixtures'

const words = (tag: string, tokens: number): string => `${tag} ${'word '.repeat(Math.ceil((tokens * 4) / 5))}`.slice(0, tokens * 4)

function rt(routes: unknown[], extra: Record<string, unknown> = {}) {
  return buildRuntime(
    config({
      providers: [
        { id: 'gpu-a', kind: 'vllm', baseUrl: 'http://127.0.0.1:8000/v1', models: ['qwen'] },
        { id: 'gpu-b', kind: 'vllm', baseUrl: 'http://127.0.0.1:8001/v1', models: ['qwen'] },
        { id: 'openai', kind: 'openai-compatible', baseUrl: 'https://api.openai.com/v1', models: ['gpt-4o-mini'] },
      ],
      routes,
      ...extra,
    }),
    literalSecrets,
  )
}

function setup(runtime: ReturnType<typeof rt>, opts: { manualLoads?: boolean } = {}) {
  let now = 1_000_000
  const inFlight: Record<string, number> = {}
  const router = new Router({ inFlight: (id) => inFlight[id] ?? 0, clock: () => now, random: seededRandom(3), sideChannels: false, manualLoads: opts.manualLoads })
  router.applyRuntime(runtime)
  const start = (plan: RequestPlan) => {
    const c = plan.next()!
    inFlight[c.providerId] = (inFlight[c.providerId] ?? 0) + 1
    const record: AttemptRecord = { providerId: c.providerId, model: c.upstreamModel, outcome: 'success', status: 200, latencyMs: 50, startedAt: now }
    return {
      c,
      firstByte: () => plan.commit(record),
      end: () => {
        plan.settle(record)
        inFlight[c.providerId]!--
      },
    }
  }
  return { router, start, advance: (ms: number) => (now += ms) }
}

const system = { role: 'system', content: words('agent', 7_000) }
function turn(name: string, n: number): Record<string, unknown> {
  const messages: unknown[] = [system, { role: 'user', content: `task ${name}` }]
  for (let i = 1; i < n; i++) messages.push({ role: 'assistant', content: words(`${name} a${i}`, 150) }, { role: 'user', content: words(`${name} t${i}`, 600) })
  return { model: 'local', messages }
}

describe('a route without a strategy (auto)', () => {
  const runtime = rt([{ model: 'local', targets: [{ provider: 'openai', model: 'gpt-4o-mini' }, { provider: 'gpu-a', model: 'qwen' }, { provider: 'gpu-b', model: 'qwen' }] }])

  it('parses to auto, tries local targets first and the cloud one after them', () => {
    expect(resolveCandidates(runtime, 'local').strategy).toBe('auto')
    const t = setup(runtime)
    const plan = t.router.plan(runtime, 'local', { body: turn('x', 1) })
    expect(plan.ordered.map((c) => c.providerId).slice(0, 2).sort()).toEqual(['gpu-a', 'gpu-b'])
    expect(plan.ordered.at(-1)!.providerId).toBe('openai')
  })

  it('keeps a conversation on the backend holding its prefix, and sends a second one to the idle backend', () => {
    const t = setup(runtime)
    const first = t.start(t.router.plan(runtime, 'local', { body: turn('x', 1) }))
    // While x is prefilling there, conversation y goes to the other GPU.
    const other = t.start(t.router.plan(runtime, 'local', { body: turn('y', 1) }))
    expect(other.c.providerId).not.toBe(first.c.providerId)
    t.advance(800)
    first.firstByte()
    other.firstByte()
    t.advance(3_000)
    first.end()
    other.end()
    for (let n = 2; n <= 5; n++) {
      t.advance(2_000)
      const next = t.start(t.router.plan(runtime, 'local', { body: turn('x', n) }))
      expect(next.c.providerId, `turn ${n}`).toBe(first.c.providerId)
      t.advance(200)
      next.firstByte()
      t.advance(2_000)
      next.end()
    }
    expect(t.router.tracker.pins().find((p) => p.conversation.startsWith('c:') && p.turns === 5)).toMatchObject({ providerId: first.c.providerId, moves: 0 })
  })

  it('moves a conversation when its backend is busy for longer than a fresh prefill elsewhere', () => {
    const t = setup(runtime)
    const x1 = t.start(t.router.plan(runtime, 'local', { body: turn('x', 1) }))
    t.advance(700)
    x1.firstByte()
    t.advance(1_000)
    x1.end()
    const home = x1.c.providerId
    // A little queue there is worth waiting for: x stays.
    const cold = (i: number) => ({ model: 'local', messages: [{ role: 'system', content: words(`other agent ${i}`, 7_000) }, { role: 'user', content: 'go' }] })
    t.router.plan(runtime, 'local', { body: cold(0) }).take(home)
    expect(t.router.plan(runtime, 'local', { body: turn('x', 2) }).ordered[0]!.providerId).toBe(home)
    // Seven more cold conversations pile onto x's backend (taken there by hand): several seconds of
    // prefill ahead, more than prefilling x's whole prompt on the idle GPU.
    for (let i = 1; i < 8; i++) expect(t.router.plan(runtime, 'local', { body: cold(i) }).take(home)?.providerId).toBe(home)
    expect(t.router.plan(runtime, 'local', { body: turn('x', 2) }).ordered[0]!.providerId).not.toBe(home)
  })
})

describe('least-load with fresh in-flight deltas', () => {
  const runtime = rt([{ model: 'local', strategy: 'least-load', targets: [{ provider: 'gpu-a', model: 'qwen' }, { provider: 'gpu-b', model: 'qwen' }] }])
  const metrics = (running: number, waiting = 0) =>
    [`vllm:num_requests_running{engine="0",model_name="qwen"} ${running}.0`, `vllm:num_requests_waiting{engine="0",model_name="qwen"} ${waiting}.0`, ''].join('\n')
  const idle = metrics(0)

  it('does not herd onto the backend a report showed idle: what it sent since counts at once', () => {
    const t = setup(runtime, { manualLoads: true })
    t.router.loads!.acceptMetrics('gpu-a', idle)
    t.router.loads!.acceptMetrics('gpu-b', idle)
    const picks = []
    for (let i = 0; i < 6; i++) picks.push(t.start(t.router.plan(runtime, 'local', { body: turn(`c${i}`, 1) })).c.providerId)
    expect(picks.filter((p) => p === 'gpu-a')).toHaveLength(3)
    expect(picks.filter((p) => p === 'gpu-b')).toHaveLength(3)
    // The report still says 0 running, but 3 of ours are there.
    expect(t.router.load('gpu-a', 'qwen')).toMatchObject({ running: 3, waiting: 0 })
  })

  it('forgets a queue the report caught once our requests there finished', () => {
    const t = setup(runtime, { manualLoads: true })
    const flights = [0, 1, 2].map(() => {
      const p = t.router.plan(runtime, 'local', { body: turn('z', 1) })
      return { plan: p, c: p.take('gpu-a')!, record: { providerId: 'gpu-a', model: 'qwen', outcome: 'success' as const, latencyMs: 1, startedAt: 0 } }
    })
    // The report was read while our three were there.
    t.router.loads!.acceptMetrics('gpu-a', metrics(3))
    t.router.loads!.acceptMetrics('gpu-b', metrics(1)) // someone else's request
    expect(t.router.plan(runtime, 'local', {}).ordered[0]!.providerId).toBe('gpu-b')
    for (const f of flights) f.plan.settle(f.record)
    // All three finished: gpu-a is empty now, gpu-b still has its one.
    expect(t.router.load('gpu-a', 'qwen')).toMatchObject({ running: 0 })
    expect(t.router.plan(runtime, 'local', {}).ordered[0]!.providerId).toBe('gpu-a')
  })

  it('reads backends as often as routing.loadIntervalMs says (stale after three intervals)', () => {
    const t = setup(rt([], { routing: { loadIntervalMs: 250 } }), { manualLoads: true })
    expect(t.router.loads!.staleAfterMs).toBe(750)
    t.router.applyRuntime(rt([]))
    expect(t.router.loads!.staleAfterMs).toBe(3_000)
  })
})

describe('attempts nobody reports on', () => {
  it('a plan dropped after take() ends its attempt once collected; a second take() ends the first', async () => {
    v8.setFlagsFromString('--expose-gc')
    const gc = vm.runInNewContext('gc') as () => void
    const runtime = rt([{ model: 'local', strategy: 'least-connections', targets: [{ provider: 'gpu-a', model: 'qwen' }, { provider: 'gpu-b', model: 'qwen' }] }])
    const t = setup(runtime)
    const plan = t.router.plan(runtime, 'local', {})
    plan.take('gpu-a')
    expect(t.router.tracker.inFlight('gpu-a')).toBe(1)
    plan.take('gpu-b') // failed over without a report on gpu-a
    expect(t.router.tracker.inFlight('gpu-a')).toBe(0)
    expect(t.router.tracker.inFlight('gpu-b')).toBe(1)
    ;(() => t.router.plan(runtime, 'local', {}).take('gpu-a'))()
    expect(t.router.tracker.inFlight('gpu-a')).toBe(1)
    for (let i = 0; i < 20 && t.router.tracker.inFlight('gpu-a') > 0; i++) {
      gc()
      await new Promise((r) => setTimeout(r, 10))
    }
    expect(t.router.tracker.inFlight('gpu-a')).toBe(0)
  })
})
