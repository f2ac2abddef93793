// The shared-limit scripts on their own (RedisLimits against a real redis-server): exact sliding
// windows, reservations settled in place, refunds, concurrency leases that expire when their
// instance is gone (no renewal), learned budgets spent by every instance, and release events.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { silentLogger } from '../../../src/main/gateway/common/log'
import { RedisConnection } from '../../../src/main/gateway/state/redisConnection'
import { RedisLimits } from '../../../src/main/gateway/state/redisLimits'
import { EventBus } from '../../../src/main/gateway/state/eventBus'
import { ADMIT, LEARN, READ, RELEASE, RENEW, RESYNC } from '../../../src/main/gateway/state/limitScripts'
import type { ProbeRequest } from '../../../src/main/gateway/admission/sharedLimits'
import { redisAvailable, teamSuiteTitle, sleep, until, useRedis } from './teamHarness'

const E = { input: 10, output: 90 }

describe.skipIf(!redisAvailable && !process.env.CI)(teamSuiteTitle('shared limit scripts (real redis-server)'), () => {
  const redis = useRedis()
  let conns: RedisConnection[] = []
  let n = 0

  async function store(opts: { windowMs?: number; leaseTtlMs?: number } = {}): Promise<RedisLimits> {
    const conn = new RedisConnection({ url: redis().url, prefix: 'unit:', commandTimeoutMs: 1_000, connectTimeoutMs: 1_000 }, silentLogger())
    const bus = new EventBus(conn, `i${n++}`, silentLogger())
    const limits = new RedisLimits(conn, bus, silentLogger(), { ...opts, instances: () => 1, instanceIds: () => [], teamRejoined: async () => undefined })
    await conn.open({ syAdmit: ADMIT, syRelease: RELEASE, syRenew: RENEW, syLearn: LEARN, syRead: READ, syResync: RESYNC })
    await until(() => limits.up, 3_000, 'store up')
    conns.push(conn)
    return limits
  }
  const ask = (id: string, limits: ProbeRequest['candidates'][0]['provider']['limits'], leaseId: string): ProbeRequest => ({ leaseId, candidates: [{ provider: { id, limits } }], estimate: E })

  beforeAll(async () => {
    await redis().command('FLUSHALL')
  })
  afterAll(async () => {
    await Promise.all(conns.map((c) => c.close()))
    conns = []
  })

  it('rpm: an exact window — the third of rpm 2 waits until the first leaves, not a millisecond less', async () => {
    const s = await store({ windowMs: 600 })
    expect(await s.probe(ask('p:w', { rpm: 2 }, 'w1'))).toEqual({ ok: true, index: 0, key: undefined })
    await sleep(100)
    expect((await s.probe(ask('p:w', { rpm: 2 }, 'w2'))).ok).toBe(true)
    const third = await s.probe(ask('p:w', { rpm: 2 }, 'w3'))
    expect(third.ok).toBe(false)
    if (third.ok) return
    expect(third.blocks[0]!.reason).toBe('rpm')
    expect(third.blocks[0]!.retryAfterMs).toBeGreaterThan(400)
    expect(third.blocks[0]!.retryAfterMs).toBeLessThanOrEqual(500)
    await sleep(third.blocks[0]!.retryAfterMs + 5)
    expect((await s.probe(ask('p:w', { rpm: 2 }, 'w3'))).ok).toBe(true)
  })

  it('tpm: a reservation is replaced by the real usage when settled; a cancel refunds it', async () => {
    const s = await store()
    const read = async () => (await s.readViews(['p:t'])).get('p:t')!
    await s.probe(ask('p:t', { tpm: 250 }, 't1'))
    await s.probe(ask('p:t', { tpm: 250 }, 't2'))
    expect((await read()).tpmUsed).toBe(200)
    const blocked = await s.probe(ask('p:t', { tpm: 250 }, 't3'))
    expect(blocked.ok ? undefined : blocked.blocks[0]!.reason).toBe('tpm')
    s.release('t1', ['p:t'], { kind: 'settle', actualTokens: 30 }, E)
    s.release('t2', ['p:t'], { kind: 'cancel' }, E)
    await until(() => true)
    await sleep(50)
    expect((await read()).tpmUsed).toBe(30)
    expect((await s.probe(ask('p:t', { tpm: 250 }, 't3'))).ok).toBe(true)
  })

  it('concurrency: a lease whose instance stopped renewing it (crashed) expires; a released one frees at once and tells everyone', async () => {
    const crashed = await store({ leaseTtlMs: 300 })
    const other = await store({ leaseTtlMs: 300 })
    const released: string[][] = []
    other.onRelease((ids) => released.push(ids))
    expect((await crashed.probe(ask('p:c', { maxConcurrent: 1 }, 'c1'))).ok).toBe(true)
    // `crashed` never tracks (renews) c1: it is gone after its TTL.
    const refused = await other.probe(ask('p:c', { maxConcurrent: 1 }, 'c2'))
    expect(refused.ok ? undefined : refused.blocks[0]).toMatchObject({ reason: 'concurrency', retryAfterMs: 0 })
    expect(refused.ok ? 0 : refused.blocks[0]!.wakeMs).toBeLessThanOrEqual(300)
    await sleep(350)
    expect((await other.probe(ask('p:c', { maxConcurrent: 1 }, 'c2'))).ok).toBe(true)
    // A tracked lease is renewed and outlives its TTL; released, it frees the slot and publishes.
    other.track('c2', ['p:c'])
    await sleep(500)
    expect((await crashed.probe(ask('p:c', { maxConcurrent: 1 }, 'c3'))).ok).toBe(false)
    other.release('c2', ['p:c'], { kind: 'settle' }, E)
    await until(() => released.some((ids) => ids.includes('p:c')), 1_000, 'release event')
    expect((await crashed.probe(ask('p:c', { maxConcurrent: 1 }, 'c3'))).ok).toBe(true)
  })

  it('a learned budget is spent by every instance: remaining 2 lets two requests through, from either', async () => {
    const a = await store()
    const b = await store()
    const learned: string[] = []
    b.onLearned((id) => learned.push(id))
    a.learn('p:u', { budgets: { requests: { remaining: 2, resetAt: Date.now() + 5_000 } } }, Date.now())
    await until(() => learned.includes('p:u'), 1_000, 'b heard of the budget')
    expect((await a.probe(ask('p:u', {}, 'u1'))).ok).toBe(true)
    expect((await b.probe(ask('p:u', {}, 'u2'))).ok).toBe(true)
    const third = await b.probe(ask('p:u', {}, 'u3'))
    expect(third.ok ? undefined : third.blocks[0]!.reason).toBe('upstream-budget')
  })

  it('a key pool: the first key in the given order that fits is charged; none fits → the soonest key says why', async () => {
    const s = await store()
    const pool = (leaseId: string): ProbeRequest => ({
      leaseId,
      estimate: E,
      candidates: [{ provider: { id: 'p:k', limits: {} }, keys: [{ id: 'k:k:a', limits: { rpm: 1 } }, { id: 'k:k:b', limits: { rpm: 1 } }] }],
    })
    expect(await s.probe(pool('k1'))).toEqual({ ok: true, index: 0, key: 0 })
    expect(await s.probe(pool('k2'))).toEqual({ ok: true, index: 0, key: 1 })
    const none = await s.probe(pool('k3'))
    expect(none.ok ? undefined : none.blocks[0]!.reason).toBe('rpm')
  })
})
