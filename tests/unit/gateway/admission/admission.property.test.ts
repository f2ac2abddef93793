// Property-style: randomized arrival patterns over many seeds against the real Admission with a
// hand-driven clock. Every admission is checked against an independent log: no trailing 60 s
// window ever holds more than RPM requests or TPM tokens, concurrency never exceeds its cap,
// FIFO holds per provider, nobody hangs, cancelled requests are never admitted.
import { describe, expect, it } from 'vitest'
import { Admission, type ProviderAdmissionConfig } from '../../../../src/main/gateway/admission/admission'
import type { Lease, Limits } from '../../../../src/main/gateway/admission/providerLimiter'
import { WINDOW_MS } from '../../../../src/main/gateway/admission/slidingWindow'
import { GatewayError } from '../../../../src/main/gateway/common/errors'
import { seededRandom } from '../../../helpers/random'
import { ManualTime } from './manualTime'

interface Req {
  id: number
  arrivedAt: number
  candidates: string[]
  estimate: number
  priority: 'high' | 'normal'
  app?: string
  timeoutMs: number
  outcome?: 'admitted' | 'rejected' | 'aborted'
  code?: string
  provider?: string
  admittedAt?: number
  admitSeq?: number
  /** What the window is charged after the response: actual tokens, or 0 if cancelled. */
  finalCharge?: number
  finalRequests?: number
  settledSeq?: number
  resolvedSeq?: number
  resolvedAt?: number
}

const pick = <T,>(rnd: () => number, items: readonly T[]): T => items[Math.floor(rnd() * items.length)]!

function randomLimits(rnd: () => number): Limits {
  return {
    rpm: rnd() < 0.8 ? 1 + Math.floor(rnd() * 12) : undefined,
    tpm: rnd() < 0.8 ? 500 + Math.floor(rnd() * 4000) : undefined,
    maxConcurrent: rnd() < 0.6 ? 1 + Math.floor(rnd() * 4) : undefined,
  }
}

async function simulate(seed: number): Promise<{ reqs: Req[]; providers: ProviderAdmissionConfig[]; apps: Map<string, Limits> }> {
  const rnd = seededRandom(seed)
  const time = new ManualTime(0)
  const providers: ProviderAdmissionConfig[] = ['p0', 'p1', 'p2'].slice(0, 1 + Math.floor(rnd() * 3)).map((id) => ({
    id,
    limits: randomLimits(rnd),
    queue: { maxSize: Math.floor(rnd() * 25), timeoutMs: 1000 + Math.floor(rnd() * 90_000), overflow: rnd() < 0.5 ? 'reject-new' : 'drop-oldest' },
  }))
  const admission = new Admission({ clock: time.clock, scheduler: time, providers })
  const apps = new Map<string, Limits>()
  if (rnd() < 0.5) {
    apps.set('app-limited', { rpm: 1 + Math.floor(rnd() * 6), tpm: 1000 + Math.floor(rnd() * 3000), maxConcurrent: rnd() < 0.5 ? 1 : undefined })
    admission.setAppLimits('app-limited', apps.get('app-limited'))
  }
  // Estimates never exceed the smallest TPM limit here (oversize is its own unit test).
  const tpms = [...providers.map((p) => p.limits?.tpm), ...[...apps.values()].map((l) => l.tpm)].filter((n): n is number => n !== undefined)
  const maxEstimate = Math.min(2000, ...tpms)
  const reqs: Req[] = []
  let seq = 0

  // Arrivals: bursts at one instant, steady trickles and long gaps.
  let t = 0
  for (let i = 0; i < 150; i++) {
    const gap = rnd()
    t += gap < 0.4 ? 0 : gap < 0.8 ? Math.floor(rnd() * 2000) : Math.floor(rnd() * 40_000)
    const ids = providers.map((p) => p.id)
    const candidates = ids.filter(() => rnd() < 0.6)
    if (candidates.length === 0) candidates.push(pick(rnd, ids))
    candidates.sort(() => rnd() - 0.5)
    const req: Req = {
      id: i,
      arrivedAt: t,
      candidates,
      estimate: 1 + Math.floor(rnd() * maxEstimate),
      priority: rnd() < 0.2 ? 'high' : 'normal',
      app: rnd() < 0.4 ? 'app-limited' : undefined,
      timeoutMs: 0,
    }
    const abortAfter = rnd() < 0.1 ? Math.floor(rnd() * 20_000) : undefined
    const duration = Math.floor(rnd() * 30_000)
    const actual = Math.floor(rnd() * req.estimate) // never above the estimate
    const cancelLease = rnd() < 0.05
    reqs.push(req)
    time.schedule(t, () => {
      const controller = new AbortController()
      if (abortAfter !== undefined) time.schedule(abortAfter, () => controller.abort())
      admission
        .acquire({ candidates, estimate: req.estimate, priority: req.priority, app: req.app, signal: controller.signal })
        .then(
          ({ providerId, lease }: { providerId: string; lease: Lease }) => {
            const admitSeq = seq++
            Object.assign(req, { outcome: 'admitted', provider: providerId, admittedAt: time.now, admitSeq, resolvedSeq: admitSeq, resolvedAt: time.now })
            time.schedule(duration, () => {
              req.settledSeq = seq++
              if (cancelLease) {
                req.finalCharge = 0
                req.finalRequests = 0
                lease.cancel()
              } else {
                req.finalCharge = actual
                req.finalRequests = 1
                lease.settle(actual)
              }
            })
          },
          (err: unknown) => {
            const aborted = controller.signal.aborted && !(err instanceof GatewayError)
            Object.assign(req, { outcome: aborted ? 'aborted' : 'rejected', code: (err as GatewayError).code, resolvedSeq: seq++, resolvedAt: time.now })
          },
        )
    })
    req.timeoutMs = Math.max(...candidates.map((id) => providers.find((p) => p.id === id)!.queue!.timeoutMs!))
  }
  await time.advanceTo(t + 10 * WINDOW_MS)
  expect(time.pending()).toBe(0)
  return { reqs, providers, apps }
}

