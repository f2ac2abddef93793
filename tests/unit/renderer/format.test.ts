import { describe, expect, it } from 'vitest'
import { formatCount, formatUptime, listeningAddress, stateLabel, stateTagType } from '../../../src/renderer/src/logic/format'

describe('status page formatting', () => {
  it('labels every gateway state', () => {
    expect(['starting', 'listening', 'paused', 'error', 'stopped'].map((s) => [stateLabel(s as never), stateTagType(s as never)])).toEqual([
      ['Starting', 'info'],
      ['Listening', 'success'],
      ['Paused', 'warning'],
      ['Error', 'error'],
      ['Stopped', 'default'],
    ])
  })

  it('shows the URL, or the address it will use before listening', () => {
    expect(listeningAddress({ state: 'listening', url: 'http://127.0.0.1:7171', host: '127.0.0.1', port: 7171, version: '1' })).toBe('http://127.0.0.1:7171')
    expect(listeningAddress({ state: 'error', host: '127.0.0.1', port: 7171, version: '1' })).toBe('http://127.0.0.1:7171')
  })

  it('formats counters and uptime', () => {
    expect(formatCount(undefined)).toBe('—')
    expect(formatCount(1234567)).toBe('1,234,567')
    expect(formatUptime(undefined)).toBe('—')
    expect(formatUptime(59_999)).toBe('59s')
    expect(formatUptime(61_000)).toBe('1m 1s')
    expect(formatUptime(3_660_000)).toBe('1h 1m')
    expect(formatUptime(90_000_000)).toBe('1d 1h')
  })
})
