// Each request's queue wait in the ledger: how long admission held it before its first lease, as
// the request explorer shows it. maxConcurrent=1 in front of a slow backend makes the wait exact.
import { afterEach, describe, expect, it } from 'vitest'
import type { RequestLogEntry } from '../../../src/shared/api'
import { startTestGateway, type TestGateway } from '../../helpers/gateway'
import { postJson } from '../../helpers/http'
import { chat, closeMocks, instrumentedMock, MODEL, queued, until } from './helpers'

const SLOW_MS = 400
/** Timer and scheduling slack on two shared cores. */
const SLACK_MS = 60

let gw: TestGateway | undefined
afterEach(async () => {
  await gw?.close()
  gw = undefined
  await closeMocks()
})

async function rowsByTag(tags: string[]): Promise<RequestLogEntry[]> {
  gw!.gateway.usage.ledger.flushAll()
  const items = (await gw!.gateway.api.listRequests({ limit: 50 })).items.filter((r) => r.state !== 'in_flight')
  // Oldest first: the order they were sent in.
  return items.sort((a, b) => a.ts - b.ts).slice(0, tags.length)
}

describe('admission: queue wait per request', () => {
  it('maxConcurrent=1, slow backend: the second request waited about the first one\'s duration, the first not at all', async () => {
    const { mock } = await instrumentedMock('gpu', SLOW_MS)
    gw = await startTestGateway({ providers: [{ id: 'gpu', kind: 'vllm', baseUrl: mock.baseUrl, models: [MODEL], limits: { maxConcurrent: 1 }, queue: { maxSize: 5, timeoutMs: 10_000 } }] })
    const first = postJson(gw.url, '/v1/chat/completions', chat('first'))
    await until(() => (gw!.gateway.admission.snapshot().gpu?.inFlight ?? 0) === 1, 2_000, 'the first request holds the slot')
    const second = postJson(gw.url, '/v1/chat/completions', chat('second'))
    await until(() => queued(gw!, 'gpu') === 1, 2_000, 'the second request is queued')
    expect((await Promise.all([first, second])).map((r) => r.status)).toEqual([200, 200])

    const [a, b] = await rowsByTag(['first', 'second'])
    expect(a!.queueWaitMs).toBeLessThanOrEqual(SLACK_MS)
    expect(a!.latencyMs).toBeGreaterThanOrEqual(SLOW_MS)
    // It was sent once the first was admitted, so it waited the first one's duration minus that head start.
    expect(b!.queueWaitMs).toBeGreaterThanOrEqual(a!.latencyMs! - (b!.ts - a!.ts) - SLACK_MS)
    // The wait is part of the request's duration, the time to first byte is not.
    expect(b!.latencyMs!).toBeGreaterThanOrEqual(b!.queueWaitMs! + SLOW_MS - SLACK_MS)
  })

  it('a request that timed out in the queue records how long it waited', async () => {
    const { mock } = await instrumentedMock('gpu', 1_000)
    gw = await startTestGateway({ providers: [{ id: 'gpu', kind: 'vllm', baseUrl: mock.baseUrl, models: [MODEL], limits: { maxConcurrent: 1 }, queue: { maxSize: 5, timeoutMs: 250 } }] })
    const first = postJson(gw.url, '/v1/chat/completions', chat('first'))
    await until(() => (gw!.gateway.admission.snapshot().gpu?.inFlight ?? 0) === 1, 2_000, 'the first request holds the slot')
    const second = await postJson(gw.url, '/v1/chat/completions', chat('second'))
    expect(second.status).toBe(429)
    await first
    const [, b] = await rowsByTag(['first', 'second'])
    expect(b!.status).toBe(429)
    expect(b!.queueWaitMs).toBeGreaterThanOrEqual(250 - SLACK_MS)
    expect(b!.queueWaitMs).toBeLessThan(1_000)
  })
})
