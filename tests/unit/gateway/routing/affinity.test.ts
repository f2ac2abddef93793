import { describe, expect, it } from 'vitest'
import { conversationKey, conversationOpening } from '../../../../src/main/gateway/routing/affinity'
import { Balancer, type BalanceRequest } from '../../../../src/main/gateway/routing/balancer'
import type { Candidate } from '../../../../src/main/gateway/routing/candidates'
import { hash32, HashRing } from '../../../../src/main/gateway/routing/hashRing'
import { cand, ctx, ids, tally } from './fixtures'

const keys = (n: number) => Array.from({ length: n }, (_, i) => `conversation-${i}`)

function owners(ring: HashRing<Candidate>, list: string[], usable?: (c: Candidate) => boolean): string[] {
  return list.map((k) => ring.pick(hash32(k), usable)!.providerId)
}

describe('consistent-hash ring', () => {
  it('spreads keys evenly over equal targets', () => {
    const ring = new HashRing(['a', 'b', 'c', 'd'].map((id) => cand(id)))
    const counts = tally(owners(ring, keys(20_000)))
    for (const id of ['a', 'b', 'c', 'd']) expect(Math.abs(counts[id]! / 20_000 - 0.25)).toBeLessThan(0.05)
  })

  it('respects weights', () => {
    const ring = new HashRing([cand('big', 2), cand('small', 1)])
    const counts = tally(owners(ring, keys(20_000)))
    expect(Math.abs(counts.big! / 20_000 - 2 / 3)).toBeLessThan(0.05)
  })

  it('adding a 5th target moves only ~1/5 of the keys, all of them to the new target', () => {
    const list = keys(20_000)
    const four = ['a', 'b', 'c', 'd'].map((id) => cand(id))
    const before = owners(new HashRing(four), list)
    const after = owners(new HashRing([...four, cand('e')]), list)
    let moved = 0
    for (let i = 0; i < list.length; i++) {
      if (before[i] === after[i]) continue
      moved++
      expect(after[i]).toBe('e')
    }
    expect(Math.abs(moved / list.length - 1 / 5)).toBeLessThan(0.04)
  })

  it('adding a 9th target to 8 moves ~1/9', () => {
    const list = keys(20_000)
    const eight = Array.from({ length: 8 }, (_, i) => cand(`t${i}`))
    const before = owners(new HashRing(eight), list)
    const after = owners(new HashRing([...eight, cand('t8')]), list)
    const moved = after.filter((o, i) => o !== before[i]).length
    expect(Math.abs(moved / list.length - 1 / 9)).toBeLessThan(0.03)
  })

  it('skipping an ejected target moves only its keys, each to the next one on the ring', () => {
    const list = keys(5_000)
    const ring = new HashRing(['a', 'b', 'c'].map((id) => cand(id)))
    const before = owners(ring, list)
    const after = owners(ring, list, (c) => c.providerId !== 'b')
    for (let i = 0; i < list.length; i++) {
      if (before[i] !== 'b') expect(after[i]).toBe(before[i])
      else expect(after[i]).toBe(ring.walk(hash32(list[i]!))[1]!.providerId)
    }
  })
})

