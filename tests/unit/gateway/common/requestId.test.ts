import { describe, expect, it } from 'vitest'
import { newRequestId } from '../../../../src/main/gateway/common/requestId'

const msOf = (id: string): number => parseInt(id.slice(0, 8) + id.slice(9, 13), 16)

describe('newRequestId', () => {
  it('makes version 7 UUIDs (RFC 9562) that carry the millisecond they were made at', () => {
    const before = Date.now()
    const ids = Array.from({ length: 600 }, () => newRequestId())
    const after = Date.now()
    for (const id of ids) {
      expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/)
      expect(msOf(id)).toBeGreaterThanOrEqual(before)
      // 600 ids may borrow a millisecond or two from the counter, never more.
      expect(msOf(id)).toBeLessThanOrEqual(after + 1)
    }
  })

  it('increases strictly, within one millisecond too (so the ledger index only ever appends)', () => {
    const ids = Array.from({ length: 20_000 }, () => newRequestId())
    for (let i = 1; i < ids.length; i++) expect(ids[i]! > ids[i - 1]!).toBe(true)
    // Many ids in one millisecond: the counter orders them, and spills into the next millisecond.
    const t = Date.now() + 10_000
    const burst = Array.from({ length: 5000 }, () => newRequestId(t))
    for (let i = 1; i < burst.length; i++) expect(burst[i]! > burst[i - 1]!).toBe(true)
    expect(msOf(burst[0]!)).toBe(t)
    expect(msOf(burst.at(-1)!)).toBeGreaterThan(t)
    // A clock that goes back does not make an id smaller than the last one.
    expect(newRequestId(t - 5000) > burst.at(-1)!).toBe(true)
  })

  it('never repeats, across refills of its random pool', () => {
    const ids = new Set(Array.from({ length: 2000 }, () => newRequestId()))
    expect(ids.size).toBe(2000)
  })

  it('uses every hex digit in every random position', () => {
    const seen = Array.from({ length: 36 }, () => new Set<string>())
    for (let i = 0; i < 4000; i++) [...newRequestId()].forEach((c, at) => seen[at]!.add(c))
    const counts = seen.map((s) => s.size)
    expect(counts[14]).toBe(1) // the version digit
    expect(counts[19]).toBe(4) // the variant digit: 8, 9, a or b
    for (const at of [20, 24, 28, 35]) expect(counts[at]).toBe(16)
  })
})
