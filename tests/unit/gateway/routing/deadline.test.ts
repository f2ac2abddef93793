import { describe, expect, it } from 'vitest'
import { requestDeadline } from '../../../../src/main/gateway/routing/deadline'

describe('requestDeadline', () => {
  const t0 = 1_700_000_000_000

  it('reads X-Switchyard-Timeout (seconds, fractions allowed)', () => {
    expect(requestDeadline({ 'x-switchyard-timeout': '2.5' }, t0)).toBe(t0 + 2_500)
  })

  it("reads the OpenAI / Anthropic SDKs' X-Stainless-Timeout; the explicit header wins", () => {
    expect(requestDeadline({ 'x-stainless-timeout': '600' }, t0)).toBe(t0 + 600_000)
    expect(requestDeadline({ 'x-stainless-timeout': '600', 'x-switchyard-timeout': '30' }, t0)).toBe(t0 + 30_000)
  })

  it('ignores absent, zero (a truncated sub-second timeout) and malformed values', () => {
    expect(requestDeadline({}, t0)).toBeUndefined()
    expect(requestDeadline({ 'x-stainless-timeout': '0' }, t0)).toBeUndefined()
    for (const bad of ['', 'soon', '-5', '1e3', 'Infinity', '10s']) expect(requestDeadline({ 'x-switchyard-timeout': bad }, t0)).toBeUndefined()
    // A malformed explicit header falls through to the SDK's.
    expect(requestDeadline({ 'x-switchyard-timeout': 'soon', 'x-stainless-timeout': '60' }, t0)).toBe(t0 + 60_000)
  })
})
