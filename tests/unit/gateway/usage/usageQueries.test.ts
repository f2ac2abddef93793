import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { UsageLedger } from '../../../../src/main/gateway/usage/ledger'
import { csvCell, exportLedger } from '../../../../src/main/gateway/usage/ledgerExport'
import { localDayStart } from '../../../../src/main/gateway/usage/timeRange'
import type { UsageRow } from '../../../../src/main/gateway/usage/types'
import { GROUP_KEYS, UsageQueries, type GroupKey, type UsageAggregate } from '../../../../src/main/gateway/usage/usageQueries'
import { seededRandom } from '../../../helpers/random'
import { inFlight, row, tempDir } from './ledgerHelpers'

const H = 3_600_000
const NOW = Date.UTC(2025, 11, 31, 12)
let tmp: ReturnType<typeof tempDir>
let ledger: UsageLedger

beforeEach(() => {
  tmp = tempDir()
  ledger = UsageLedger.open({ dataDir: tmp.dir, now: () => NOW })
})
afterEach(() => {
  ledger.close()
  tmp.cleanup()
})

function store(rows: UsageRow[]): void {
  for (const r of rows) ledger.record(r)
  ledger.flushAll()
}

/** The obvious, slow answer: group every row in JS. */
function bruteForce(rows: UsageRow[], from: number, to: number, keys: Set<GroupKey>, timeZone: string): UsageAggregate[] {
  const day = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' })
  const groups = new Map<string, UsageAggregate>()
  for (const r of rows) {
    if (r.ts < from || r.ts >= to) continue
    const g: UsageAggregate = { requests: 0, promptTokens: 0, completionTokens: 0, totalTokens: 0, costUsd: 0 }
    if (keys.has('provider')) g.provider = r.provider
    if (keys.has('app')) g.app = r.app
    if (keys.has('model')) g.model = r.upstreamModel || r.routeModel
    if (keys.has('hour')) g.hour = new Date(Math.floor(r.ts / H) * H).toISOString()
    if (keys.has('day')) g.day = day.format(r.ts)
    const k = JSON.stringify([g.day, g.hour, g.provider, g.app, g.model])
    const acc = groups.get(k) ?? groups.set(k, g).get(k)!
    acc.requests++
    acc.promptTokens += r.promptTokens
    acc.completionTokens += r.completionTokens
    acc.totalTokens += r.promptTokens + r.completionTokens
    acc.costUsd = Math.round((acc.costUsd + r.costUsd) * 1e9) / 1e9
  }
  const cmp = (a: UsageAggregate, b: UsageAggregate) => {
    for (const k of ['day', 'hour', 'provider', 'app', 'model'] as const) if ((a[k] ?? '') !== (b[k] ?? '')) return (a[k] ?? '') < (b[k] ?? '') ? -1 : 1
    return 0
  }
  return [...groups.values()].sort(cmp)
}

function randomRows(random: () => number, start: number, spanMs: number, n: number): UsageRow[] {
  const pick = <T>(xs: T[]): T => xs[Math.floor(random() * xs.length)]
  return Array.from({ length: n }, () =>
    row({
      ts: start + Math.floor(random() * spanMs),
      provider: pick(['vllm-a', 'ollama', 'openai']),
      app: pick(['aider', 'cursor']),
      upstreamModel: pick(['qwen2.5-7b', 'gpt-4o', '']),
      state: pick(['ok', 'ok', 'error']),
      promptTokens: Math.floor(random() * 1000),
      completionTokens: Math.floor(random() * 300),
      costUsd: Math.floor(random() * 1e6) / 1e9,
    }),
  )
}

