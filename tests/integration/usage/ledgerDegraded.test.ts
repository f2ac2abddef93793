// A ledger that cannot write degrades accounting, never proxying: while another connection holds
// an exclusive lock on usage.db (or the disk is "full"), requests through the gateway keep being
// answered, gateway.status().ledgerWarning says so (and a status event goes out), rows wait in a
// bounded backlog, and every row is written once the database takes writes again.
import path from 'node:path'
import Database from 'better-sqlite3'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { GatewayStatus } from '../../../src/shared/api'
import { startMockBackend, type MockBackend } from '../../helpers/mockBackend'
import { startTestGateway, type TestGateway } from '../../helpers/gateway'
import { postJson } from '../../helpers/http'
import { until } from '../../helpers/wait'

describe('usage ledger: locked database or full disk', () => {
  let vllm: MockBackend
  let gw: TestGateway
  const statuses: GatewayStatus[] = []

  beforeAll(async () => {
    vllm = await startMockBackend({ flavor: 'vllm', models: ['qwen2.5-7b'] })
    vllm.usage = { prompt_tokens: 21, completion_tokens: 8 }
    gw = await startTestGateway({ providers: [{ id: 'vllm-a', kind: 'vllm', baseUrl: vllm.baseUrl, models: ['qwen2.5-7b'] }] })
    gw.gateway.events.on('status', (s) => statuses.push(s))
  })
  afterAll(async () => {
    await gw?.close()
    await vllm?.close()
  })

  const send = async (n: number, app: string): Promise<string[]> => {
    const ids: string[] = []
    for (let i = 0; i < n; i++) {
      const started = Date.now()
      const res = await postJson(gw.url, '/v1/chat/completions', { model: 'qwen2.5-7b', messages: [{ role: 'user', content: 'hi' }], stream: i % 2 === 0 }, { 'x-switchyard-app': app })
      expect(res.status).toBe(200)
      // Proxying is not held up by the ledger (a flush attempt waits at most the short busy timeout).
      expect(Date.now() - started).toBeLessThan(1000)
      ids.push(String(res.headers['x-request-id']))
    }
    return ids
  }

  const storedOk = (ids: string[]): number => {
    const db = gw.gateway.usage.ledger.db
    const stmt = db.prepare("SELECT count(*) AS n FROM requests WHERE request_id = ? AND state = 'ok' AND prompt_tokens = 21 AND completion_tokens = 8")
    return ids.reduce((n, id) => n + (stmt.get(id) as { n: number }).n, 0)
  }

  it('another connection holding an exclusive lock: traffic flows, a warning shows, rows land after the lock goes away', async () => {
    const locker = new Database(path.join(gw.gateway.dataDir, 'usage.db'))
    locker.exec('BEGIN EXCLUSIVE')
    let ids: string[] = []
    try {
      ids = await send(30, 'locked-test')
      await until(() => gw.gateway.status().ledgerWarning !== undefined, 3000, 'the ledger warning')
      const warning = gw.gateway.status().ledgerWarning!
      expect(warning).toMatch(/usage accounting is degraded/)
      expect(warning).toMatch(/SQLITE_BUSY|locked/i)
      expect(statuses.some((s) => s.ledgerWarning !== undefined)).toBe(true)
      const health = gw.gateway.usage.health()
      expect(health.state).toBe('degraded')
      expect(health.backlog).toBeGreaterThan(0)
      expect(health.dropped).toBe(0)
      // Queries still answer (WAL readers are not blocked by a writer's lock).
      expect((await gw.gateway.api.listRequests({ limit: 5 })).items.length).toBeGreaterThanOrEqual(0)
      expect(storedOk(ids)).toBe(0)
    } finally {
      locker.exec('COMMIT')
      locker.close()
    }
    // The ledger retries on its own (backoff capped at 5 s).
    await until(() => gw.gateway.status().ledgerWarning === undefined && gw.gateway.usage.health().backlog === 0, 8000, 'recovery')
    expect(storedOk(ids)).toBe(30)
    expect(statuses.at(-1)!.ledgerWarning).toBeUndefined()
    const { rows } = await gw.gateway.api.getUsage({ groupBy: 'app' })
    expect(rows.find((r) => r.app === 'locked-test')).toMatchObject({ requests: 30, promptTokens: 30 * 21, completionTokens: 30 * 8 })
  })

  it('a full disk (page limit reached): same degradation and recovery', async () => {
    const ledger = gw.gateway.usage.ledger
    const pages = ledger.db.pragma('page_count', { simple: true }) as number
    // The page limit is a setting of the connection that writes (the ledger's worker thread).
    ledger.writerPragma(`max_page_count = ${pages}`)
    let ids: string[] = []
    try {
      ids = await send(200, 'full-test')
      await until(() => gw.gateway.status().ledgerWarning !== undefined, 3000, 'the ledger warning')
      expect(gw.gateway.status().ledgerWarning).toMatch(/SQLITE_FULL|full/i)
    } finally {
      ledger.writerPragma('max_page_count = 1073741823')
    }
    await until(() => gw.gateway.status().ledgerWarning === undefined && gw.gateway.usage.health().backlog === 0, 8000, 'recovery')
    expect(storedOk(ids)).toBe(200)
  })
})
