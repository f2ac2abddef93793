import { describe, expect, it } from 'vitest'
import { packBegin, packFinal, unpack } from '../../../src/main/gateway/usage/ledgerOps'
import type { InFlightRow, UsageRow } from '../../../src/main/gateway/usage/types'

describe('ledger operations as they cross to the writer thread', () => {
  it('a final row comes back with every field (Required<>: a new field must be added here, and to the packing)', () => {
    const row: Required<UsageRow> = {
      requestId: 'r1',
      ts: 1,
      app: 'app',
      provider: 'p',
      routeModel: 'route',
      upstreamModel: 'up',
      endpoint: 'chat',
      stream: true,
      status: 200,
      state: 'ok',
      promptTokens: 2,
      completionTokens: 3,
      cachedTokens: 4,
      cacheCreationTokens: 5,
      reasoningTokens: 6,
      costUsd: 0.5,
      latencyMs: 7,
      ttftMs: 8,
      attempts: 9,
      errorClass: 'none',
      estimated: true,
      path: [{ provider: 'p', model: 'up', outcome: 'ok', status: 200, latencyMs: 7 }],
      keyLabel: 'alpha',
      queueWaitMs: 10,
    }
    expect(unpack(packFinal(row), 3)).toEqual({ kind: 'final', row, seq: 3 })
  })

  it('an in-flight marker comes back with every field', () => {
    const row: Required<InFlightRow> = { requestId: 'r2', ts: 1, app: 'a', provider: 'p', routeModel: 'r', upstreamModel: 'u', endpoint: 'messages', stream: false }
    expect(unpack(packBegin(row))).toEqual({ kind: 'begin', row, seq: undefined })
  })
})
