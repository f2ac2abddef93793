// The request explorer's queries over 12,000 ledger rows: every filter against a brute-force
// filter of the same rows, keyset paging that visits each row exactly once, and query plans that
// use an index for each filter and never sort.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { UsageLedger } from '../../../../src/main/gateway/usage/ledger'
import { RequestQueries } from '../../../../src/main/gateway/usage/requestQueries'
import type { UsageRow } from '../../../../src/main/gateway/usage/types'
import type { RequestQuery } from '../../../../src/shared/api'
import { seededRandom } from '../../../helpers/random'
import { row, tempDir } from './ledgerHelpers'

const NOW = Date.UTC(2026, 4, 10, 12)
const N = 12_000
let tmp: ReturnType<typeof tempDir>
let ledger: UsageLedger
let queries: RequestQueries
let rows: UsageRow[]

beforeAll(() => {
  tmp = tempDir()
  ledger = UsageLedger.open({ dataDir: tmp.dir, now: () => NOW, retentionDays: 0 })
  const random = seededRandom(7)
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)]!
  rows = []
  for (let i = 0; i < N; i++) {
    const status = pick([200, 200, 200, 200, 200, 404, 429, 502, 504])
    rows.push(
      row({
        requestId: `r${String(i).padStart(6, '0')}-${Math.floor(random() * 1e6)}`,
        // Several rows share a millisecond: paging must still visit each exactly once.
        ts: NOW - 30 * 86_400_000 + Math.floor(i / 3) * 600_000,
        app: pick(['aider', 'claude-code', 'codex', 'unknown']),
        provider: pick(['ollama', 'vllm-a', 'openai']),
        routeModel: pick(['gpt-4o', 'claude-sonnet-4-5', 'local']),
        endpoint: pick(['/v1/chat/completions', '/v1/messages', '/v1/responses']),
        status,
        state: status === 200 ? pick(['ok', 'ok', 'ok', 'error']) : 'error',
        errorClass: status === 200 ? null : `http_${status}`,
      }),
    )
  }
  for (const r of rows) ledger.record(r)
  ledger.flushAll()
  queries = new RequestQueries(ledger.db)
})

afterAll(() => {
  ledger.close()
  tmp.cleanup()
})

const failed = (r: UsageRow): boolean => r.status >= 400 || r.state !== 'ok'
function expected(q: RequestQuery): UsageRow[] {
  return rows
    .filter((r) => {
      if (q.app !== undefined && r.app !== q.app) return false
      if (q.provider !== undefined && r.provider !== q.provider) return false
      if (q.model !== undefined && r.routeModel !== q.model) return false
      if (q.endpoint !== undefined && r.endpoint !== q.endpoint) return false
      if (q.from !== undefined && r.ts < Date.parse(q.from)) return false
      if (q.to !== undefined && r.ts >= Date.parse(q.to)) return false
      if (q.requestId !== undefined && !r.requestId.startsWith(q.requestId)) return false
      if (q.status === '2xx' && !(r.status >= 200 && r.status < 300)) return false
      if (q.status === '4xx' && !(r.status >= 400 && r.status < 500)) return false
      if (q.status === '5xx' && !(r.status >= 500)) return false
      if (q.status === 'errors' && !failed(r)) return false
      return true
    })
    .sort((a, b) => b.ts - a.ts || rows.indexOf(b) - rows.indexOf(a))
}

function all(q: RequestQuery, pageSize: number): string[] {
  const ids: string[] = []
  let cursor: string | undefined
  for (let pages = 0; pages < 1000; pages++) {
    const page = queries.page({ ...q, limit: pageSize, cursor })
    ids.push(...page.items.map((r) => r.requestId))
    if (!page.nextCursor) break
    expect(page.items).toHaveLength(pageSize)
    cursor = page.nextCursor
  }
  return ids
}

const QUERIES: RequestQuery[] = [
  {},
  { status: 'errors' },
  { status: '4xx' },
  { status: '5xx', provider: 'openai' },
  { status: '2xx', app: 'codex' },
  { app: 'claude-code', model: 'claude-sonnet-4-5' },
  { endpoint: '/v1/responses', from: new Date(NOW - 10 * 86_400_000).toISOString(), to: new Date(NOW - 5 * 86_400_000).toISOString() },
  { model: 'local', status: 'errors' },
  { requestId: 'r0001' },
]

describe('request explorer queries', () => {
  it.each(QUERIES)('%j: pages hold exactly the matching rows, newest first, each once', (q) => {
    const want = expected(q).map((r) => r.requestId)
    expect(want.length).toBeGreaterThan(0)
    const got = all(q, 250)
    expect(got).toEqual(want)
  })

  it('a whole request id finds that one row', () => {
    const target = rows[4321]!
    expect(queries.page({ requestId: target.requestId }).items.map((r) => r.requestId)).toEqual([target.requestId])
  })

  it('a request id is looked up by its index (the few matches are then sorted)', () => {
    expect(queries.plan({ requestId: 'r0001' }).join('\n')).toMatch(/USING INDEX requests_by_request_id/)
  })

  it.each(QUERIES.slice(1, -1))('%j: served by an index, newest first without a sort', (q) => {
    const plan = queries.plan(q).join('\n')
    expect(plan).toMatch(/USING (COVERING )?INDEX|USING INTEGER PRIMARY KEY/)
    expect(plan).not.toMatch(/TEMP B-TREE/)
    expect(plan).not.toMatch(/^SCAN requests$/m)
  })

  it('a deep page costs what the first costs', () => {
    let cursor: string | undefined
    for (let i = 0; i < 40; i++) cursor = queries.page({ limit: 250, cursor }).nextCursor
    const t0 = performance.now()
    for (let i = 0; i < 20; i++) queries.page({ limit: 100, cursor })
    const deep = performance.now() - t0
    const t1 = performance.now()
    for (let i = 0; i < 20; i++) queries.page({ limit: 100 })
    const first = performance.now() - t1
    expect(deep).toBeLessThan(first * 5 + 20)
  })

  it('rejects a forged cursor and a malformed time', () => {
    expect(() => queries.page({ cursor: "1; DROP TABLE requests" })).toThrow(RangeError)
    expect(() => queries.page({ from: 'yesterday' })).toThrow(RangeError)
  })

  it('facets list what can be filtered on', () => {
    const f = queries.facets()
    expect(f.apps).toEqual(['aider', 'claude-code', 'codex', 'unknown'])
    expect(f.providers).toEqual(['ollama', 'openai', 'vllm-a'])
    expect(f.endpoints).toEqual(['/v1/chat/completions', '/v1/messages', '/v1/responses'])
  })
})
