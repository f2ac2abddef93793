import { afterEach, describe, expect, it, vi } from 'vitest'
import { Admission, type AcquireRequest, type ProviderAdmissionConfig } from '../../../../src/main/gateway/admission/admission'
import { systemScheduler } from '../../../../src/main/gateway/admission/clock'
import { WINDOW_MS } from '../../../../src/main/gateway/admission/slidingWindow'
import { GatewayError } from '../../../../src/main/gateway/common/errors'
import { ManualTime, flush, track } from './manualTime'

function setup(providers: ProviderAdmissionConfig[]) {
  const time = new ManualTime()
  const admission = new Admission({ clock: time.clock, scheduler: time, providers })
  /** acquire() with estimate 0 unless given. */
  const take = (req: Partial<AcquireRequest> & { candidates: string[] }) => admission.acquire({ estimate: 0, ...req })
  /** The same, observed without awaiting. */
  const acquire = (req: Partial<AcquireRequest> & { candidates: string[] }) => track(take(req))
  return { time, admission, acquire, take }
}

const errorOf = (t: { error?: unknown }) => t.error as GatewayError

describe('Admission', () => {
  it('admits at once on the first candidate that can take the request', async () => {
    const { admission, take } = setup([{ id: 'a', limits: { rpm: 5 } }])
    const admitted = await take({ candidates: ['a'], estimate: 10 })
    expect(admitted.providerId).toBe('a')
    expect(admitted.waitedMs).toBe(0)
    expect(admission.snapshot().a).toMatchObject({ admitted: 1, inFlight: 1, rpm: { used: 1, limit: 5 }, tpm: { used: 10 } })
  })

  it('asks for the tokenizer as soon as a TPM limit exists (provider or app), not for RPM alone', () => {
    let asked = 0
    const admission = new Admission({ providers: [{ id: 'a', limits: { rpm: 5, maxConcurrent: 2 } }], onTokenLimits: () => asked++ })
    expect(asked).toBe(0)
    admission.setAppLimits('batch', { rpm: 10 })
    expect(asked).toBe(0)
    admission.setAppLimits('batch', { tpm: 10_000 })
    expect(asked).toBe(1)
    admission.setAppLimits('batch', undefined)
    admission.configure([{ id: 'a', limits: { tpm: 50_000 } }])
    expect(asked).toBe(2)
    admission.close()
  })

  it('prefers a candidate that can admit now over a better-ranked saturated one', async () => {
    const { take } = setup([
      { id: 'best', limits: { maxConcurrent: 1 } },
      { id: 'free', limits: { maxConcurrent: 1 } },
    ])
    expect((await take({ candidates: ['best', 'free'], estimate: 1 })).providerId).toBe('best')
    expect((await take({ candidates: ['best', 'free'], estimate: 1 })).providerId).toBe('free')
  })

  it('admits candidates not configured yet without limits', async () => {
    const { take } = setup([])
    expect((await take({ candidates: ['new', 'new'], estimate: 5 })).providerId).toBe('new')
  })

  it('queues FIFO and wakes the head on a release', async () => {
    const { admission, acquire, take } = setup([{ id: 'a', limits: { maxConcurrent: 1 } }])
    const first = await take({ candidates: ['a'], estimate: 1 })
    const waiting = [1, 2, 3].map(() => acquire({ candidates: ['a'] }))
    await flush()
    expect(waiting.map((w) => w.state)).toEqual(['pending', 'pending', 'pending'])
    expect(admission.snapshot().a?.queued).toBe(3)
    first.lease.settle(1)
    await flush()
    expect(waiting.map((w) => w.state)).toEqual(['fulfilled', 'pending', 'pending'])
    waiting[0]!.value!.lease.settle(1)
    await flush()
    expect(waiting.map((w) => w.state)).toEqual(['fulfilled', 'fulfilled', 'pending'])
  })

  it('does not let a newcomer overtake waiters on the same provider', async () => {
    const { acquire, time, take } = setup([{ id: 'a', limits: { tpm: 100 }, queue: { timeoutMs: 120_000 } }])
    await take({ candidates: ['a'], estimate: 60 })
    const big = acquire({ candidates: ['a'], estimate: 80 }) // must wait for the window
    const small = acquire({ candidates: ['a'], estimate: 10 }) // would fit, but is behind `big`
    await flush()
    expect([big.state, small.state]).toEqual(['pending', 'pending'])
    await time.advance(WINDOW_MS)
    expect([big.state, small.state]).toEqual(['fulfilled', 'fulfilled'])
  })

  it('wakes a waiter exactly when the window lets it in, with one unref-able timer', async () => {
    const { acquire, time, take } = setup([{ id: 'a', limits: { rpm: 1 }, queue: { timeoutMs: 120_000 } }])
    await take({ candidates: ['a'] })
    const t0 = time.now
    const waiters = [acquire({ candidates: ['a'] }), acquire({ candidates: ['a'] })]
    await flush()
    expect(time.pending()).toBe(1)
    await time.advance(WINDOW_MS - 1)
    expect(waiters[0]!.state).toBe('pending')
    await time.advance(1)
    expect(waiters[0]!.state).toBe('fulfilled')
    expect(waiters[0]!.value!.waitedMs).toBe(WINDOW_MS)
    expect(time.now - t0).toBe(WINDOW_MS)
    await time.advance(WINDOW_MS)
    expect(waiters[1]!.state).toBe('fulfilled')
    expect(time.pending()).toBe(0)
  })

  it('wakes a waiter on any of its candidates, including on a config change', async () => {
    const { admission, acquire, take } = setup([
      { id: 'a', limits: { maxConcurrent: 1 } },
      { id: 'b', limits: { maxConcurrent: 1 } },
    ])
    const holdA = await take({ candidates: ['a'] })
    await take({ candidates: ['b'] })
    const w = acquire({ candidates: ['a', 'b'] })
    await flush()
    admission.configure([
      { id: 'a', limits: { maxConcurrent: 1 } },
      { id: 'b', limits: { maxConcurrent: 2 } },
    ])
    await flush()
    expect(w.value?.providerId).toBe('b')
    holdA.lease.settle(0) // still counted correctly after the config change
    expect(admission.snapshot().a?.inFlight).toBe(0)
  })

  it('times out with 429 and a Retry-After computed from the window', async () => {
    const { admission, acquire, time, take } = setup([{ id: 'a', limits: { rpm: 1 }, queue: { timeoutMs: 5000 } }])
    await take({ candidates: ['a'] })
    await time.advance(10_000)
    const w = acquire({ candidates: ['a'] })
    await time.advance(4999)
    expect(w.state).toBe('pending')
    await time.advance(1)
    expect(w.state).toBe('rejected')
    expect(errorOf(w)).toBeInstanceOf(GatewayError)
    expect(errorOf(w)).toMatchObject({ code: 'rate_limited', status: 429, retryAfterSec: 45 })
    expect(errorOf(w).message).toMatch(/waited 5000 ms.*"a" \(requests-per-minute limit\)/)
    expect(admission.snapshot().a).toMatchObject({ timedOut: 1, rejected: 1, queued: 0 })
  })

  it('honours a per-request timeout', async () => {
    const { acquire, time, take } = setup([{ id: 'a', limits: { maxConcurrent: 1 } }])
    await take({ candidates: ['a'] })
    const w = acquire({ candidates: ['a'], timeoutMs: 100 })
    await time.advance(100)
    expect(errorOf(w)).toMatchObject({ code: 'rate_limited', retryAfterSec: 1 })
  })

  it('overflow reject-new: the newcomer gets 503 queue_full', async () => {
    const { admission, acquire, take } = setup([{ id: 'a', limits: { maxConcurrent: 1 }, queue: { maxSize: 2 } }])
    await take({ candidates: ['a'] })
    const queued = [acquire({ candidates: ['a'] }), acquire({ candidates: ['a'] })]
    const extra = acquire({ candidates: ['a'] })
    await flush()
    expect(queued.map((q) => q.state)).toEqual(['pending', 'pending'])
    expect(errorOf(extra)).toMatchObject({ code: 'queue_full', status: 503, retryAfterSec: 1 })
    expect(admission.snapshot().a).toMatchObject({ queued: 2, queueFull: 1 })
  })

  it('overflow drop-oldest: the oldest waiter gets 503 queue_full', async () => {
    const { acquire, take } = setup([{ id: 'a', limits: { maxConcurrent: 1 }, queue: { maxSize: 2, overflow: 'drop-oldest' } }])
    const running = await take({ candidates: ['a'] })
    const [oldest, middle] = [acquire({ candidates: ['a'] }), acquire({ candidates: ['a'] })]
    const newest = acquire({ candidates: ['a'] })
    await flush()
    expect(errorOf(oldest)).toMatchObject({ code: 'queue_full', retryAfterSec: 1 })
    expect(errorOf(oldest).message).toMatch(/dropped/)
    expect([middle.state, newest.state]).toEqual(['pending', 'pending'])
    running.lease.settle()
    await flush()
    expect([middle.state, newest.state]).toEqual(['fulfilled', 'pending'])
  })

  it('drop-oldest never evicts a high-priority waiter for a normal one', async () => {
    const { acquire, take } = setup([{ id: 'a', limits: { maxConcurrent: 1 }, queue: { maxSize: 1, overflow: 'drop-oldest' } }])
    await take({ candidates: ['a'] })
    const high = acquire({ candidates: ['a'], priority: 'high' })
    const normal = acquire({ candidates: ['a'] })
    await flush()
    expect(high.state).toBe('pending')
    expect(errorOf(normal).code).toBe('queue_full')
  })

  it('maxSize 0 disables queueing: an immediate 429 with Retry-After', async () => {
    const { acquire, take } = setup([{ id: 'a', limits: { rpm: 1 }, queue: { maxSize: 0 } }])
    await take({ candidates: ['a'] })
    const w = acquire({ candidates: ['a'] })
    await flush()
    expect(errorOf(w)).toMatchObject({ code: 'rate_limited', retryAfterSec: 60 })
  })

  it('joins the queues that have room when another candidate is full', async () => {
    const { acquire, take } = setup([
      { id: 'a', limits: { maxConcurrent: 1 }, queue: { maxSize: 0 } },
      { id: 'b', limits: { maxConcurrent: 1 }, queue: { maxSize: 5 } },
    ])
    await take({ candidates: ['a'] })
    const holdB = await take({ candidates: ['b'] })
    const w = acquire({ candidates: ['a', 'b'] })
    await flush()
    expect(w.state).toBe('pending')
    holdB.lease.settle()
    await flush()
    expect(w.value?.providerId).toBe('b')
  })

  it('a client that disconnects leaves the queue at once and is never admitted', async () => {
    const { admission, acquire, take } = setup([{ id: 'a', limits: { maxConcurrent: 1 } }])
    const running = await take({ candidates: ['a'] })
    const controller = new AbortController()
    const gone = acquire({ candidates: ['a'], signal: controller.signal })
    const next = acquire({ candidates: ['a'] })
    await flush()
    controller.abort(new Error('client closed'))
    await flush()
    expect(gone.state).toBe('rejected')
    expect((gone.error as Error).message).toBe('client closed')
    expect(admission.snapshot().a).toMatchObject({ queued: 1, cancelled: 1 })
    running.lease.settle()
    await flush()
    expect(next.state).toBe('fulfilled')
    expect(admission.snapshot().a).toMatchObject({ admitted: 2, inFlight: 1 })
  })

  it('rejects an already-aborted signal without queueing', async () => {
    const { admission, acquire } = setup([{ id: 'a' }])
    const w = acquire({ candidates: ['a'], signal: AbortSignal.abort() })
    await flush()
    expect((w.error as DOMException).name).toBe('AbortError')
    expect(admission.snapshot().a).toMatchObject({ admitted: 0 })
  })

  it('unblocks the line when an aborted head was holding it', async () => {
    const { acquire, take } = setup([{ id: 'a', limits: { tpm: 100 } }])
    await take({ candidates: ['a'], estimate: 50 })
    const controller = new AbortController()
    acquire({ candidates: ['a'], estimate: 90, signal: controller.signal })
    const small = acquire({ candidates: ['a'], estimate: 40 })
    await flush()
    expect(small.state).toBe('pending')
    controller.abort()
    await flush()
    expect(small.state).toBe('fulfilled')
  })

  it('lets high priority go first, FIFO within a class', async () => {
    const { acquire, take } = setup([{ id: 'a', limits: { maxConcurrent: 1 } }])
    let running = (await take({ candidates: ['a'] })).lease
    const order: string[] = []
    const names = ['n1', 'h1', 'n2', 'h2']
    const waiters = names.map((name) => {
      const t = acquire({ candidates: ['a'], priority: name.startsWith('h') ? 'high' : 'normal' })
      return { name, t }
    })
    for (let i = 0; i < names.length; i++) {
      running.settle()
      await flush()
      const admitted = waiters.find((w) => w.t.state === 'fulfilled' && !order.includes(w.name))!
      order.push(admitted.name)
      running = admitted.t.value!.lease
    }
    expect(order).toEqual(['h1', 'h2', 'n1', 'n2'])
  })

  it('admits a high-priority newcomer past normal waiters when there is room', async () => {
    const { acquire, take } = setup([{ id: 'a', limits: { tpm: 100 } }])
    await take({ candidates: ['a'], estimate: 50 })
    const normal = acquire({ candidates: ['a'], estimate: 80 })
    const high = acquire({ candidates: ['a'], estimate: 30, priority: 'high' })
    await flush()
    expect([normal.state, high.state]).toEqual(['pending', 'fulfilled'])
  })

  it('is fair across routes: FIFO per provider whatever the route', async () => {
    const { acquire, take } = setup([
      { id: 'a', limits: { maxConcurrent: 1 } },
      { id: 'b', limits: { maxConcurrent: 1 } },
    ])
    const holdA = await take({ candidates: ['a'] })
    const holdB = await take({ candidates: ['b'] })
    const both = acquire({ candidates: ['a', 'b'] }) // queued first
    const onlyB = acquire({ candidates: ['b'] })
    await flush()
    holdB.lease.settle()
    await flush()
    expect(both.value?.providerId).toBe('b')
    expect(onlyB.state).toBe('pending')
    holdA.lease.settle()
    await flush()
    expect(onlyB.state).toBe('pending') // A frees, but onlyB cannot use A
  })

  it('calls onWait once when the request has to wait', async () => {
    const { acquire, take } = setup([{ id: 'a', limits: { maxConcurrent: 1 } }])
    const onWait = vi.fn()
    await take({ candidates: ['a'], onWait })
    expect(onWait).not.toHaveBeenCalled()
    acquire({ candidates: ['a'], onWait })
    expect(onWait).toHaveBeenCalledExactlyOnceWith({ providers: ['a'] })
  })

  describe('per-app limits', () => {
    it('checks the app limiter as well and settles both leases', async () => {
      const { admission, acquire, time, take } = setup([{ id: 'a', limits: { rpm: 100 }, queue: { timeoutMs: 120_000 } }])
      admission.setAppLimits('batch', { rpm: 1 })
      const first = await take({ candidates: ['a'], app: 'batch', estimate: 10 })
      const second = acquire({ candidates: ['a'], app: 'batch' })
      const other = acquire({ candidates: ['a'], app: 'cursor' })
      await flush()
      expect([second.state, other.state]).toEqual(['pending', 'fulfilled'])
      first.lease.settle(4)
      expect(admission.appLimiter('batch')!.snapshot(time.now)).toMatchObject({ inFlight: 0, tpm: { used: 4 } })
      await time.advance(WINDOW_MS)
      expect(second.state).toBe('fulfilled')
    })

    it('steps over a waiter blocked by its own app so it cannot hold the line', async () => {
      const { admission, acquire, take } = setup([{ id: 'a', limits: { maxConcurrent: 1 } }])
      admission.setAppLimits('runaway', { maxConcurrent: 1 })
      const runaway = await take({ candidates: ['a'], app: 'runaway' })
      const release = runaway.lease
      const blockedByApp = acquire({ candidates: ['a'], app: 'runaway' })
      const polite = acquire({ candidates: ['a'], app: 'editor' })
      await flush()
      release.settle()
      await flush()
      // the provider slot freed and so did the app's, but FIFO puts the runaway's waiter first
      expect(blockedByApp.state).toBe('fulfilled')
      expect(polite.state).toBe('pending')
      blockedByApp.value!.lease.settle()
      await flush()
      expect(polite.state).toBe('fulfilled')
    })

    it('a request held back only by its app is stepped over while its app stays busy', async () => {
      const { admission, acquire, take } = setup([{ id: 'a', limits: { maxConcurrent: 2 } }])
      admission.setAppLimits('runaway', { maxConcurrent: 1 })
      await take({ candidates: ['a'], app: 'runaway' })
      const blockedByApp = acquire({ candidates: ['a'], app: 'runaway' })
      const polite = acquire({ candidates: ['a'] })
      await flush()
      expect([blockedByApp.state, polite.state]).toEqual(['pending', 'fulfilled'])
    })

    it('times out with the app named in the message', async () => {
      const { admission, acquire, time, take } = setup([{ id: 'a', queue: { timeoutMs: 1000 } }])
      admission.setAppLimits('batch', { rpm: 1 })
      await take({ candidates: ['a'], app: 'batch' })
      const w = acquire({ candidates: ['a'], app: 'batch' })
      await time.advance(1000)
      expect(errorOf(w)).toMatchObject({ code: 'rate_limited', retryAfterSec: 59 })
      expect(errorOf(w).message).toMatch(/app "batch" is over its requests-per-minute limit/)
    })
  })

  it('fails waiters queued only on a provider that was removed', async () => {
    const { admission, acquire, take } = setup([{ id: 'a', limits: { maxConcurrent: 1 } }])
    await take({ candidates: ['a'] })
    const w = acquire({ candidates: ['a'] })
    await flush()
    admission.configure([])
    await flush()
    expect(errorOf(w).code).toBe('upstream_unreachable')
    expect(admission.snapshot()).toEqual({})
  })

  it('close() fails every waiter and clears the timer; later acquires are refused', async () => {
    const { admission, acquire, time, take } = setup([{ id: 'a', limits: { rpm: 1 } }])
    await take({ candidates: ['a'] })
    const w = acquire({ candidates: ['a'] })
    await flush()
    expect(time.pending()).toBe(1)
    admission.close()
    await flush()
    expect(errorOf(w).code).toBe('shutting_down')
    expect(time.pending()).toBe(0)
    await expect(admission.acquire({ candidates: ['a'], estimate: 0 })).rejects.toMatchObject({ code: 'shutting_down' })
  })

  it('reports queue wait percentiles', async () => {
    const { admission, acquire, time, take } = setup([{ id: 'a', limits: { maxConcurrent: 1 } }])
    let lease = (await take({ candidates: ['a'] })).lease
    const waiters = Array.from({ length: 19 }, () => acquire({ candidates: ['a'] }))
    for (const w of waiters) {
      await time.advance(100)
      lease.settle()
      await flush()
      lease = w.value!.lease
    }
    // waits: 0 (first), then 100, 200, ..., 1900
    expect(admission.snapshot().a?.queueWaitMs).toEqual({ p50: 900, p95: 1800, samples: 20 })
  })

  it('waits out an upstream cooldown learned from Retry-After', async () => {
    const { admission, acquire, time } = setup([{ id: 'a' }])
    admission.limiter('a')!.learn({ 'retry-after': '5' }, time.now)
    const w = acquire({ candidates: ['a'] })
    await time.advance(4999)
    expect(w.state).toBe('pending')
    await time.advance(1)
    expect(w.state).toBe('fulfilled')
  })

  it('keeps the place in line when the onWait hook throws', async () => {
    const { take, acquire } = setup([{ id: 'a', limits: { maxConcurrent: 1 } }])
    const running = await take({ candidates: ['a'] })
    const w = acquire({
      candidates: ['a'],
      onWait: () => {
        throw new Error('hook broke')
      },
    })
    running.lease.settle()
    await flush()
    expect(w.state).toBe('fulfilled')
  })
})

describe('Admission with the system clock and scheduler', () => {
  afterEach(() => {
    vi.useRealTimers()
  })

  it('unrefs its timer', () => {
    const spy = vi.spyOn(globalThis, 'setTimeout')
    const handle = systemScheduler.schedule(60_000, () => {})
    const timer = spy.mock.results[0]!.value as NodeJS.Timeout
    expect(timer.hasRef()).toBe(false)
    handle.cancel()
    spy.mockRestore()
  })

  it('wakes a waiter on window expiry with real (faked) timers', async () => {
    vi.useFakeTimers({ now: 0 })
    const admission = new Admission({ providers: [{ id: 'a', limits: { rpm: 1 }, queue: { timeoutMs: 90_000 } }] })
    await admission.acquire({ candidates: ['a'], estimate: 0 })
    const w = track(admission.acquire({ candidates: ['a'], estimate: 0 }))
    await vi.advanceTimersByTimeAsync(WINDOW_MS - 1)
    expect(w.state).toBe('pending')
    await vi.advanceTimersByTimeAsync(1)
    expect(w.state).toBe('fulfilled')
    expect(w.value!.waitedMs).toBe(WINDOW_MS)
    admission.close()
    expect(vi.getTimerCount()).toBe(0)
  })
})
