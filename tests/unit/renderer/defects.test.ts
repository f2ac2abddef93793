// The dashboard defects of issue 15, each pinned by its pure logic: friendly errors, the removal
// confirm, limits that mean what they say, the theme choice, a pasted #token= link, the live
// charts' server-kept history.
import { describe, expect, it, vi } from 'vitest'
import { watchTokenLinks } from '../../../src/renderer/src/api/adminToken'
import { friendlyError } from '../../../src/renderer/src/logic/friendlyErrors'
import { emptyForm, providerFromForm, validateForm } from '../../../src/renderer/src/logic/providerForm'
import { removalImpact, removalText } from '../../../src/renderer/src/logic/removalImpact'
import { mergeHistory, type HistoryPoint } from '../../../src/renderer/src/logic/statsHistory'
import { isDark, loadThemeChoice, saveThemeChoice } from '../../../src/renderer/src/logic/theme'
import { isValidHost } from '../../../src/shared/config'

describe('friendly errors', () => {
  it('names the provider and the field instead of a config path', () => {
    expect(friendlyError('invalid config: providers[1].baseUrl: Invalid URL', ['alpha', 'beta'])).toBe(
      'Provider “beta” — Base URL: not a URL the gateway accepts (check for spaces, a missing http://, or unusual characters in the host)',
    )
    expect(friendlyError('invalid config: server.host: not an IP address or host name')).toBe('Bind address: not an IP address or host name')
    expect(friendlyError('no provider with id "x"')).toBe('no provider with id "x"')
  })
})

describe('provider removal confirm', () => {
  const routes = [
    { model: 'team', targets: [{ provider: 'a' }] },
    { model: 'claude-*', targets: [{ provider: 'a' }, { provider: 'b' }] },
    { model: 'other', targets: [{ provider: 'b' }] },
  ]
  it('says exactly which routes are deleted and which lose a target', () => {
    expect(removalImpact(routes, 'a')).toEqual({ deleted: ['team'], reduced: ['claude-*'] })
    expect(removalText('Alpha', removalImpact(routes, 'a'), true)).toBe(
      'Remove Alpha? The route “team” will be deleted: Alpha is its only target. The route “claude-*” loses it as a target. It is the active provider: unrouted requests get 404 until you pick another.',
    )
    expect(removalText('C', removalImpact(routes, 'c'), false)).toBe('Remove C? No route uses it.')
  })
})

describe('limits', () => {
  it('refuses negatives with a message; 0 and empty mean no limit (never a silent 1)', () => {
    const form = { ...emptyForm(), id: 'x', baseUrl: 'http://127.0.0.1:8000/v1' }
    expect(validateForm({ ...form, rpm: -5 }, { takenIds: [], editing: false }).limits).toMatch(/cannot be negative/)
    expect(validateForm({ ...form, tpm: 0 }, { takenIds: [], editing: false }).limits).toBeUndefined()
    expect(providerFromForm({ ...form, tpm: 0, rpm: 60, maxConcurrent: null }).limits).toEqual({ rpm: 60 })
  })
})

describe('settings address', () => {
  it('accepts IPs and host names, refuses garbage', () => {
    for (const ok of ['127.0.0.1', '0.0.0.0', '::', '::1', 'localhost', 'my-box.lan', 'fe80::1%eth0']) expect(isValidHost(ok), ok).toBe(true)
    for (const bad of ['not a host!!', '', '300.1.1.1', 'a..b', '-x', 'http://x']) expect(isValidHost(bad), bad).toBe(false)
  })
})

describe('theme', () => {
  it('system follows the OS; light and dark are kept', () => {
    const store = new Map<string, string>()
    const storage = { getItem: (k: string) => store.get(k) ?? null, setItem: (k: string, v: string) => void store.set(k, v) }
    expect(loadThemeChoice(storage)).toBe('system')
    saveThemeChoice(storage, 'dark')
    expect(loadThemeChoice(storage)).toBe('dark')
    expect(isDark('system', 'dark')).toBe(true)
    expect(isDark('light', 'dark')).toBe(false)
    expect(isDark('dark', 'light')).toBe(true)
  })
})

describe('#token= pasted into an open tab', () => {
  it('takes the token from the hash, strips it from the address bar, and hands it on', () => {
    let listener: (() => void) | undefined
    const win = { addEventListener: (_: string, l: () => void) => (listener = l), removeEventListener: vi.fn() }
    const location = { hash: '#/usage', pathname: '/ui/', search: '' }
    const replaceState = vi.fn()
    const stored = new Map<string, string>()
    const onToken = vi.fn()
    watchTokenLinks(win as never, { location, history: { replaceState }, storage: { getItem: (k) => stored.get(k) ?? null, setItem: (k, v) => void stored.set(k, v) } }, onToken)
    listener!()
    expect(onToken).not.toHaveBeenCalled()
    location.hash = '#token=new-secret'
    listener!()
    expect(onToken).toHaveBeenCalledWith('new-secret')
    expect(replaceState).toHaveBeenCalledWith(null, '', '/ui/')
    expect([...stored.values()]).toEqual(['new-secret'])
  })
})

describe('live charts history', () => {
  const p = (at: number): HistoryPoint => ({ at, requestsPerSec: at, tokensPerMin: 0, p50: 0, p95: 0, errorRate: 0, inFlight: 0, queued: 0 })
  it('starts from the points the gateway kept, then the live ones', () => {
    expect(mergeHistory([p(1), p(2), p(3)], [p(3), p(4)]).map((x) => x.at)).toEqual([1, 2, 3, 4])
    expect(mergeHistory([p(1), p(2)], [], 1).map((x) => x.at)).toEqual([2])
  })
})

describe('usage view', () => {
  it('a series keeps its colour across metrics and rankings; other/unknown are neutral', async () => {
    const { colorFor, firstLookPreset, routesOf, stackedSeries } = await import('../../../src/renderer/src/logic/usageView')
    const rows = [
      { provider: 'alpha', day: '2026-05-01', requests: 1, promptTokens: 0, completionTokens: 0, totalTokens: 900, costUsd: 0.01 },
      { provider: 'beta', day: '2026-05-01', requests: 9, promptTokens: 0, completionTokens: 0, totalTokens: 10, costUsd: 0.5 },
    ]
    const range = { from: '2026-05-01T00:00:00', to: '2026-05-02T00:00:00', bucket: 'day' as const }
    const byTokens = stackedSeries(rows, range, 'provider', 'totalTokens').series.map((s) => [s.name, colorFor(s.name)])
    const byRequests = stackedSeries(rows, range, 'provider', 'requests').series.map((s) => [s.name, colorFor(s.name)])
    expect(byTokens.map(([n]) => n)).toEqual(['alpha', 'beta'])
    expect(byRequests.map(([n]) => n)).toEqual(['beta', 'alpha'])
    expect(Object.fromEntries(byTokens)).toEqual(Object.fromEntries(byRequests))
    expect(colorFor('unknown')).toBe(colorFor('other'))
    expect(firstLookPreset(rows, '2026-05-01')).toBe('today')
    expect(firstLookPreset([...rows, { ...rows[0]!, day: '2026-04-30' }], '2026-05-01')).toBeUndefined()
    expect(routesOf('qwen', [{ model: 'team', targets: [{ model: 'qwen' }] }, { model: 'qwen', targets: [{}] }, { model: 'x', targets: [{ model: 'y' }] }])).toEqual(['team', 'qwen'])
  })
})