describe('Balancer with session affinity', () => {
  const targets = ['a', 'b', 'c', 'd'].map((id) => cand(id))
  const req = (candidates: Candidate[]): BalanceRequest => ({
    stateKey: 'route:local',
    strategy: 'round-robin',
    affinity: true,
    candidates,
    routeCandidates: targets,
  })

  it('sends one conversation to the same target every time, across balancer instances', () => {
    const first = new Balancer().order(req(targets), ctx({ affinityKey: 's:abc' }))
    const b = new Balancer()
    for (let i = 0; i < 50; i++) expect(ids(b.order(req(targets), ctx({ affinityKey: 's:abc' })))).toEqual(ids(first))
  })

  it('falls to the next target on the ring when the affinity target is ejected, and comes back', () => {
    const b = new Balancer()
    const order = ids(b.order(req(targets), ctx({ affinityKey: 'u:alice' })))
    const withoutFirst = targets.filter((t) => t.providerId !== order[0])
    expect(ids(b.order(req(withoutFirst), ctx({ affinityKey: 'u:alice' })))).toEqual(order.slice(1))
    expect(ids(b.order(req(targets), ctx({ affinityKey: 'u:alice' })))).toEqual(order)
  })

  it('uses the strategy when the request has no conversation key or the route no affinity', () => {
    const b = new Balancer()
    const picks = Array.from({ length: 8 }, () => b.order(req(targets), ctx())[0]!.providerId)
    expect(picks).toEqual(['a', 'b', 'c', 'd', 'a', 'b', 'c', 'd'])
    const noAffinity = { ...req(targets), affinity: false }
    const p2 = Array.from({ length: 4 }, () => b.order(noAffinity, ctx({ affinityKey: 's:x' }))[0]!.providerId)
    expect(new Set(p2).size).toBe(4)
  })

  it('puts backups (weight 0) after the ring order', () => {
    const withBackup = [...targets, cand('backup', 0)]
    const out = new Balancer().order({ ...req(withBackup), routeCandidates: withBackup }, ctx({ affinityKey: 's:1' }))
    expect(out.at(-1)!.providerId).toBe('backup')
    expect(out).toHaveLength(5)
  })

  it('bounded load (opt-in) passes over a session target that is far busier than average', () => {
    const b = new Balancer({ affinityLoadFactor: 1.5 })
    const home = b.order(req(targets), ctx({ affinityKey: 's:hot' }))[0]!.providerId
    const busy = b.order(req(targets), ctx({ affinityKey: 's:hot', inFlight: { [home]: 20 } }))
    expect(busy[0]!.providerId).not.toBe(home)
    expect(busy.at(-1)!.providerId).toBe(home)
  })
})

describe('conversation key', () => {
  it('prefers the X-Switchyard-Session header, then the user field, then Anthropic metadata.user_id', () => {
    const body = { user: 'u1', metadata: { user_id: 'm1' }, messages: [{ role: 'user', content: 'hi' }] }
    expect(conversationKey({ 'x-switchyard-session': 'sess-9' }, body)).toBe('s:sess-9')
    expect(conversationKey({}, body)).toBe('u:u1')
    expect(conversationKey({}, { metadata: { user_id: 'm1' } })).toBe('u:m1')
  })

  it('hashes system prompt + first user message, stable across later turns', () => {
    const turn1 = { messages: [{ role: 'system', content: 'You are terse.' }, { role: 'user', content: 'Explain TCP.' }] }
    const turn2 = { messages: [...turn1.messages, { role: 'assistant', content: 'It is…' }, { role: 'user', content: 'And UDP?' }] }
    const k1 = conversationKey({}, turn1)
    expect(k1).toMatch(/^c:[A-Za-z0-9_-]{22}$/)
    expect(conversationKey({}, turn2)).toBe(k1)
    expect(conversationKey({}, { messages: [{ role: 'system', content: 'You are verbose.' }, turn1.messages[1]] })).not.toBe(k1)
  })

  it('gives the OpenAI and Anthropic shapes of the same conversation the same key', () => {
    const openai = {
      messages: [
        { role: 'system', content: 'Be brief.' },
        { role: 'user', content: [{ type: 'text', text: 'Hello' }] },
      ],
    }
    const anthropic = { system: [{ type: 'text', text: 'Be brief.' }], messages: [{ role: 'user', content: 'Hello' }] }
    expect(conversationKey({}, anthropic)).toBe(conversationKey({}, openai))
    expect(conversationOpening(anthropic)).toBe('Be brief.\u0000Hello')
  })

  it('reads the Responses API and completions shapes; undefined when there is nothing to hash', () => {
    expect(conversationOpening({ instructions: 'sys', input: 'q' })).toBe('sys\u0000q')
    expect(conversationOpening({ prompt: 'Once upon' })).toBe('\u0000Once upon')
    expect(conversationKey({}, { model: 'x' })).toBeUndefined()
  })
})
