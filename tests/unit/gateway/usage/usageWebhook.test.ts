import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { UsageLedger } from '../../../../src/main/gateway/usage/ledger'
import { safeBaseUrl, UsageWebhook, type WebhookRecord } from '../../../../src/main/gateway/usage/usageWebhook'
import { until } from '../../../helpers/wait'
import { inFlight, row, tempDir } from './ledgerHelpers'

interface Receiver {
  url: string
  attempts: number
  /** Records of the deliveries that were answered 2xx. */
  accepted: WebhookRecord[]
  keys: string[]
  respond: (attempt: number) => number
  close(): Promise<void>
}

async function receiver(respond: (attempt: number) => number): Promise<Receiver> {
  const r: Receiver = { url: '', attempts: 0, accepted: [], keys: [], respond, close: async () => {} }
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => {
      r.attempts++
      const status = r.respond(r.attempts)
      if (status >= 200 && status < 300) {
        r.accepted.push(...(JSON.parse(Buffer.concat(chunks).toString()) as { records: WebhookRecord[] }).records)
        r.keys.push(String(req.headers['idempotency-key']))
      }
      res.writeHead(status, { 'content-type': 'application/json' }).end('{}')
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  r.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/usage`
  r.close = () => new Promise((resolve) => server.close(() => resolve()))
  return r
}

let tmp: ReturnType<typeof tempDir>
let ledger: UsageLedger
let rx: Receiver | undefined
const exported = () => ledger.db.prepare('SELECT request_id FROM requests WHERE exported = 1 ORDER BY id').all().map((r) => (r as { request_id: string }).request_id)

beforeEach(() => {
  tmp = tempDir()
  ledger = UsageLedger.open({ dataDir: tmp.dir })
})
afterEach(async () => {
  await rx?.close()
  rx = undefined
  ledger.close()
  tmp.cleanup()
})

describe('usage webhook', () => {
  it('retries with backoff, marks rows exported only after a 2xx, and sends each once', async () => {
    rx = await receiver((n) => (n <= 2 ? 503 : 200))
    const rows = Array.from({ length: 7 }, (_, i) => row({ requestId: `req-${i}`, provider: 'openai' }))
    const pending = row({ requestId: 'still-running' })
    for (const r of rows) ledger.record(r)
    ledger.begin(inFlight(pending))
    ledger.flushAll()
    const hook = new UsageWebhook({
      db: ledger.db,
      url: rx.url,
      batchSize: 3,
      baseRetryMs: 20,
      pollIntervalMs: 50,
      random: () => 0.5,
      now: () => 1, // enabled "before" every row
      providerBaseUrl: () => 'https://user:s3cret@api.openai.com/v1/?key=sk-live',
    })
    hook.start()
    await until(() => exported().length === 7, 5_000)
    await hook.close()
    expect(rx.attempts).toBe(2 + 3) // two refusals, then 3 + 3 + 1 rows
    expect(rx.accepted.map((r) => r.requestId).sort()).toEqual(rows.map((r) => r.requestId).sort())
    expect(exported()).not.toContain('still-running')
    expect(new Set(rx.keys).size).toBe(3)
    const rec = rx.accepted[0]
    expect(rec).toMatchObject({ app: 'aider', provider: 'openai', providerBaseUrl: 'https://api.openai.com/v1', routeModel: 'local', upstreamModel: 'qwen2.5-7b', promptTokens: 100, completionTokens: 20, totalTokens: 120, stream: true, endpoint: '/chat/completions' })
    expect(Date.parse(rec.timestamp)).toBe(rows[0].ts)
    expect(JSON.stringify(rx.accepted)).not.toMatch(/s3cret|sk-live/)
    expect(hook.status()).toMatchObject({ sent: 7, failures: 0 })
  })

  it('nothing acknowledged is lost or sent twice across restarts', async () => {
    rx = await receiver(() => 500)
    for (let i = 0; i < 5; i++) ledger.record(row({ requestId: `r${i}` }))
    ledger.flushAll()
    const first = new UsageWebhook({ db: ledger.db, url: rx.url, baseRetryMs: 10, now: () => 1 })
    first.start()
    await until(() => rx!.attempts >= 2, 5_000)
    await first.close()
    expect(exported()).toEqual([])
    rx.respond = () => 200
    const second = new UsageWebhook({ db: ledger.db, url: rx.url, baseRetryMs: 10, pollIntervalMs: 20 })
    second.start()
    await until(() => exported().length === 5, 5_000)
    await second.close()
    expect(rx.accepted.map((r) => r.requestId).sort()).toEqual(['r0', 'r1', 'r2', 'r3', 'r4'])
  })

  it('backoff grows exponentially with jitter, capped', () => {
    const hook = new UsageWebhook({ db: ledger.db, url: 'http://127.0.0.1:9/', baseRetryMs: 1000, maxRetryMs: 8000, random: () => 1 })
    const at = (failures: number) => {
      ;(hook as unknown as { state: { failures: number } }).state.failures = failures
      return hook.backoff()
    }
    expect([1, 2, 3, 4, 5, 9].map(at)).toEqual([1000, 2000, 4000, 8000, 8000, 8000])
    const low = new UsageWebhook({ db: ledger.db, url: 'http://127.0.0.1:9/', baseRetryMs: 1000, random: () => 0 })
    ;(low as unknown as { state: { failures: number } }).state.failures = 3
    expect(low.backoff()).toBe(2000)
  })

  it('safeBaseUrl strips credentials, query and fragment', () => {
    expect(safeBaseUrl('https://u:p@host.example:8443/v1/?api-key=x#f')).toBe('https://host.example:8443/v1')
    expect(safeBaseUrl('not a url')).toBeNull()
    expect(safeBaseUrl(undefined)).toBeNull()
  })
})
