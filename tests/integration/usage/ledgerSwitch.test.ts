// `usage.ledger: false` (the bench's ledger-off baseline, and for users who want no per-request
// rows): requests are still metered — /metrics counts them — but no row reaches usage.db. The
// switch applies live, and absent means on.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startMockBackend, type MockBackend } from '../../helpers/mockBackend'
import { startTestGateway, type TestGateway } from '../../helpers/gateway'
import { postJson, request } from '../../helpers/http'
import { ledgerRow } from './usageHelpers'

describe('usage.ledger switch', () => {
  let vllm: MockBackend
  let gw: TestGateway

  beforeAll(async () => {
    vllm = await startMockBackend({ flavor: 'vllm', models: ['qwen2.5-7b'] })
    gw = await startTestGateway({ providers: [{ id: 'vllm-a', kind: 'vllm', baseUrl: vllm.baseUrl, models: ['qwen2.5-7b'] }] })
  })
  afterAll(async () => {
    await gw?.close()
    await vllm?.close()
  })

  const rowCount = (): number => {
    gw.gateway.usage.ledger.flushAll()
    return (gw.gateway.usage.ledger.db.prepare('SELECT count(*) AS n FROM requests').get() as { n: number }).n
  }
  const served = async (): Promise<number> => {
    const res = await request(gw.url, { path: '/metrics' })
    const m = /^switchyard_requests_total\{[^}]*provider="vllm-a"[^}]*status="200"[^}]*\} (\d+)$/m.exec(res.text)
    return m ? Number(m[1]) : 0
  }

  it('is on by default; off stops the rows but not the metrics; on again records again', async () => {
    expect(gw.gateway.usage.recording).toBe(true)
    const first = await postJson(gw.url, '/v1/chat/completions', { model: 'qwen2.5-7b', messages: [{ role: 'user', content: 'hi' }] })
    expect(first.status).toBe(200)
    await ledgerRow(gw.gateway, first.headers['x-request-id'])
    const rowsBefore = rowCount()
    const metricBefore = await served()

    await gw.store.set({ ...gw.store.get(), usage: { retentionDays: 365, ledger: false } })
    expect(gw.gateway.usage.recording).toBe(false)
    for (let i = 0; i < 3; i++) {
      const res = await postJson(gw.url, '/v1/chat/completions', { model: 'qwen2.5-7b', messages: [{ role: 'user', content: 'hi' }] })
      expect(res.status).toBe(200)
    }
    // Metering finishes just after the response; give it a moment before counting.
    await new Promise((r) => setTimeout(r, 50))
    expect(rowCount()).toBe(rowsBefore)
    expect(await served()).toBe(metricBefore + 3)

    await gw.store.set({ ...gw.store.get(), usage: { retentionDays: 365 } })
    expect(gw.gateway.usage.recording).toBe(true)
    const again = await postJson(gw.url, '/v1/chat/completions', { model: 'qwen2.5-7b', messages: [{ role: 'user', content: 'hi' }] })
    await ledgerRow(gw.gateway, again.headers['x-request-id'])
    expect(rowCount()).toBe(rowsBefore + 1)
  })
})
