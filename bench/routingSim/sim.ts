// One simulated run: agent sessions against vLLM-like backends on a simulated clock, routed by
// Switchyard's real Router (the same RequestPlan calls the pipeline makes: plan, next, commit at
// the first token, settle at the end; /metrics pages fed through the real LoadMonitor parser every
// scrape interval), or by a reference policy: `pinned` (session i on backend i mod N) and
// `oracle` (each request where a copy of each backend says its first token comes soonest).
//
// Every loop is bounded: events per run, simulated time, and wall-clock time.
import type { Strategy } from '../../src/shared/config'
import { parseConfig } from '../../src/shared/config'
import { Router, type RequestPlan } from '../../src/main/gateway/routing/router'
import type { Candidate } from '../../src/main/gateway/routing/candidates'
import { buildRuntime } from '../../src/main/gateway/runtime/runtime'
import { blockKeysOf, SimBackend, type BackendSpec, type SimRequest } from './backend'
import { buildWorkload, seededRandom, type Segment, type SessionScript, type WorkloadOptions } from './workload'

export type Policy =
  | { kind: 'router'; name: string; strategy?: Strategy; affinity?: boolean; affinityLoadFactor?: number }
  | { kind: 'pinned'; name: string }
  | { kind: 'oracle'; name: string }

export interface Scenario {
  name: string
  backends: BackendSpec[]
  /** Send X-Switchyard-Session with every request. */
  sessionHeader: boolean
  workload: WorkloadOptions
  /** How often the router's LoadMonitor gets a fresh /metrics page from each backend. */
  scrapeMs: number
}

export interface RunResult {
  policy: string
  scenario: string
  seed: number
  requests: number
  meanTtftMs: number
  p95TtftMs: number
  /** Prompt tokens served from the backends' prefix caches / all prompt tokens. */
  cacheHit: number
  /** Routing decision per request (Router.plan + next: resolve, health, order, dispatch bookkeeping), µs; 0 for reference policies. */
  decisionMedianUs: number
  decisionP99Us: number
  perBackend: number[]
  /** Turns that went to another backend than the turn before. */
  moves: number
  makespanMs: number
}

const MAX_EVENTS = 2_000_000
const MAX_SIM_MS = 6 * 3600_000
const MAX_WALL_MS = 120_000
const ROUTE = 'agent'
const MODEL = 'qwen2.5-7b'

interface Timed {
  at: number
  seq: number
  run: () => void
}

/** A binary min-heap on (at, seq): deterministic order for equal times. */
class EventQueue {
  private items: Timed[] = []
  private seq = 0

  push(at: number, run: () => void): void {
    const item = { at, seq: this.seq++, run }
    const a = this.items
    a.push(item)
    let i = a.length - 1
    while (i > 0) {
      const p = (i - 1) >> 1
      if (before(a[p]!, item)) break
      a[i] = a[p]!
      i = p
    }
    a[i] = item
  }

  peek(): Timed | undefined {
    return this.items[0]
  }

  pop(): Timed | undefined {
    const a = this.items
    const top = a[0]
    const last = a.pop()
    if (a.length > 0 && last) {
      let i = 0
      for (;;) {
        const l = 2 * i + 1
        const r = l + 1
        let m = i
        let best = last
        if (l < a.length && before(a[l]!, best)) {
          m = l
          best = a[l]!
        }
        if (r < a.length && before(a[r]!, best)) m = r
        if (m === i) break
        a[i] = a[m]!
        i = m
      }
      a[i] = last
    }
    return top
  }
}

function before(x: Timed, y: Timed): boolean {
  return x.at < y.at || (x.at === y.at && x.seq < y.seq)
}

interface Flow {
  session: SessionScript
  turn: number
  history: Segment[]
  lastBackend?: number
}

interface Pending {
  flow: Flow
  req: SimRequest
  backend: number
  plan?: RequestPlan
  candidate?: Candidate
}

