// Small pure helpers: navigation, stats history, snippets, downloads, formatting.
import { describe, expect, it, vi } from 'vitest'
import { hashFor, viewFromHash } from '../../../src/renderer/src/logic/navigation'
import { appendPoint } from '../../../src/renderer/src/logic/statsHistory'
import { snippets } from '../../../src/renderer/src/logic/snippets'
import { clientBaseUrl } from '../../../src/shared/api'
import { downloadFile, safeFilename } from '../../../src/renderer/src/logic/download'
import { formatCompact, formatMs, formatPercent, formatRate, formatUsd } from '../../../src/renderer/src/logic/format'
import { activeFilterCount, attemptLines, dialectOf, requestQuery, timingLines } from '../../../src/renderer/src/logic/requestExplorer'
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
  })
})


describe('request explorer logic', () => {
  it('turns filters into the server query; an id search ignores the rest', () => {
    const now = Date.UTC(2026, 4, 1, 12)
    expect(requestQuery({ range: '1h', status: 'errors', app: 'codex' }, { now, limit: 50, cursor: '1.2' })).toEqual({
      limit: 50,
      cursor: '1.2',
      status: 'errors',
      app: 'codex',
      from: '2026-05-01T11:00:00.000Z',
    })
    expect(requestQuery({ range: '1h', app: 'codex', requestId: ' abc ' }, { now, limit: 50 })).toEqual({ limit: 50, requestId: 'abc' })
    expect(activeFilterCount({ range: 'all' })).toBe(0)
    expect(activeFilterCount({ range: '24h', provider: 'x' })).toBe(2)
  })

  it('names the API of an endpoint', () => {
    expect(dialectOf('/v1/messages')).toBe('Anthropic Messages')
    expect(dialectOf('/chat/completions')).toBe('OpenAI Chat')
    expect(dialectOf('/v1/responses')).toBe('OpenAI Responses')
    expect(dialectOf('/api/chat')).toBe('Ollama')
    expect(dialectOf('/v1beta/models/gemini-2.5-pro:generateContent')).toBe('Gemini')
  })

  it('without a recorded path, the one attempt is the row itself', () => {
    const lines = attemptLines({ provider: 'p', upstreamModel: 'm', routeModel: 'm', errorClass: 'upstream_timeout', status: 504, state: 'error', latencyMs: 120000 } as never)
    expect(lines).toEqual([{ provider: 'p', model: 'm', result: 'upstream_timeout', latency: '2.0 min', ok: false }])
  })

  it('timings: the recorded queue wait, time to first byte and duration, in that order', () => {
    const row = { ts: 0, stream: true, state: 'ok', status: 200, ttftMs: 80, latencyMs: 1_900, queueWaitMs: 1_400 } as never
    const byLabel = (r: never) => Object.fromEntries(timingLines(r).map((l) => [l.label, l.value]))
    expect(timingLines(row).map((l) => l.label)).toEqual(['Started', 'Queue wait', 'Time to first byte', 'Duration'])
    expect(byLabel(row)).toMatchObject({ 'Queue wait': '1.40 s', 'Time to first byte': '80 ms', Duration: '1.90 s' })
    expect(timingLines({ ...(row as object), queueWaitMs: 0 } as never)[1]).toEqual({ label: 'Queue wait', value: '0 ms', hint: 'admitted at once' })
    // Rows from before the wait was recorded say so instead of guessing from the attempts.
    expect(timingLines({ ...(row as object), queueWaitMs: null } as never)[1]).toMatchObject({ value: '—', hint: 'not recorded for this request' })
  })
})
