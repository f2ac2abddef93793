import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { UsageLedger } from '../../../../src/main/gateway/usage/ledger'
import { safeBaseUrl, UsageWebhook, type WebhookPayload, type WebhookRecord } from '../../../../src/main/gateway/usage/usageWebhook'
import { onCleanup, useCleanup } from '../../../helpers/cleanup'
import { sleep, until } from '../../../helpers/wait'
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

interface Attempt {
  at: number
  key: string
  body: WebhookPayload
}

/**
 * A receiver that takes `answer(n).delayMs` to work on the n-th POST (it keeps working even when
 * the sender gave up and hung up, as real receivers do), then answers `status`. `maxBusy` is the
 * most POSTs it was ever working on at once.
 */
interface SlowReceiver {
  url: string
  attempts: Attempt[]
  busy: number
  maxBusy: number
  close(): Promise<void>
}

async function slowReceiver(answer: (attempt: number) => { delayMs: number; status: number }): Promise<SlowReceiver> {
  const r: SlowReceiver = { url: '', attempts: [], busy: 0, maxBusy: 0, close: async () => {} }
  const timers = new Set<NodeJS.Timeout>()
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => {
      r.attempts.push({ at: performance.now(), key: String(req.headers['idempotency-key']), body: JSON.parse(Buffer.concat(chunks).toString()) as WebhookPayload })
      const { delayMs, status } = answer(r.attempts.length)
      r.busy++
      r.maxBusy = Math.max(r.maxBusy, r.busy)
      const timer = setTimeout(() => {
        timers.delete(timer)
        r.busy--
        if (!res.destroyed) res.writeHead(status, { 'content-type': 'application/json' }).end('{}')
      }, delayMs)
      timers.add(timer)
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  r.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/usage`
  r.close = () =>
    new Promise((resolve) => {
      for (const t of timers) clearTimeout(t)
      server.closeAllConnections()
      server.close(() => resolve())
    })
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
useCleanup()
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

  it('a batch keeps its rows and its key across retries while newer rows arrive, and a slow receiver is not sent it again while it still works on it', async () => {
    const timeoutMs = 150
    // The first POST takes longer than the timeout (the receiver still finishes it); later ones are quick.
    const slow = await slowReceiver((n) => ({ delayMs: n === 1 ? 200 : 5, status: 200 }))
    onCleanup(slow.close)
    for (let i = 0; i < 3; i++) ledger.record(row({ requestId: `first-${i}` }))
    ledger.flushAll()
    const hook = new UsageWebhook({ db: ledger.db, url: slow.url, timeoutMs, baseRetryMs: 10, pollIntervalMs: 30, random: () => 0.5, now: () => 1 })
    hook.start()
    await until(() => slow.attempts.length >= 1, 3_000, 'the first POST')
    for (let i = 0; i < 2; i++) ledger.record(row({ requestId: `later-${i}` }))
    ledger.flushAll()
    await until(() => exported().length === 5, 5_000, 'all rows exported')
    await hook.close()

    const ids = (a: Attempt) => a.body.records.map((r) => r.requestId)
    const [first, retry, next] = slow.attempts
    expect(slow.attempts).toHaveLength(3)
    expect(ids(first!)).toEqual(['first-0', 'first-1', 'first-2'])
    // The retry is the same batch under the same key, though two newer rows were waiting by then.
    expect(ids(retry!)).toEqual(ids(first!))
    expect(retry!.key).toBe(first!.key)
    expect(retry!.body.batchId).toBe(first!.key)
    expect(first!.body.batchId).toBe(first!.key)
    expect(ids(next!)).toEqual(['later-0', 'later-1'])
    expect(next!.key).not.toBe(first!.key)
    // After a timeout the retry waited about the timeout again (timer slack on a loaded machine
    // aside): never two POSTs being worked on at once.
    expect(retry!.at - first!.at).toBeGreaterThanOrEqual(1.8 * timeoutMs)
    expect(slow.maxBusy).toBe(1)
  })

  it('a batch formed before a restart is sent again after it, unchanged and under the same key', async () => {
    let status = 500
    const rx2 = await slowReceiver(() => ({ delayMs: 0, status }))
    onCleanup(rx2.close)
    for (let i = 0; i < 5; i++) ledger.record(row({ requestId: `r${i}` }))
    ledger.flushAll()
    const before = new UsageWebhook({ db: ledger.db, url: rx2.url, batchSize: 3, baseRetryMs: 10, now: () => 1 })
    before.start()
    await until(() => rx2.attempts.length >= 1, 3_000, 'a refused POST')
    await before.close()
    const refused = rx2.attempts[0]!
    expect(refused.body.records.map((r) => r.requestId)).toEqual(['r0', 'r1', 'r2'])

    ledger.record(row({ requestId: 'r5' }))
    ledger.flushAll()
    status = 200
    const seen = rx2.attempts.length
    const after = new UsageWebhook({ db: ledger.db, url: rx2.url, batchSize: 10, baseRetryMs: 10, pollIntervalMs: 20 })
    after.start()
    await until(() => exported().length === 6, 5_000, 'all rows exported')
    await after.close()
    const resent = rx2.attempts.slice(seen)
    expect(resent.map((a) => a.body.records.map((r) => r.requestId))).toEqual([['r0', 'r1', 'r2'], ['r3', 'r4', 'r5']])
    expect(resent[0]!.key).toBe(refused.key)
    expect(resent[0]!.body.batchId).toBe(refused.key)
    expect(resent[1]!.key).not.toBe(refused.key)
  })

  it('a delivery asked for while one is under way joins it instead of posting the batch again', async () => {
    const rx3 = await slowReceiver(() => ({ delayMs: 100, status: 200 }))
    onCleanup(rx3.close)
    for (let i = 0; i < 3; i++) ledger.record(row({ requestId: `c${i}` }))
    ledger.flushAll()
    const hook = new UsageWebhook({ db: ledger.db, url: rx3.url, now: () => 1 })
    const results = await Promise.all([hook.sendBatch(), hook.sendBatch(), sleep(20).then(() => hook.sendBatch())])
    await hook.close()
    expect(results).toEqual([3, 3, 3])
    expect(rx3.attempts).toHaveLength(1)
    expect(exported()).toEqual(['c0', 'c1', 'c2'])
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
