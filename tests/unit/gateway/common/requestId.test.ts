import { describe, expect, it } from 'vitest'
import { newRequestId } from '../../../../src/main/gateway/common/requestId'

describe('newRequestId', () => {
  it('makes version 4 UUIDs, as crypto.randomUUID does', () => {
    for (let i = 0; i < 600; i++) expect(newRequestId()).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/)
  })

  it('never repeats, across refills of its random pool', () => {
    const ids = new Set(Array.from({ length: 2000 }, () => newRequestId()))
    expect(ids.size).toBe(2000)
  })

  it('uses every hex digit in every random position', () => {
    const seen = Array.from({ length: 36 }, () => new Set<string>())
    for (let i = 0; i < 2000; i++) [...newRequestId()].forEach((c, at) => seen[at]!.add(c))
    const counts = seen.map((s) => s.size)
    expect(counts[14]).toBe(1) // the version digit
    expect(counts[19]).toBe(4) // the variant digit: 8, 9, a or b
    for (const at of [0, 1, 7, 9, 15, 20, 24, 35]) expect(counts[at]).toBe(16)
  })
})