describe('usage grouped over a range', () => {
  // Zones with DST, with :30 and :45 offsets, and with a 30-minute DST shift.
  const cases: Array<[string, number]> = [
    ['America/New_York', Date.UTC(2025, 2, 7)], // DST starts 2025-03-09
    ['America/New_York', Date.UTC(2025, 9, 31)], // DST ends 2025-11-02
    ['Asia/Kolkata', Date.UTC(2025, 5, 1)],
    ['Asia/Kathmandu', Date.UTC(2025, 5, 1)],
    ['Australia/Lord_Howe', Date.UTC(2025, 3, 3)], // DST (+11 -> +10:30) ends 2025-04-06
    ['UTC', Date.UTC(2025, 5, 1)],
  ]
  for (const [zone, start] of cases) {
    it(`equals a brute-force grouping: ${zone} from ${new Date(start).toISOString().slice(0, 10)}`, () => {
      const random = seededRandom(start / H)
      const span = 5 * 24 * H
      const rows = randomRows(random, start, span, 1500)
      store(rows)
      const q = new UsageQueries(ledger.db, { now: () => NOW, timeZone: zone })
      for (let i = 0; i < 60; i++) {
        const from = start - H + Math.floor(random() * span)
        const to = from + Math.floor(random() * (span - (from - start)))
        const keys = new Set(GROUP_KEYS.filter(() => random() < 0.4))
        const got = q.usage({ from: new Date(from).toISOString(), to: new Date(to).toISOString(), groupBy: [...keys] }).rows
        expect(got).toEqual(bruteForce(rows, from, to, keys, zone))
      }
    })
  }

  it('only grouped keys are present; totals without grouping; 24 h by default', () => {
    const now = NOW
    store([row({ ts: now - 2 * H, promptTokens: 10, completionTokens: 5, costUsd: 0.25 }), row({ ts: now - 30 * H, promptTokens: 1000 })])
    const q = new UsageQueries(ledger.db, { now: () => now })
    expect(q.usage().rows).toEqual([{ requests: 1, promptTokens: 10, completionTokens: 5, totalTokens: 15, costUsd: 0.25 }])
    const [r] = q.usage({ groupBy: 'provider,model' }).rows
    expect(Object.keys(r).sort()).toEqual(['completionTokens', 'costUsd', 'model', 'promptTokens', 'provider', 'requests', 'totalTokens'])
    expect(q.usage({ from: new Date(now - 48 * H).toISOString() }).rows[0].requests).toBe(2)
  })

  it('in-flight requests are not usage yet; interrupted ones count as requests', () => {
    const r = row({ ts: NOW - H })
    ledger.begin(inFlight(r))
    ledger.flushAll()
    const q = new UsageQueries(ledger.db, { now: () => NOW })
    expect(q.usage().rows).toEqual([])
    expect(q.recent(5)[0]).toMatchObject({ requestId: r.requestId, state: 'in_flight' })
  })

  it('rejects bad input as RangeError', () => {
    const q = new UsageQueries(ledger.db, { now: () => NOW })
    expect(() => q.usage({ from: 'yesterday' })).toThrow(RangeError)
    expect(() => q.usage({ from: '2025-02-01T00:00:00Z', to: '2025-01-01T00:00:00Z' })).toThrow(RangeError)
    expect(() => q.usage({ groupBy: 'provider,region' })).toThrow(/region/)
  })

  it("follows the machine's zone (TZ) when none is given", () => {
    const saved = process.env.TZ
    try {
      process.env.TZ = 'Asia/Tokyo'
      // 2025-06-01T20:00Z is June 2nd in Tokyo.
      store([row({ ts: Date.UTC(2025, 5, 1, 20) })])
      const q = new UsageQueries(ledger.db, { now: () => NOW })
      expect(q.usage({ from: '2025-06-01T00:00:00Z', to: '2025-06-03T00:00:00Z', groupBy: ['day'] }).rows.map((r) => r.day)).toEqual(['2025-06-02'])
    } finally {
      if (saved === undefined) delete process.env.TZ
      else process.env.TZ = saved
    }
  })
})

