// The config's `usage` section applied by a running gateway, at start and on change: retention
// (old rows deleted, rollups kept; also periodically), the `day` time zone, the webhook (headers
// resolved from env: references, restarted on change, nothing sent twice across a restart), plus
// the online backup of usage.db and the periodic WAL checkpoint.
import fs from 'node:fs'
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import os from 'node:os'
import path from 'node:path'
import Database from 'better-sqlite3'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createGateway, type Gateway } from '../../../src/main/gateway/createGateway'
import { createLogger } from '../../../src/main/gateway/common/log'
import { UsageService } from '../../../src/main/gateway/usage/usageService'
import type { UsageRow } from '../../../src/main/gateway/usage/types'
import { captureLogs, envSecrets, memoryConfigStore, startTestGateway, type TestGateway } from '../../helpers/gateway'
import { startMockBackend, type MockBackend } from '../../helpers/mockBackend'
import { postJson } from '../../helpers/http'
import { until } from '../../helpers/wait'
import { ledgerRow } from './usageHelpers'

const DAY = 86_400_000

function oldRow(requestId: string, ts: number): UsageRow {
  return {
    requestId, ts, app: 'old-app', provider: 'vllm-a', routeModel: 'qwen2.5-7b', upstreamModel: 'qwen2.5-7b', endpoint: '/chat/completions', stream: false,
    status: 200, state: 'ok', promptTokens: 10, completionTokens: 5, cachedTokens: 0, cacheCreationTokens: 0, reasoningTokens: 0, costUsd: 0,
    latencyMs: 100, ttftMs: 50, attempts: 1, errorClass: null, estimated: false,
  }
}

interface Hook {
  url: string
  posts: Array<{ headers: http.IncomingHttpHeaders; records: Array<Record<string, unknown>> }>
  close(): Promise<void>
}

