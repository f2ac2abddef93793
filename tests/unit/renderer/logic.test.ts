// Small pure helpers: navigation, stats history, snippets, downloads, formatting.
import { describe, expect, it, vi } from 'vitest'
import { hashFor, viewFromHash } from '../../../src/renderer/src/logic/navigation'
import { appendPoint } from '../../../src/renderer/src/logic/statsHistory'
import { snippets } from '../../../src/renderer/src/logic/snippets'
import { clientBaseUrl } from '../../../src/shared/api'
import { downloadFile, safeFilename } from '../../../src/renderer/src/logic/download'
import { formatCompact, formatMs, formatPercent, formatRate, formatUsd, healthLabel } from '../../../src/renderer/src/logic/format'
import { providerStats, snapshot } from './fakeClient'

describe('navigation', () => {
  it('reads the screen from the hash, defaulting to the overview', () => {
    expect(viewFromHash('#/usage')).toBe('usage')
    expect(viewFromHash('#usage')).toBe('usage')
    expect(viewFromHash('')).toBe('overview')
    expect(viewFromHash('#/nope')).toBe('overview')
    expect(viewFromHash('#/requests?x=1')).toBe('requests')
    expect(hashFor('settings')).toBe('#/settings')
  })
})

describe('stats history', () => {
  it('appends ticks in order, ignores repeats, keeps the last N', () => {
    let h = appendPoint([], snapshot({ at: 1, requestsPerSec: 1, providers: { a: providerStats({ queued: 2 }), b: providerStats({ queued: 1 }) } }))
    expect(h[0]).toMatchObject({ at: 1, requestsPerSec: 1, queued: 3 })
    h = appendPoint(h, snapshot({ at: 1 }))
    expect(h).toHaveLength(1)
    for (let at = 2; at <= 10; at++) h = appendPoint(h, snapshot({ at }), 5)
    expect(h.map((p) => p.at)).toEqual([6, 7, 8, 9, 10])
  })
})

describe('snippets', () => {
  it('use the OpenAI form (/v1) for OpenAI clients and the bare URL for Anthropic ones', () => {
    const list = snippets('http://127.0.0.1:7171/', 'qwen')
    const byId = Object.fromEntries(list.map((s) => [s.id, s.code]))
    expect(byId['openai-python']).toContain('base_url="http://127.0.0.1:7171/v1"')
    expect(byId['openai-node']).toContain("baseURL: 'http://127.0.0.1:7171/v1'")
    expect(byId['anthropic']).toContain('ANTHROPIC_BASE_URL=http://127.0.0.1:7171\n')
    expect(byId['curl']).toContain('curl http://127.0.0.1:7171/v1/chat/completions')
    expect(byId['curl']).toContain('"model": "qwen"')
  })

  it('a wildcard bind is reached over loopback', () => {
    expect(clientBaseUrl({ url: 'http://0.0.0.0:7171', host: '0.0.0.0', port: 7171 })).toBe('http://127.0.0.1:7171')
    expect(clientBaseUrl({ host: '::1', port: 1 })).toBe('http://[::1]:1')
  })
})

describe('downloads', () => {
  it('saves through a Blob URL on a temporary link, then releases it', () => {
    vi.useFakeTimers()
    try {
      const click = vi.fn()
      const a = { click, remove: vi.fn(), style: {} as Record<string, string> } as unknown as HTMLAnchorElement
      const env = {
        document: { createElement: () => a, body: { appendChild: vi.fn() } } as never,
        URL: { createObjectURL: vi.fn(() => 'blob:x'), revokeObjectURL: vi.fn() },
      }
      downloadFile({ filename: '../../etc/switchyard usage.csv', contentType: 'text/csv', body: 'a,b\n' }, env)
      expect(a.href).toBe('blob:x')
      expect(a.download).toBe('switchyard_usage.csv')
      expect(click).toHaveBeenCalledTimes(1)
      vi.advanceTimersByTime(10_000)
      expect(env.URL.revokeObjectURL).toHaveBeenCalledWith('blob:x')
    } finally {
      vi.useRealTimers()
    }
    expect(safeFilename('...')).toBe('switchyard-export')
  })
})

describe('formatting', () => {
  it('numbers for tiles, axes and tables', () => {
    expect(formatCompact(12_400)).toBe('12.4K')
    expect(formatRate(0.25)).toBe('0.3')
    expect(formatRate(42.4)).toBe('42')
    expect(formatMs(999.6)).toBe('1000 ms')
    expect(formatMs(1500)).toBe('1.50 s')
    expect(formatMs(90_000)).toBe('1.5 min')
    expect(formatMs(null)).toBe('—')
    expect(formatPercent(0.004)).toBe('0.40%')
    expect(formatPercent(0.25)).toBe('25%')
    expect(formatUsd(0.0042)).toBe('$0.0042')
    expect(formatUsd(0.00002)).toBe('<$0.0001')
    expect(formatUsd(1234.5)).toBe('$1,234.50')
    expect(healthLabel('open')).toEqual({ label: 'down', type: 'error' })
    expect(healthLabel('closed', false).label).toBe('disabled')
    expect(healthLabel(undefined).label).toBe('unknown')
  })
})