export function routeConfig(scenario: Scenario, policy: Extract<Policy, { kind: 'router' }>): unknown {
  return {
    providers: scenario.backends.map((b, i) => ({ id: b.id, kind: 'vllm', baseUrl: `http://127.0.0.1:${18000 + i}/v1`, models: [MODEL] })),
    routes: [
      {
        model: ROUTE,
        ...(policy.strategy ? { strategy: policy.strategy } : {}),
        ...(policy.affinity ? { affinity: true } : {}),
        ...(policy.affinityLoadFactor !== undefined ? { affinityLoadFactor: policy.affinityLoadFactor } : {}),
        targets: scenario.backends.map((b) => ({ provider: b.id, model: MODEL })),
      },
    ],
  }
}

/** What a run can hand back besides its result (the decision-cost bench replays a run's requests). */
export interface RunHooks {
  /** Every request the router saw, in order. */
  requests?: Array<{ headers: Record<string, string>; body: Record<string, unknown> }>
  /** The router and runtime at the end of the run (left open). */
  keep?: (router: Router, runtime: ReturnType<typeof buildRuntime>) => void
}

export const SIM_ROUTE = ROUTE

export function runOnce(policy: Policy, scenario: Scenario, seed: number, hooks: RunHooks = {}): RunResult {
  const wallStart = Date.now()
  let now = 0
  const { sessions, segments } = buildWorkload(seed, scenario.workload)
  const backends = scenario.backends.map((spec) => new SimBackend(spec))
  const index = new Map(scenario.backends.map((b, i) => [b.id, i]))
  const events = new EventQueue()
  const inFlight = new Map<string, number>()
  const pending = new Map<number, Pending>()
  const ttfts: number[] = []
  const decisionsUs: number[] = []
  let moves = 0
  let nextRequestId = 1
  let finished = 0

  let router: Router | undefined
  let runtime: ReturnType<typeof buildRuntime> | undefined
  if (policy.kind === 'router') {
    const parsed = parseConfig(routeConfig(scenario, policy))
    if (!parsed.ok) throw new Error(parsed.errors.join('; '))
    runtime = buildRuntime(parsed.config, { resolve: (s) => s })
    router = new Router({
      inFlight: (id) => inFlight.get(id) ?? 0,
      clock: () => now,
      random: seededRandom(seed ^ 0x5eed),
      sideChannels: false,
      manualLoads: true,
    })
    router.applyRuntime(runtime)
    // Each backend's /metrics is read every scrapeMs, the backends out of phase.
    scenario.backends.forEach((b, i) => {
      const scrape = (): void => {
        router!.loads!.acceptMetrics(b.id, backends[i]!.metricsText(), now)
        if (finished < sessions.length) events.push(now + scenario.scrapeMs, scrape)
      }
      events.push(Math.round((i * scenario.scrapeMs) / scenario.backends.length), scrape)
    })
  }

  const send = (flow: Flow): void => {
    const s = flow.session
    const prompt = flow.history
    const output = segments.make('assistant', s.outputs[flow.turn]!)
    const promptTokens = prompt.reduce((n, seg) => n + seg.tokens, 0)
    const blockSize = scenario.backends[0]!.blockSize
    const req: SimRequest = {
      id: nextRequestId++,
      sentAt: now,
      promptTokens,
      outputTokens: output.tokens,
      blockKeys: blockKeysOf([...prompt, output], blockSize),
      promptBlocks: Math.floor(promptTokens / blockSize),
      cachedTokens: 0,
    }
    let target: number
    const p: Pending = { flow, req, backend: -1 }
    if (policy.kind === 'pinned') target = s.index % backends.length
    else if (policy.kind === 'oracle') {
      let best = Infinity
      target = 0
      backends.forEach((b, i) => {
        const at = b.predictFirstToken(req, now)
        if (at < best) {
          best = at
          target = i
        }
      })
    } else {
      const headers: Record<string, string> = scenario.sessionHeader ? { 'x-switchyard-session': `agent-${s.index}` } : {}
      const body = { model: ROUTE, stream: true, stream_options: { include_usage: true }, max_tokens: 1024, messages: prompt.map((seg) => seg.message) }
      hooks.requests?.push({ headers, body })
      const t0 = process.hrtime.bigint()
      const plan = router!.plan(runtime!, ROUTE, { headers, body })
      const candidate = plan.next()
      decisionsUs.push(Number(process.hrtime.bigint() - t0) / 1000)
      if (!candidate) throw new Error('the router offered no candidate')
      p.plan = plan
      p.candidate = candidate
      target = index.get(candidate.providerId)!
      inFlight.set(candidate.providerId, (inFlight.get(candidate.providerId) ?? 0) + 1)
    }
    if (flow.lastBackend !== undefined && flow.lastBackend !== target) moves++
    flow.lastBackend = target
    p.backend = target
    pending.set(req.id, p)
    // The answer becomes part of the conversation once it is done.
    flow.history = [...prompt, output]
    backends[target]!.submit(req, now)
  }

  backends.forEach((b) => {
    b.listener = {
      firstToken(r, at) {
        const p = pending.get(r.id)!
        ttfts.push(at - r.sentAt)
        if (p.plan && p.candidate) {
          p.plan.commit({ providerId: p.candidate.providerId, model: p.candidate.upstreamModel, outcome: 'success', status: 200, latencyMs: at - r.sentAt, startedAt: r.sentAt })
        }
      },
      done(r, at) {
        const p = pending.get(r.id)!
        pending.delete(r.id)
        if (p.plan && p.candidate) {
          const id = p.candidate.providerId
          p.plan.settle({ providerId: id, model: p.candidate.upstreamModel, outcome: 'success', status: 200, latencyMs: (r.firstTokenAt ?? at) - r.sentAt, startedAt: r.sentAt })
          inFlight.set(id, (inFlight.get(id) ?? 1) - 1)
        }
        const flow = p.flow
        const think = flow.session.thinks[flow.turn]!
        flow.turn++
        if (flow.turn >= flow.session.outputs.length) {
          finished++
          return
        }
        flow.history = [...flow.history, flow.session.tools[flow.turn - 1]!]
        events.push(at + think, () => send(flow))
      },
    }
  })

  for (const s of sessions) {
    const flow: Flow = { session: s, turn: 0, history: [s.system, s.firstUser] }
    events.push(s.startAt, () => send(flow))
  }

  for (let n = 0; finished < sessions.length; n++) {
    if (n > MAX_EVENTS) throw new Error(`${policy.name}/${scenario.name}/${seed}: more than ${MAX_EVENTS} events`)
    if (n % 1024 === 0 && Date.now() - wallStart > MAX_WALL_MS) throw new Error(`${policy.name}/${scenario.name}/${seed}: over ${MAX_WALL_MS} ms of wall time`)
    let b = -1
    let at = Infinity
    backends.forEach((backend, i) => {
      const t = backend.nextEventAt()
      if (t < at) {
        at = t
        b = i
      }
    })
    const top = events.peek()
    if (top && top.at < at) {
      events.pop()
      now = top.at
      top.run()
    } else if (b >= 0) {
      now = at
      backends[b]!.advance(at)
    } else {
      throw new Error(`${policy.name}/${scenario.name}/${seed}: stalled with ${sessions.length - finished} sessions unfinished`)
    }
    if (now > MAX_SIM_MS) throw new Error(`${policy.name}/${scenario.name}/${seed}: simulated time over ${MAX_SIM_MS} ms`)
  }
  // A router without side channels holds no timer or socket: nothing to close. (Its async close()
  // would also keep it alive until the event loop turns, which a synchronous matrix never lets it.)
  if (router && hooks.keep) hooks.keep(router, runtime!)

  const prompt = backends.reduce((n, b) => n + b.promptTokens, 0)
  const cached = backends.reduce((n, b) => n + b.cachedTokens, 0)
  const sorted = [...ttfts].sort((x, y) => x - y)
  const dec = [...decisionsUs].sort((x, y) => x - y)
  return {
    policy: policy.name,
    scenario: scenario.name,
    seed,
    requests: ttfts.length,
    meanTtftMs: ttfts.reduce((x, y) => x + y, 0) / ttfts.length,
    p95TtftMs: sorted[Math.floor(sorted.length * 0.95)] ?? 0,
    cacheHit: prompt > 0 ? cached / prompt : 0,
    decisionMedianUs: dec[dec.length >> 1] ?? 0,
    decisionP99Us: dec[Math.floor(dec.length * 0.99)] ?? 0,
    perBackend: backends.map((x) => x.requests),
    moves,
    makespanMs: now,
  }
}