async function startReceiver(): Promise<Hook> {
  const posts: Hook['posts'] = []
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => {
      posts.push({ headers: req.headers, records: (JSON.parse(Buffer.concat(chunks).toString()) as { records: Array<Record<string, unknown>> }).records })
      res.writeHead(200).end()
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/ingest`, posts, close: () => new Promise((r) => server.close(() => r())) }
}

describe('usage config: retention and time zone', () => {
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

  it('defaults to 365 days; a shorter retention deletes older rows at once and keeps the rollups', async () => {
    expect(gw.store.get().usage).toEqual({ retentionDays: 365 })
    expect(gw.gateway.usage.ledger.retentionDays).toBe(365)
    const now = Date.now()
    const ledger = gw.gateway.usage.ledger
    ledger.record(oldRow('d10', now - 10 * DAY))
    ledger.record(oldRow('d100', now - 100 * DAY))
    ledger.record(oldRow('d300', now - 300 * DAY))
    ledger.flushAll()
    const res = await postJson(gw.url, '/v1/chat/completions', { model: 'qwen2.5-7b', messages: [] })
    await ledgerRow(gw.gateway, res.headers['x-request-id'])
    const ids = () => (ledger.db.prepare('SELECT request_id FROM requests').all() as Array<{ request_id: string }>).map((r) => r.request_id)
    expect(ids()).toEqual(expect.arrayContaining(['d10', 'd100', 'd300']))
    const before = await gw.gateway.api.getUsage({ from: new Date(now - 400 * DAY).toISOString(), to: new Date(now - DAY).toISOString() })

    await gw.store.set({ ...gw.store.get(), usage: { retentionDays: 50 } })
    expect(ids()).toContain('d10')
    expect(ids()).not.toContain('d100')
    expect(ids()).not.toContain('d300')
    expect(ids()).toContain(String(res.headers['x-request-id']))
    // Rollups are kept: the totals over the old period do not change.
    const after = await gw.gateway.api.getUsage({ from: new Date(now - 400 * DAY).toISOString(), to: new Date(now - DAY).toISOString() })
    expect(after.rows).toEqual(before.rows)
    expect(after.rows[0]).toMatchObject({ requests: 3, promptTokens: 30 })

    // 0 keeps every row from then on.
    await gw.store.set({ ...gw.store.get(), usage: { retentionDays: 0 } })
    ledger.record(oldRow('d5000', now - 5000 * DAY))
    ledger.flushAll()
    expect(ledger.applyRetention()).toBe(0)
    expect(ids()).toContain('d5000')
  })

  it('rejects invalid usage settings (strict, validated)', async () => {
    for (const usage of [{ retentionDays: -1 }, { retentionDays: 1.5 }, { timeZone: 'Mars/Olympus_Mons' }, { retention: 30 }, { webhook: { url: 'ftp://x' } }, { webhook: { url: 'http://x', secret: 1 } }]) {
      await expect(gw.store.set({ ...gw.store.get(), usage })).rejects.toThrow(/usage/)
    }
  })

  it('timeZone decides the local day of "today" and of `day` buckets, and follows config changes', async () => {
    const dayIn = (tz: string) => new Intl.DateTimeFormat('en-CA', { timeZone: tz, year: 'numeric', month: '2-digit', day: '2-digit' }).format(Date.now())
    // UTC+14 and UTC-11 are 25 hours apart: never the same date.
    await gw.store.set({ ...gw.store.get(), usage: { retentionDays: 365, timeZone: 'Pacific/Kiritimati' } })
    expect((await gw.gateway.api.getTodayUsage(undefined)).day).toBe(dayIn('Pacific/Kiritimati'))
    await gw.store.set({ ...gw.store.get(), usage: { retentionDays: 365, timeZone: 'Pacific/Pago_Pago' } })
    const today = await gw.gateway.api.getTodayUsage(undefined)
    expect(today.day).toBe(dayIn('Pacific/Pago_Pago'))
    const { rows } = await gw.gateway.api.getUsage({ groupBy: 'day', from: new Date(Date.now() - 3_600_000).toISOString() })
    expect(rows.map((r) => r.day)).toEqual([dayIn('Pacific/Pago_Pago')])
  })

  it('an online backup while traffic flows is a complete, consistent database', async () => {
    const file = path.join(gw.gateway.dataDir, 'backups', 'usage-copy.db')
    const traffic = Promise.all(Array.from({ length: 20 }, () => postJson(gw.url, '/v1/chat/completions', { model: 'qwen2.5-7b', messages: [] })))
    const first = await postJson(gw.url, '/v1/chat/completions', { model: 'qwen2.5-7b', messages: [] })
    const id = String(first.headers['x-request-id'])
    await ledgerRow(gw.gateway, id)
    await gw.gateway.usage.backupTo(file)
    await traffic
    const copy = new Database(file, { readonly: true })
    try {
      expect(copy.pragma('integrity_check', { simple: true })).toBe('ok')
      expect(copy.prepare('SELECT state FROM requests WHERE request_id = ?').get(id)).toEqual({ state: 'ok' })
      expect((copy.prepare('SELECT count(*) AS n FROM rollups_hourly').get() as { n: number }).n).toBeGreaterThan(0)
    } finally {
      copy.close()
    }
    expect(fs.readdirSync(path.dirname(file))).toEqual(['usage-copy.db']) // no partial file left behind
    await expect(gw.gateway.usage.backupTo(gw.gateway.usage.ledger.file)).rejects.toThrow(/live database/)
  })
})

describe('usage ledger housekeeping (periodic)', () => {
  it('deletes expired rows and checkpoints the WAL on its own timers', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sy-housekeeping-'))
    const service = new UsageService({ dataDir: dir, ledger: { retentionDays: 30, retentionIntervalMs: 50, checkpointIntervalMs: 50 } })
    try {
      const now = Date.now()
      for (let i = 0; i < 200; i++) service.ledger.record(oldRow(`old${i}`, now - 40 * DAY))
      service.ledger.record(oldRow('fresh', now - DAY))
      service.ledger.flushAll()
      const wal = path.join(dir, 'usage.db-wal')
      expect(fs.statSync(wal).size).toBeGreaterThan(0)
      await until(() => (service.ledger.db.prepare('SELECT count(*) AS n FROM requests').get() as { n: number }).n === 1, 5_000, 'periodic retention')
      await until(() => fs.statSync(wal).size === 0, 5_000, 'a WAL checkpoint (TRUNCATE)')
      expect((service.ledger.db.prepare('SELECT sum(requests) AS n FROM rollups_hourly').get() as { n: number }).n).toBe(201)
    } finally {
      await service.close()
      fs.rmSync(dir, { recursive: true, force: true })
    }
  })
})

describe('usage config: webhook', () => {
  let vllm: MockBackend
  let hook: Hook
  let dataDir: string

  beforeAll(async () => {
    vllm = await startMockBackend({ flavor: 'vllm', models: ['qwen2.5-7b'] })
    hook = await startReceiver()
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'sy-webhook-'))
  })
  afterAll(async () => {
    await Promise.all([vllm?.close(), hook?.close()])
    fs.rmSync(dataDir, { recursive: true, force: true })
  })

  const config = (webhook?: object) => ({
    providers: [{ id: 'vllm-a', kind: 'vllm', baseUrl: `${vllm.baseUrl}`, models: ['qwen2.5-7b'], apiKey: 'sk-provider-secret' }],
    usage: { retentionDays: 365, ...(webhook ? { webhook } : {}) },
  })

  async function start(initial: unknown): Promise<{ gateway: Gateway; store: ReturnType<typeof memoryConfigStore>; url: string }> {
    const store = memoryConfigStore(initial)
    const gateway = createGateway({
      configStore: store,
      secrets: envSecrets({ HOOK_TOKEN: 'hook-token-from-env' }),
      dataDir,
      logger: createLogger({ level: 'warn', destination: captureLogs().stream }),
      sideChannels: false,
    })
    const status = await gateway.start({ host: '127.0.0.1', port: 0 })
    return { gateway, store, url: status.url! }
  }

  it('posts ledger rows with the resolved headers, restarts on change, stops when removed, and never sends a row twice across a restart', async () => {
    const webhook = { url: hook.url, headers: { authorization: 'env:HOOK_TOKEN', 'x-team': 'ml' }, batchSize: 2 }
    const a = await start(config(webhook))
    // The admin view masks the literal header value, keeps the env: reference.
    expect((await a.gateway.api.getConfig(undefined)).usage.webhook?.headers).toEqual({ authorization: 'env:HOOK_TOKEN', 'x-team': '********' })
    const ids: string[] = []
    for (let i = 0; i < 3; i++) {
      const res = await postJson(a.url, '/v1/chat/completions', { model: 'qwen2.5-7b', messages: [], stream: i === 1 }, { 'x-switchyard-app': 'hooked' })
      ids.push(String(res.headers['x-request-id']))
      await ledgerRow(a.gateway, ids[i])
    }
    // A config change to the webhook restarts it: it sends at once.
    await a.store.set(config({ ...webhook, batchSize: 3 }))
    await until(() => hook.posts.flatMap((p) => p.records).length >= 3, 5_000, 'webhook delivery')
    const records = hook.posts.flatMap((p) => p.records)
    expect(records.map((r) => r.requestId)).toEqual(ids)
    expect(hook.posts[0]!.headers.authorization).toBe('hook-token-from-env')
    expect(hook.posts[0]!.headers['x-team']).toBe('ml')
    expect(records[1]).toMatchObject({ app: 'hooked', routeModel: 'qwen2.5-7b', upstreamModel: 'qwen2.5-7b', provider: 'vllm-a', providerBaseUrl: vllm.baseUrl, promptTokens: 12, completionTokens: 4, totalTokens: 16, stream: true, endpoint: '/chat/completions' })
    expect(typeof records[0]!.timestamp).toBe('string')
    expect(JSON.stringify(hook.posts)).not.toContain('sk-provider-secret')

    // Removing the webhook stops deliveries.
    await a.store.set(config())
    const delivered = hook.posts.length
    const later = await postJson(a.url, '/v1/chat/completions', { model: 'qwen2.5-7b', messages: [] })
    await ledgerRow(a.gateway, later.headers['x-request-id'])
    await a.gateway.stop(0)

    // Restart on the same data dir with the webhook on again: what was acknowledged is not resent;
    // the row recorded while it was off is (it is after the first enable).
    const b = await start(config(webhook))
    try {
      await until(() => hook.posts.length > delivered, 5_000, 'the backlog after restart')
      await new Promise((r) => setTimeout(r, 200))
      const resent = hook.posts.slice(delivered).flatMap((p) => p.records.map((r) => r.requestId))
      expect(resent).toEqual([later.headers['x-request-id']])
    } finally {
      await b.gateway.stop(0)
    }
  })

  it('usage.webhook.timeoutMs applies: a receiver slower than it gets the same batch again under the same key, and each row is marked once acknowledged', async () => {
    // First POST: slower than the configured timeout (the receiver still finishes it); then quick.
    const posts: Array<{ key: string; batchId: unknown; ids: string[] }> = []
    const timers = new Set<NodeJS.Timeout>()
    const slow = http.createServer((req, res) => {
      const chunks: Buffer[] = []
      req.on('data', (c: Buffer) => chunks.push(c))
      req.on('end', () => {
        const body = JSON.parse(Buffer.concat(chunks).toString()) as { batchId?: unknown; records: Array<{ requestId: string }> }
        posts.push({ key: String(req.headers['idempotency-key']), batchId: body.batchId, ids: body.records.map((r) => r.requestId) })
        const timer = setTimeout(() => {
          timers.delete(timer)
          if (!res.destroyed) res.writeHead(200).end()
        }, posts.length === 1 ? 600 : 0)
        timers.add(timer)
      })
    })
    await new Promise<void>((resolve) => slow.listen(0, '127.0.0.1', resolve))
    const url = `http://127.0.0.1:${(slow.address() as AddressInfo).port}/ingest`
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sy-webhook-timeout-'))
    const store = memoryConfigStore(config({ url, timeoutMs: 250 }))
    const gateway = createGateway({ configStore: store, secrets: envSecrets(), dataDir: dir, logger: createLogger({ level: 'warn', destination: captureLogs().stream }), sideChannels: false })
    try {
      const status = await gateway.start({ host: '127.0.0.1', port: 0 })
      expect((await gateway.api.getConfig(undefined)).usage.webhook).toEqual({ url, timeoutMs: 250 })
      const ids: string[] = []
      for (let i = 0; i < 2; i++) {
        const res = await postJson(status.url!, '/v1/chat/completions', { model: 'qwen2.5-7b', messages: [] })
        ids.push(String(res.headers['x-request-id']))
        await ledgerRow(gateway, ids[i])
      }
      // Restart the webhook so it sends now instead of at its next 5 s poll.
      await store.set(config({ url, timeoutMs: 251 }))
      const exportedCount = () => (gateway.usage.ledger.db.prepare('SELECT count(*) AS n FROM requests WHERE exported = 1').get() as { n: number }).n
      await until(() => exportedCount() === 2, 6_000, 'the batch acknowledged')
      expect(posts.length).toBeGreaterThanOrEqual(2) // the default 10 s timeout would have waited for the slow answer
      for (const post of posts) {
        expect(post.ids).toEqual(ids)
        expect(post.key).toBe(posts[0]!.key)
        expect(post.batchId).toBe(posts[0]!.key)
      }
      expect(gateway.usage.webhookStatus()).toMatchObject({ sent: 2, failures: 0 })
    } finally {
      await gateway.stop(0)
      for (const t of timers) clearTimeout(t)
      slow.closeAllConnections()
      await new Promise<void>((resolve) => slow.close(() => resolve()))
      fs.rmSync(dir, { recursive: true, force: true })
    }
  }, 15_000)

})
