import { describe, expect, it } from 'vitest'
import type { UsageRow } from '../../../src/shared/api'
import { bucketsOf, chartGroupBy, dayKey, rangeFor, stackedSeries, tableGroupBy, totalsOf } from '../../../src/renderer/src/logic/usageView'

const now = new Date(2026, 4, 10, 15, 30) // local time: 10 May 2026, 15:30
const row = (over: Partial<UsageRow>): UsageRow => ({ requests: 1, promptTokens: 10, completionTokens: 5, totalTokens: 15, costUsd: 0.01, ...over })

describe('ranges', () => {
  it('today and the last 24 h count in hours; 7 and 30 days in whole local days', () => {
    const today = rangeFor('today', now)
    expect(new Date(today.from).getHours()).toBe(0)
    expect(today.to).toBe(now.toISOString())
    expect(today.bucket).toBe('hour')
    expect(new Date(rangeFor('24h', now).from).getTime()).toBe(now.getTime() - 86_400_000)
    const week = rangeFor('7d', now)
    expect(week.bucket).toBe('day')
    expect(bucketsOf(week)).toEqual(['2026-05-04', '2026-05-05', '2026-05-06', '2026-05-07', '2026-05-08', '2026-05-09', '2026-05-10'])
    expect(bucketsOf(rangeFor('30d', now))).toHaveLength(30)
  })

  it('a custom range includes its last day (but not the future) and picks hours for short spans', () => {
    const r = rangeFor('custom', now, [new Date(2026, 4, 1).getTime(), new Date(2026, 4, 3).getTime()])
    expect(bucketsOf(r)).toEqual(['2026-05-01', '2026-05-02', '2026-05-03'])
    const one = rangeFor('custom', now, [new Date(2026, 4, 10).getTime(), new Date(2026, 4, 10).getTime()])
    expect(one.bucket).toBe('hour')
    expect(one.to).toBe(now.toISOString())
  })

  it('queries: chart by bucket and dimension, table by dimension', () => {
    const r = rangeFor('7d', now)
    expect(chartGroupBy(r, 'provider')).toBe('day,provider')
    expect(chartGroupBy(r, 'day')).toBe('day')
    expect(chartGroupBy(rangeFor('today', now), 'model')).toBe('hour,model')
    expect(tableGroupBy('app')).toBe('app')
    expect(dayKey(now)).toBe('2026-05-10')
  })
})

describe('stackedSeries', () => {
  const r = rangeFor('7d', now)
  it('one series per provider over every day, zeros where nothing happened', () => {
    const s = stackedSeries([row({ day: '2026-05-09', provider: 'a' }), row({ day: '2026-05-10', provider: 'a' }), row({ day: '2026-05-10', provider: 'b', totalTokens: 100 })], r, 'provider', 'totalTokens')
    expect(s.series).toEqual([
      { name: 'b', data: [0, 0, 0, 0, 0, 0, 100] },
      { name: 'a', data: [0, 0, 0, 0, 0, 15, 15] },
    ])
  })

  it('beyond the largest few, the rest is summed as "other"', () => {
    const rows = ['a', 'b', 'c', 'd'].map((p, i) => row({ day: '2026-05-10', provider: p, costUsd: 4 - i }))
    const s = stackedSeries(rows, r, 'provider', 'costUsd', 3)
    expect(s.series.map((x) => [x.name, x.data[6]])).toEqual([
      ['a', 4],
      ['b', 3],
      ['other', 3],
    ])
  })

  it('hours match the gateway’s UTC hour keys; by day there is a single series', () => {
    const today = rangeFor('today', now)
    const hour = bucketsOf(today)[2]!
    const s = stackedSeries([row({ hour, requests: 4 })], today, 'day', 'requests')
    expect(s.series).toHaveLength(1)
    expect(s.series[0]!.data[2]).toBe(4)
  })

  it('totals add up', () => {
    expect(totalsOf([row({}), row({ costUsd: 1 })])).toEqual({ requests: 2, promptTokens: 20, completionTokens: 10, totalTokens: 30, costUsd: 1.01 })
  })
})