describe('today and recent', () => {
  it("today's totals, overall and per provider, from local midnight", () => {
    const zone = 'America/New_York'
    const now = Date.UTC(2025, 2, 9, 18) // DST began at 07:00Z that morning
    const midnight = localDayStart(now, zone)
    expect(new Date(midnight).toISOString()).toBe('2025-03-09T05:00:00.000Z')
    store([
      row({ ts: midnight - 1, provider: 'openai', promptTokens: 999 }),
      row({ ts: midnight, provider: 'openai', promptTokens: 10, completionTokens: 1, costUsd: 0.5 }),
      row({ ts: now - 1000, provider: 'vllm-a', app: 'claude-code', promptTokens: 20, completionTokens: 2, costUsd: 0 }),
    ])
    const t = new UsageQueries(ledger.db, { now: () => now, timeZone: zone }).today()
    const { apps, ...rest } = t
    expect(apps).toEqual({
      [row({}).app]: { requests: 1, promptTokens: 10, completionTokens: 1, totalTokens: 11, costUsd: 0.5 },
      'claude-code': { requests: 1, promptTokens: 20, completionTokens: 2, totalTokens: 22, costUsd: 0 },
    })
    expect(rest).toEqual({
      day: '2025-03-09',
      requests: 2,
      promptTokens: 30,
      completionTokens: 3,
      totalTokens: 33,
      costUsd: 0.5,
      providers: {
        openai: { requests: 1, promptTokens: 10, completionTokens: 1, totalTokens: 11, costUsd: 0.5 },
        'vllm-a': { requests: 1, promptTokens: 20, completionTokens: 2, totalTokens: 22, costUsd: 0 },
      },
    })
  })

  it('recent requests, newest first, limited', () => {
    store([row({ ts: NOW - 3000 }), row({ ts: NOW - 1000, app: 'newest' }), row({ ts: NOW - 2000 })])
    const recent = new UsageQueries(ledger.db, { now: () => NOW }).recent(2)
    expect(recent).toHaveLength(2)
    expect(recent[0]).toMatchObject({ app: 'newest', stream: true, estimated: false, exported: false })
  })
})

describe('export', () => {
  it('CSV: header row, RFC 4180 quoting, formula-safe text, every row across pages', () => {
    const rows = Array.from({ length: 2345 }, (_, i) => row({ ts: NOW - H + (i % 3), requestId: `r${String(i).padStart(5, '0')}` }))
    rows[7].app = 'My "quoted", app\nline2'
    rows[8].app = '=HYPERLINK("http://x")'
    store(rows)
    const text = [...exportLedger(ledger.db, 'csv', { from: NOW - 2 * H, to: NOW }, NOW)].join('')
    const lines = text.split('\r\n')
    expect(lines[0]).toBe('requestId,time,app,provider,routeModel,upstreamModel,endpoint,stream,status,state,promptTokens,completionTokens,cachedTokens,cacheCreationTokens,reasoningTokens,totalTokens,costUsd,latencyMs,ttftMs,attempts,errorClass,estimated,path,keyLabel,queueWaitMs')
    expect(text).toContain('"My ""quoted"", app\nline2"')
    expect(text).toContain(`"'=HYPERLINK(""http://x"")"`)
    expect(text.endsWith('\r\n')).toBe(true)
    const ids = text.match(/^r\d{5}/gm)!
    expect(ids).toHaveLength(2345)
    expect(new Set(ids).size).toBe(2345)
  })

  it('JSON: a valid array of records', () => {
    store([row({ ts: NOW - H, promptTokens: 3, completionTokens: 4, keyLabel: 'alpha', queueWaitMs: 250 }), row({ ts: NOW - H })])
    const doc = JSON.parse([...exportLedger(ledger.db, 'json', {}, NOW)].join('')) as Array<Record<string, unknown>>
    expect(doc).toHaveLength(2)
    expect(doc[0]).toMatchObject({ promptTokens: 3, completionTokens: 4, totalTokens: 7, time: new Date(NOW - H).toISOString(), keyLabel: 'alpha', queueWaitMs: 250 })
    expect(doc[1]).toMatchObject({ keyLabel: null, queueWaitMs: null })
    expect(JSON.parse([...exportLedger(ledger.db, 'json', { from: 0, to: 1 }, NOW)].join(''))).toEqual([])
    expect(() => exportLedger(ledger.db, 'csv', { to: 'nope' }, NOW)).toThrow(RangeError)
  })

  it('csvCell', () => {
    expect(csvCell(null)).toBe('')
    expect(csvCell(12.5)).toBe('12.5')
    expect(csvCell(true)).toBe('true')
    expect(csvCell('plain')).toBe('plain')
    expect(csvCell('a,b')).toBe('"a,b"')
    expect(csvCell('-1+1')).toBe("'-1+1")
  })
})