/** Checks one limiter's guarantees (provider or app) against the admissions it saw. */
function checkLimits(label: string, limits: Limits, admitted: Req[]): void {
  for (const r of admitted) {
    const t = r.admittedAt!
    const inWindow = admitted.filter((o) => o.admitSeq! <= r.admitSeq! && o.admittedAt! > t - WINDOW_MS)
    // Charge as the limiter saw it at admission: estimate until settled, then the final charge.
    const settledBefore = (o: Req) => o.settledSeq !== undefined && o.settledSeq < r.admitSeq!
    const requests = inWindow.reduce((s, o) => s + (settledBefore(o) ? o.finalRequests! : 1), 0)
    const tokens = inWindow.reduce((s, o) => s + (settledBefore(o) ? o.finalCharge! : o.estimate), 0)
    const inFlight = admitted.filter((o) => o.admitSeq! <= r.admitSeq! && !settledBefore(o)).length
    if (limits.rpm !== undefined) expect(requests, `${label} rpm at ${t}`).toBeLessThanOrEqual(limits.rpm)
    if (limits.tpm !== undefined) expect(tokens, `${label} tpm at ${t}`).toBeLessThanOrEqual(limits.tpm)
    if (limits.maxConcurrent !== undefined) expect(inFlight, `${label} concurrency at ${t}`).toBeLessThanOrEqual(limits.maxConcurrent)
  }
}

// Each seed is simulated once and checked by both properties.
const runs = new Map<number, ReturnType<typeof simulate>>()
function run(seed: number): ReturnType<typeof simulate> {
  let result = runs.get(seed)
  if (!result) runs.set(seed, (result = simulate(seed)))
  return result
}

describe('Admission under randomized load (property)', () => {
  const SEEDS = 60
  it(`never exceeds RPM/TPM/concurrency in any trailing 60 s window, never hangs (${SEEDS} seeds)`, async () => {
    let admittedTotal = 0
    let queuedTotal = 0
    for (let seed = 1; seed <= SEEDS; seed++) {
      const { reqs, providers, apps } = await run(seed)
      for (const r of reqs) {
        // Nobody hangs: every request ended, a rejection no later than its longest queue timeout.
        expect(r.outcome, `seed ${seed} req ${r.id}`).toBeDefined()
        if (r.outcome === 'rejected') {
          expect(['rate_limited', 'queue_full']).toContain(r.code)
          expect(r.resolvedAt! - r.arrivedAt).toBeLessThanOrEqual(r.timeoutMs)
        }
        if (r.outcome === 'admitted') {
          expect(r.candidates).toContain(r.provider)
          admittedTotal++
          if (r.admittedAt! > r.arrivedAt) queuedTotal++
        }
      }
      for (const p of providers) {
        checkLimits(`seed ${seed} ${p.id}`, p.limits ?? {}, reqs.filter((r) => r.provider === p.id))
      }
      for (const [app, limits] of apps) checkLimits(`seed ${seed} app`, limits, reqs.filter((r) => r.outcome === 'admitted' && r.app === app))
    }
    // The simulation must actually exercise queueing, or the property proves little.
    expect(queuedTotal).toBeGreaterThan(SEEDS)
    expect(admittedTotal).toBeGreaterThan(SEEDS * 20)
  })

  it(`keeps FIFO per provider within a priority class (${SEEDS} seeds)`, async () => {
    for (let seed = 1; seed <= SEEDS; seed++) {
      const { reqs } = await run(seed)
      // Requests that could only go to one provider, with the same priority and no app limit:
      // a later one is never admitted while an earlier one still waits there.
      const simple = reqs.filter((r) => r.candidates.length === 1 && r.app === undefined)
      for (const later of simple) {
        if (later.outcome !== 'admitted') continue
        for (const earlier of simple) {
          if (earlier.id >= later.id || earlier.candidates[0] !== later.candidates[0] || earlier.priority !== later.priority) continue
          expect(earlier.resolvedSeq!, `seed ${seed}: ${earlier.id} before ${later.id}`).toBeLessThanOrEqual(later.admitSeq!)
        }
      }
    }
  })
})
