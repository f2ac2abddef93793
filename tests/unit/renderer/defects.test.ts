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
